namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>
/// Re-ranking (Nogueira and Cho 2019, "Passage Re-ranking with BERT"): a first stage (BM25, or hybrid BM25 + dense) retrieves
/// the top <see cref="Depth"/> documents, and an exported cross-encoder (<see cref="As2Scorer"/>: <c>logits</c> output,
/// pairs <c>[CLS] query [SEP] title + " " + text [SEP]</c>, score = logit₁ − logit₀) re-scores them. Documents below
/// the depth are never returned, so Recall@Depth equals the first stage's.
/// </summary>
public sealed class RerankRetriever : IRetriever
{
    /// <summary>First-stage depth re-scored by default.</summary>
    public const int DefaultDepth = 100;

    private readonly IRetriever _first;
    private readonly As2Scorer _scorer;
    private readonly IReadOnlyDictionary<string, string> _contents;
    private readonly bool _ownsFirstStage;

    /// <summary>How many first-stage documents are re-scored per query.</summary>
    public int Depth { get; }

    /// <summary>Pairs scored so far (for throughput).</summary>
    public long PairsScored { get; private set; }

    /// <summary>Wraps a first-stage retriever and a cross-encoder; the scorer is then owned by this retriever, and the first stage too unless
    /// <paramref name="ownsFirstStage"/> is false.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> &lt; 1.</exception>
    public RerankRetriever(IRetriever first, As2Scorer scorer, IReadOnlyList<BeirDocument> corpus, int depth = DefaultDepth, bool ownsFirstStage = true)
    {
        _ownsFirstStage = ownsFirstStage;
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        (_first, _scorer, Depth) = (first, scorer, depth);
        _contents = corpus.ToDictionary(d => d.Id, d => d.Contents, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public IReadOnlyList<ScoredDoc> Search(string query, int k) => Rerank(query, _first.Search(query, Depth), k);

    /// <summary>Re-scores given candidates (e.g. a cached BM25 list) and returns the best <paramref name="k"/>.</summary>
    public IReadOnlyList<ScoredDoc> Rerank(string query, IReadOnlyList<ScoredDoc> candidates, int k)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0) return [];
        var scores = _scorer.Score(candidates.Select(c => (query, _contents[c.DocId])).ToList());
        PairsScored += candidates.Count;
        var rescored = candidates.Select((c, i) => new ScoredDoc(c.DocId, scores[i]));
        return RetrievalMetrics.TrecOrder(rescored).Take(k).ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsFirstStage) _first.Dispose();
        _scorer.Dispose();
    }
}
