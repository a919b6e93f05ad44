namespace OnnxPretrain.Data;

/// <summary>One PROP "document": a passage of consecutive sentences of a corpus document that fits the passage budget.</summary>
/// <param name="Document">Corpus document index.</param>
/// <param name="Tokens">The passage's ids (no specials), as the model reads them.</param>
/// <param name="Words">Distinct counted word ids of the passage (see <see cref="PropDocumentModel.Word"/>), first-occurrence order.</param>
/// <param name="TermFrequencies">tf(w, d) of each entry of <paramref name="Words"/>.</param>
/// <param name="Length">|d|: counted words in the passage (the sum of the term frequencies).</param>
public sealed record PropPassage(int Document, int[] Tokens, int[] Words, int[] TermFrequencies, int Length);

/// <summary>
/// The document language models of PROP (Ma et al., WSDM 2021, §3.2): corpus documents are cut into passages of
/// consecutive non-empty sentences of at most <c>passageTokens</c> ids (greedy, sentence-aligned; a longer sentence is a
/// passage of its own, truncated), so the labels are computed on exactly the text the model reads. Each passage is a
/// "document" d with the Dirichlet-smoothed unigram model P(w|d) = (tf(w,d) + μ·P(w|C)) / (|d| + μ), where P(w|C) is the
/// word's share of all counted words of the corpus and μ is the average passage length |d| (in counted words).
/// Words are whole words (<see cref="PropWordRules"/>); stop words and punctuation are not counted.
/// Sets are sampled from the model restricted to the passage's own vocabulary (its distinct counted words),
/// renormalised there — representative words of d are words of d — without replacement (a set has distinct words).
/// </summary>
public sealed class PropDocumentModel
{
    private readonly Dictionary<int[], int> _wordIds = new(WordComparer.Instance);
    private readonly List<int[]> _words = [];
    private readonly List<long> _collectionCounts = [];
    private readonly List<PropPassage> _passages = [];
    private long _collectionLength;

    /// <summary>Cuts the corpus into passages and counts words.</summary>
    /// <param name="corpus">Tokenised corpus.</param>
    /// <param name="rules">How ids form words and which words count.</param>
    /// <param name="passageTokens">Most ids per passage, &gt;= 1.</param>
    /// <exception cref="ArgumentException">No passage has two distinct counted words.</exception>
    public PropDocumentModel(ITokenizedCorpus corpus, PropWordRules rules, int passageTokens)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentOutOfRangeException.ThrowIfLessThan(passageTokens, 1);
        for (int d = 0; d < corpus.DocumentCount; d++)
        {
            foreach (int[] tokens in Passages(corpus, d, passageTokens)) AddPassage(d, tokens, rules);
        }
        Eligible = Enumerable.Range(0, _passages.Count).Where(p => _passages[p].Words.Length >= 2).ToArray();
        if (Eligible.Count == 0)
            throw new ArgumentException($"PROP needs a passage with >= 2 distinct counted words; the corpus ({corpus.DocumentCount} " +
                $"documents, {_passages.Count} passages) has none.", nameof(corpus));
        Mu = _passages.Average(p => (double)p.Length);
    }

    /// <summary>μ, the Dirichlet prior: the average passage length in counted words.</summary>
    public double Mu { get; }

    /// <summary>Number of passages.</summary>
    public int PassageCount => _passages.Count;

    /// <summary>Passages with at least two distinct counted words (the ones sets are drawn from).</summary>
    public IReadOnlyList<int> Eligible { get; }

    /// <summary>A passage.</summary>
    public PropPassage Passage(int passage) => _passages[passage];

    /// <summary>The ids of a word.</summary>
    public int[] Word(int word) => _words[word];

    /// <summary>P(w|C): the word's count over all counted words of the corpus.</summary>
    public double CollectionProbability(int word) => (double)_collectionCounts[word] / _collectionLength;

    /// <summary>Smoothed P(w|d) of the k-th distinct word of a passage.</summary>
    public double Probability(int passage, int k)
    {
        var p = _passages[passage];
        return (p.TermFrequencies[k] + Mu * CollectionProbability(p.Words[k])) / (p.Length + Mu);
    }

    /// <summary>Query likelihood of a set: Σ log P(w|d) over its words (k indices into the passage's <see cref="PropPassage.Words"/>).</summary>
    public double LogLikelihood(int passage, IEnumerable<int> ks) => ks.Sum(k => Math.Log(Probability(passage, k)));

    /// <summary>
    /// Samples a set: length n ~ Poisson(λ) redrawn while 0, clamped to the passage's distinct words; then n distinct
    /// words, each drawn with probability ∝ P(w|d) among those not yet drawn.
    /// </summary>
    /// <returns>Indices k into the passage's <see cref="PropPassage.Words"/>, in draw order.</returns>
    public List<int> SampleSet(int passage, double lambda, MaskingRng rng)
    {
        var p = _passages[passage];
        int n = Math.Min(SamplePoisson(lambda, rng), p.Words.Length);
        var weights = Enumerable.Range(0, p.Words.Length).Select(k => Probability(passage, k)).ToArray();
        var set = new List<int>(n);
        double total = weights.Sum();
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble() * total;
            int k = 0;
            while (k < weights.Length - 1 && (weights[k] == 0 || u >= weights[k])) { u -= weights[k]; k++; }
            while (weights[k] == 0) k--;
            set.Add(k);
            total -= weights[k];
            weights[k] = 0;
        }
        return set;
    }

    /// <summary>A zero-truncated Poisson(λ) draw (Knuth's product-of-uniforms method; a 0 is redrawn).</summary>
    public static int SamplePoisson(double lambda, MaskingRng rng)
    {
        double limit = Math.Exp(-lambda);
        while (true)
        {
            int k = 0;
            double product = rng.NextDouble();
            while (product > limit) { k++; product *= rng.NextDouble(); }
            if (k > 0) return k;
        }
    }

    private static List<int[]> Passages(ITokenizedCorpus corpus, int document, int budget)
    {
        var passages = new List<int[]>();
        var current = new List<int>();
        IndexRange sentences = corpus.GetDocumentSentences(document);
        for (int s = sentences.Start; s < sentences.End; s++)
        {
            ReadOnlySpan<int> ids = corpus.GetSentence(s);
            if (ids.IsEmpty) continue;
            if (current.Count > 0 && current.Count + ids.Length > budget)
            {
                passages.Add([.. current]);
                current.Clear();
            }
            foreach (int id in ids[..Math.Min(ids.Length, budget - current.Count)]) current.Add(id);
        }
        if (current.Count > 0) passages.Add([.. current]);
        return passages;
    }

    private void AddPassage(int document, int[] tokens, PropWordRules rules)
    {
        var tf = new Dictionary<int, int>();
        var order = new List<int>();
        foreach (var (start, length) in rules.Words(tokens))
        {
            int[] word = tokens[start..(start + length)];
            if (!rules.Counts(word)) continue;
            if (!_wordIds.TryGetValue(word, out int id))
            {
                id = _words.Count;
                _wordIds[word] = id;
                _words.Add(word);
                _collectionCounts.Add(0);
            }
            _collectionCounts[id]++;
            _collectionLength++;
            if (tf.TryAdd(id, 1)) order.Add(id);
            else tf[id]++;
        }
        int[] words = [.. order];
        _passages.Add(new PropPassage(document, tokens, words, words.Select(w => tf[w]).ToArray(), words.Sum(w => tf[w])));
    }
}
