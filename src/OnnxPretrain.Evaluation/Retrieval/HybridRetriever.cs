namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>
/// Hybrid search: reciprocal rank fusion (Cormack, Clarke and Büttcher 2009) of two retrievers' rankings, the baseline
/// modern retrieval stacks offer beside BM25 and dense search. Each retriever returns its top <see cref="Depth"/>; a
/// document scores Σ 1 / (k + rank) over the rankings it appears in (rank 1-based, k = 60 as in the paper and in the
/// common defaults), and the fused list is cut to the k asked for. Ties go to the lower document id (ordinal).
/// </summary>
/// <param name="first">The first retriever (BM25).</param>
/// <param name="second">The second retriever (dense).</param>
/// <param name="rrfK">RRF's constant k (60).</param>
/// <param name="depth">Documents each retriever contributes (100).</param>
public sealed class HybridRetriever(IRetriever first, IRetriever second, int rrfK = HybridRetriever.DefaultRrfK, int depth = HybridRetriever.DefaultDepth)
    : IRetriever
{
    /// <summary>RRF's k (Cormack et al. 2009).</summary>
    public const int DefaultRrfK = 60;

    /// <summary>Documents each retriever contributes by default.</summary>
    public const int DefaultDepth = 100;

    /// <summary>Documents each retriever contributes.</summary>
    public int Depth => depth;

    /// <inheritdoc />
    public IReadOnlyList<ScoredDoc> Search(string query, int k) => Fuse([first.Search(query, depth), second.Search(query, depth)], rrfK, k);

    /// <summary>Reciprocal rank fusion of <paramref name="rankings"/> (each best first), cut to <paramref name="k"/>.</summary>
    public static IReadOnlyList<ScoredDoc> Fuse(IReadOnlyList<IReadOnlyList<ScoredDoc>> rankings, int rrfK, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rrfK, 0);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var ranking in rankings)
            for (int r = 0; r < ranking.Count; r++)
                scores[ranking[r].DocId] = scores.GetValueOrDefault(ranking[r].DocId) + 1.0 / (rrfK + r + 1);
        return scores.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(k)
            .Select(kv => new ScoredDoc(kv.Key, kv.Value)).ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        first.Dispose();
        second.Dispose();
    }
}
