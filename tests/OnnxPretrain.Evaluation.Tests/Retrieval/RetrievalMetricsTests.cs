using OnnxPretrain.Evaluation.Retrieval;

namespace OnnxPretrain.Evaluation.Tests.Retrieval;

[TestClass]
public sealed class RetrievalMetricsTests
{
    private static IReadOnlyList<ScoredDoc> Run(params (string Id, double Score)[] docs) => docs.Select(d => new ScoredDoc(d.Id, d.Score)).ToList();

    private static Dictionary<string, int> Judged(params (string Id, int Grade)[] g) => g.ToDictionary(x => x.Id, x => x.Grade);

    // Graded example. Qrels: d1=3, d2=1, d3=2, d9=0 (judged non-relevant). Ranking: d2, d4 (unjudged), d1, d3.
    private static readonly IReadOnlyList<ScoredDoc> Graded = Run(("d3", 0.6), ("d1", 0.7), ("d2", 0.9), ("d4", 0.8));
    private static readonly Dictionary<string, int> GradedQrels = Judged(("d1", 3), ("d2", 1), ("d3", 2), ("d9", 0));

    [TestMethod]
    public void Ndcg_GradedExample_MatchesHandComputed()
    {
        // DCG  = 1/log2(2) + 0/log2(3) + 3/log2(4) + 2/log2(5) = 1 + 0 + 1.5 + 0.861353 = 3.361353
        // IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5 = 4.761860 (d9 has grade 0: no gain)
        // nDCG@10 = 3.361353 / 4.761860 = 0.705891
        Assert.AreEqual(0.705891, RetrievalMetrics.Ndcg(Graded, GradedQrels, 10), 1e-6);
        // @2: DCG = 1; IDCG = 3 + 1.261860 = 4.261860 -> 0.234639
        Assert.AreEqual(0.234639, RetrievalMetrics.Ndcg(Graded, GradedQrels, 2), 1e-6);
    }

    [TestMethod]
    public void ReciprocalRankRecallAp_GradedExample_MatchHandComputed()
    {
        // First relevant (grade >= 1) is d2 at rank 1.
        Assert.AreEqual(1.0, RetrievalMetrics.ReciprocalRank(Graded, GradedQrels, 10), 1e-12);
        // 3 relevant (d1, d2, d3), all retrieved.
        Assert.AreEqual(1.0, RetrievalMetrics.Recall(Graded, GradedQrels, 100), 1e-12);
        // Relevant at ranks 1, 3, 4: (1/1 + 2/3 + 3/4) / 3 = 0.805556
        Assert.AreEqual(0.805556, RetrievalMetrics.AveragePrecision(Graded, GradedQrels, 100), 1e-6);
        // Cut at 2: only rank 1 counts, still divided by all 3 relevant: 1/3.
        Assert.AreEqual(1.0 / 3, RetrievalMetrics.AveragePrecision(Graded, GradedQrels, 2), 1e-12);
        Assert.AreEqual(1.0 / 3, RetrievalMetrics.Recall(Graded, GradedQrels, 2), 1e-12);
    }

    [TestMethod]
    public void TrecOrder_TiedScores_BreaksByDocnoDescending()
    {
        // Equal scores: trec_eval's comp_sim_docno orders by docno descending (strcmp): d3, d2, d10 ("d10" < "d2" byte-wise).
        var ordered = RetrievalMetrics.TrecOrder(Run(("d2", 0.5), ("d10", 0.5), ("d3", 0.5), ("d1", 0.9)));
        CollectionAssert.AreEqual(new[] { "d1", "d3", "d2", "d10" }, ordered.Select(d => d.DocId).ToArray());
    }

    [TestMethod]
    public void Metrics_TiedScores_UseTrecOrderNotInputOrder()
    {
        // All three tie; trec order d3, d2, d1, so the only relevant doc d1 sits at rank 3 whatever the input order.
        var judged = Judged(("d1", 1));
        foreach (var run in new[] { Run(("d1", 2.0), ("d2", 2.0), ("d3", 2.0)), Run(("d3", 2.0), ("d1", 2.0), ("d2", 2.0)) })
        {
            Assert.AreEqual(1.0 / 3, RetrievalMetrics.ReciprocalRank(run, judged, 10), 1e-12);
            Assert.AreEqual(1.0 / 3, RetrievalMetrics.AveragePrecision(run, judged, 100), 1e-12); // (1/3) / 1
            Assert.AreEqual(0.5, RetrievalMetrics.Ndcg(run, judged, 10), 1e-12); // (1/log2(4)) / (1/log2(2))
        }
    }

    [TestMethod]
    public void TrecOrder_ScoresEqualAsFloat_AreTied()
    {
        // trec_eval stores scores as float: 1.00000001 and 1.0 are the same float, so docno decides (b before a).
        var ordered = RetrievalMetrics.TrecOrder(Run(("a", 1.00000001), ("b", 1.0)));
        CollectionAssert.AreEqual(new[] { "b", "a" }, ordered.Select(d => d.DocId).ToArray());
    }

    [TestMethod]
    public void Cutoffs_RelevantAtRank11And101_CountOnlyWithinTheCutoff()
    {
        // 150 docs scored 150..1; the relevant ones are at rank 11 (grade 2) and rank 101 (grade 1).
        var run = Enumerable.Range(1, 150).Select(r => new ScoredDoc($"x{r}", 151 - r)).ToList();
        var judged = Judged(("x11", 2), ("x101", 1));
        Assert.AreEqual(0.0, RetrievalMetrics.ReciprocalRank(run, judged, 10), 1e-12);
        Assert.AreEqual(0.0, RetrievalMetrics.Ndcg(run, judged, 10), 1e-12);
        Assert.AreEqual(1.0 / 11, RetrievalMetrics.ReciprocalRank(run, judged, 11), 1e-12);
        Assert.AreEqual(0.5, RetrievalMetrics.Recall(run, judged, 100), 1e-12); // 1 of 2
        Assert.AreEqual((1.0 / 11) / 2, RetrievalMetrics.AveragePrecision(run, judged, 100), 1e-12); // P@11 = 1/11, over 2 relevant
        Assert.AreEqual(((1.0 / 11) + (2.0 / 101)) / 2, RetrievalMetrics.AveragePrecision(run, judged, 101), 1e-12);
    }

    [TestMethod]
    public void ReciprocalRank_GradeZeroJudged_IsNotRelevant()
    {
        var run = Run(("a", 3), ("b", 2));
        Assert.AreEqual(0.5, RetrievalMetrics.ReciprocalRank(run, Judged(("a", 0), ("b", 1)), 10), 1e-12);
        Assert.AreEqual(0.0, RetrievalMetrics.Recall(run, Judged(("a", 0)), 100), 1e-12); // no relevant: 0, not NaN
        Assert.AreEqual(0.0, RetrievalMetrics.Ndcg(run, Judged(("a", 0)), 10), 1e-12);
    }

    [TestMethod]
    public void Evaluate_QueryMissingFromRun_CountsAsZero()
    {
        // q1: perfect (1 on every metric); q2: no run at all -> 0; q3 is in the run but not judged -> ignored.
        var qrels = new Qrels(new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["q1"] = Judged(("a", 2)), ["q2"] = Judged(("b", 1)),
        }, ["q1", "q2"]);
        var run = new Dictionary<string, IReadOnlyList<ScoredDoc>> { ["q1"] = Run(("a", 1), ("c", 0.5)), ["q3"] = Run(("b", 1)) };
        var s = RetrievalMetrics.Evaluate(run, qrels);
        Assert.AreEqual(0.5, s.Ndcg10, 1e-12);
        Assert.AreEqual(0.5, s.Mrr10, 1e-12);
        Assert.AreEqual(0.5, s.Recall100, 1e-12);
        Assert.AreEqual(0.5, s.Map100, 1e-12);
        Assert.AreEqual(2, s.PerQuery.Count);
        Assert.AreEqual(1, s.QueriesWithoutRun);
        Assert.AreEqual(1, s.QueriesWithoutRelevantRetrieved);
    }

    [TestMethod]
    public void Ndcg_IdealUsesAllJudgedRelevant_NotOnlyRetrieved()
    {
        // Only the grade-1 doc is retrieved, at rank 1; the unretrieved grade-3 doc still defines the ideal:
        // DCG = 1; IDCG = 3 + 1/log2(3) = 3.630930 -> 0.275411
        Assert.AreEqual(0.275411, RetrievalMetrics.Ndcg(Run(("b", 1)), Judged(("a", 3), ("b", 1)), 10), 1e-6);
    }

    [TestMethod]
    public void WithoutIdenticalIds_DropsTheQuerysOwnDocumentOnly()
    {
        // Query "a" retrieves itself first (as in collections whose queries are documents): BEIR drops it, trec_eval keeps it.
        var run = new Dictionary<string, IReadOnlyList<ScoredDoc>>
        {
            ["a"] = Run(("a", 9), ("d1", 5), ("d2", 1)),
            ["b"] = Run(("d1", 2), ("a", 1)),
        };
        var kept = RetrievalEvaluation.WithoutIdenticalIds(run);
        CollectionAssert.AreEqual(new[] { "d1", "d2" }, kept["a"].Select(d => d.DocId).ToArray());
        CollectionAssert.AreEqual(new[] { "d1", "a" }, kept["b"].Select(d => d.DocId).ToArray(), "another query's id is an ordinary document");
        // With d1 relevant to "a": reciprocal rank 1/2 with the self-match, 1 without it.
        var qrels = Judged(("d1", 1));
        Assert.AreEqual(0.5, RetrievalMetrics.ReciprocalRank(run["a"], qrels, 10), 1e-12);
        Assert.AreEqual(1.0, RetrievalMetrics.ReciprocalRank(kept["a"], qrels, 10), 1e-12);
    }
}
