namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>Metrics of one query (all unitless, in [0, 1]).</summary>
/// <param name="Ndcg10">nDCG@10 (trec_eval <c>ndcg_cut.10</c>).</param>
/// <param name="Mrr10">Reciprocal rank of the first relevant document within the top 10, else 0.</param>
/// <param name="Recall100">Relevant documents in the top 100 / all relevant documents (trec_eval <c>recall.100</c>).</param>
/// <param name="Map100">Average precision cut at 100 (trec_eval <c>map_cut.100</c>).</param>
/// <param name="Retrieved">Documents in the run for the query.</param>
/// <param name="Relevant">Judged relevant documents (grade ≥ 1).</param>
public sealed record QueryMetrics(double Ndcg10, double Mrr10, double Recall100, double Map100, int Retrieved, int Relevant);

/// <summary>Means over the judged queries, plus each query's values.</summary>
/// <param name="Ndcg10">Mean nDCG@10.</param>
/// <param name="Mrr10">Mean MRR@10.</param>
/// <param name="Recall100">Mean Recall@100.</param>
/// <param name="Map100">Mean MAP@100.</param>
/// <param name="PerQuery">Query id to its metrics, for every judged query (qrels order).</param>
public sealed record RetrievalScores(double Ndcg10, double Mrr10, double Recall100, double Map100, IReadOnlyDictionary<string, QueryMetrics> PerQuery)
{
    /// <summary>Judged queries for which the run has no document at all (they count as 0).</summary>
    public int QueriesWithoutRun => PerQuery.Values.Count(q => q.Retrieved == 0);

    /// <summary>Judged queries with no relevant document in the top 100 (they count as 0 in every metric).</summary>
    public int QueriesWithoutRelevantRetrieved => PerQuery.Values.Count(q => q.Recall100 == 0);
}

/// <summary>
/// Ad-hoc retrieval metrics with trec_eval's conventions (Buckley, <c>usnistgov/trec_eval</c> 9.0.x), as pure
/// functions of one query's run and judgements:
/// <list type="bullet">
/// <item>Each query's documents are re-sorted by score descending, ties by docno descending (<see cref="TrecOrder"/>); the rank column of a
/// run file is ignored.</item>
/// <item>A document is relevant when its grade is ≥ <see cref="RelevanceLevel"/> (trec_eval <c>-l 1</c>); unjudged documents are not relevant.</item>
/// <item>nDCG@k (Järvelin and Kekäläinen 2002, trec_eval <c>m_ndcg_cut.c</c>): DCG = Σ_{rank r ≤ k} gain/log2(r + 1) with gain = the qrels
/// grade (graded, grades &gt; 0), over the ideal DCG of all the query's judged documents sorted by grade.</item>
/// <item>Means run over every query in the qrels; a query with no run or no relevant document retrieved scores 0 (trec_eval <c>-c</c>); run
/// queries not in the qrels are ignored.</item>
/// </list>
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>Smallest grade that counts as relevant (trec_eval's default relevance level).</summary>
    public const int RelevanceLevel = 1;

    /// <summary>
    /// trec_eval's ranking of a query's results: score descending, ties broken by docno descending in ordinal (strcmp)
    /// order. Scores are compared as 32-bit floats, as trec_eval stores them (<c>float sim</c>). This is
    /// <c>comp_sim_docno</c> in trec_eval's <c>form_res_rels.c</c> (usnistgov/trec_eval on GitHub:
    /// <c>return strcmp(p2->docno, p1->docno)</c> after comparing <c>sim</c>), used by every measure.
    /// </summary>
    /// <param name="docs">The query's documents in any order.</param>
    /// <returns>A new list in rank order.</returns>
    public static IReadOnlyList<ScoredDoc> TrecOrder(IEnumerable<ScoredDoc> docs)
    {
        ArgumentNullException.ThrowIfNull(docs);
        var list = docs.ToList();
        list.Sort(static (x, y) =>
        {
            int c = ((float)y.Score).CompareTo((float)x.Score);
            return c != 0 ? c : string.CompareOrdinal(y.DocId, x.DocId);
        });
        return list;
    }

    /// <summary>nDCG@k with graded gains (see the class summary); 0 when the query has no judged document with grade &gt; 0.</summary>
    /// <param name="run">The query's retrieved documents, any order.</param>
    /// <param name="judged">Document id to grade for the query (null = no judgements).</param>
    /// <param name="k">Cut-off ≥ 1.</param>
    public static double Ndcg(IReadOnlyList<ScoredDoc> run, IReadOnlyDictionary<string, int>? judged, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (judged is null) return 0;
        var ranked = TrecOrder(run);
        double dcg = 0;
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            int g = Grade(judged, ranked[i].DocId);
            if (g > 0) dcg += g / Math.Log2(i + 2);
        }
        var ideal = judged.Values.Where(g => g > 0).OrderDescending().Take(k).ToList();
        double idcg = 0;
        for (int i = 0; i < ideal.Count; i++) idcg += ideal[i] / Math.Log2(i + 2);
        return idcg > 0 ? dcg / idcg : 0;
    }

    /// <summary>Reciprocal rank of the first relevant document within the top <paramref name="k"/>, 0 if none (trec_eval <c>recip_rank</c> cut at k).</summary>
    public static double ReciprocalRank(IReadOnlyList<ScoredDoc> run, IReadOnlyDictionary<string, int>? judged, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (judged is null) return 0;
        var ranked = TrecOrder(run);
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            if (IsRelevant(judged, ranked[i].DocId)) return 1.0 / (i + 1);
        }
        return 0;
    }

    /// <summary>Relevant documents within the top <paramref name="k"/> over all relevant documents; 0 when none is judged relevant
    /// (trec_eval <c>recall.k</c>).</summary>
    public static double Recall(IReadOnlyList<ScoredDoc> run, IReadOnlyDictionary<string, int>? judged, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int relevant = CountRelevant(judged);
        if (relevant == 0) return 0;
        return (double)TrecOrder(run).Take(k).Count(d => IsRelevant(judged!, d.DocId)) / relevant;
    }

    /// <summary>
    /// Average precision cut at <paramref name="k"/> (trec_eval <c>map_cut.k</c>): the sum of precision@r over the
    /// ranks r ≤ k holding a relevant document, divided by the number of relevant documents (not by those retrieved).
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<ScoredDoc> run, IReadOnlyDictionary<string, int>? judged, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int relevant = CountRelevant(judged);
        if (relevant == 0) return 0;
        var ranked = TrecOrder(run);
        double sum = 0;
        int hits = 0;
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            if (!IsRelevant(judged!, ranked[i].DocId)) continue;
            hits++;
            sum += (double)hits / (i + 1);
        }
        return sum / relevant;
    }

    /// <summary>All four metrics for every query of <paramref name="qrels"/>, and their means (queries missing from the run score 0).</summary>
    /// <exception cref="ArgumentException">The qrels have no query.</exception>
    public static RetrievalScores Evaluate(IReadOnlyDictionary<string, IReadOnlyList<ScoredDoc>> run, Qrels qrels)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        if (qrels.QueryIds.Count == 0) throw new ArgumentException("The qrels judge no query; nothing to evaluate.", nameof(qrels));
        var per = new Dictionary<string, QueryMetrics>(StringComparer.Ordinal);
        foreach (string q in qrels.QueryIds)
        {
            var docs = run.TryGetValue(q, out var d) ? d : [];
            var j = qrels.ByQuery[q];
            per[q] = new QueryMetrics(Ndcg(docs, j, 10), ReciprocalRank(docs, j, 10), Recall(docs, j, 100), AveragePrecision(docs, j, 100),
                docs.Count, CountRelevant(j));
        }
        var v = per.Values;
        return new RetrievalScores(v.Average(m => m.Ndcg10), v.Average(m => m.Mrr10), v.Average(m => m.Recall100), v.Average(m => m.Map100), per);
    }

    private static int Grade(IReadOnlyDictionary<string, int> judged, string doc) => judged.TryGetValue(doc, out int g) ? g : 0;

    private static bool IsRelevant(IReadOnlyDictionary<string, int> judged, string doc) => Grade(judged, doc) >= RelevanceLevel;

    private static int CountRelevant(IReadOnlyDictionary<string, int>? judged) => judged?.Values.Count(g => g >= RelevanceLevel) ?? 0;
}
