namespace OnnxPretrain.Evaluation.Tests;

[TestClass]
public sealed class RankingMetricsTests
{
    private const double Eps = 1e-12;

    private static ScoredCandidate[] Q(params (double Score, int Label)[] rows) =>
        rows.Select(r => new ScoredCandidate(r.Score, r.Label == 1)).ToArray();

    [TestMethod]
    public void Metrics_NoTies_MatchHandComputedValues()
    {
        var q = Q((0.9, 0), (0.8, 1), (0.7, 0), (0.6, 1));
        Assert.AreEqual(0, RankingMetrics.PrecisionAt1(q), Eps);
        Assert.AreEqual((1 / 2.0 + 2 / 4.0) / 2, RankingMetrics.AveragePrecision(q), Eps);
        Assert.AreEqual(0.5, RankingMetrics.ReciprocalRank(q), Eps);
        Assert.AreEqual(1, RankingMetrics.HitRate(q, 5), Eps);
        Assert.AreEqual(0, RankingMetrics.HitRate(q, 1), Eps);
    }

    [TestMethod]
    public void Metrics_AllTiedOnePositive_AreUniformExpectations()
    {
        var q = Q((1, 0), (1, 1), (1, 0), (1, 0));
        Assert.AreEqual(0.25, RankingMetrics.PrecisionAt1(q), Eps);
        Assert.AreEqual(25 / 48.0, RankingMetrics.ReciprocalRank(q), Eps);
        Assert.AreEqual(25 / 48.0, RankingMetrics.AveragePrecision(q), Eps);
        Assert.AreEqual(1, RankingMetrics.HitRate(q, 5), Eps);
        Assert.AreEqual(1 - 3 / 6.0, RankingMetrics.HitRate(q, 2), Eps);
    }

    [TestMethod]
    public void HitRate_TieGroupStraddlesCutoff_IsHypergeometric()
    {
        var q = Q((2, 0), (2, 0), (2, 1), (2, 0), (2, 0), (2, 0));
        Assert.AreEqual(5 / 6.0, RankingMetrics.HitRate(q, 5), Eps);
    }

    [TestMethod]
    public void Metrics_AllTiedTwoPositives_AverageTheThreeOrders()
    {
        // Orders PPN, PNP, NPP: AP 1, 5/6, 7/12; RR 1, 1, 1/2.
        var q = Q((0, 1), (0, 0), (0, 1));
        Assert.AreEqual(29 / 36.0, RankingMetrics.AveragePrecision(q), Eps);
        Assert.AreEqual(5 / 6.0, RankingMetrics.ReciprocalRank(q), Eps);
        Assert.AreEqual(2 / 3.0, RankingMetrics.PrecisionAt1(q), Eps);
    }

    [TestMethod]
    public void Metrics_PartialTies_AverageOnlyWithinTheTiedGroup()
    {
        // Ranks: N, {P, N} tied, P. Orders N P N P (AP 1/2, RR 1/2) and N N P P (AP 5/12, RR 1/3).
        var q = Q((2, 1), (3, 0), (1, 1), (2, 0));
        Assert.AreEqual(11 / 24.0, RankingMetrics.AveragePrecision(q), Eps);
        Assert.AreEqual(5 / 12.0, RankingMetrics.ReciprocalRank(q), Eps);
        Assert.AreEqual(0, RankingMetrics.PrecisionAt1(q), Eps);
        Assert.AreEqual(0.5, RankingMetrics.HitRate(q, 2), Eps);
        Assert.AreEqual(1, RankingMetrics.HitRate(q, 5), Eps);
    }

    [TestMethod]
    public void Metrics_InputOrderReversed_GiveTheSameValues()
    {
        var q = Q((1, 1), (1, 0), (1, 0), (0.5, 1), (1, 0), (0.5, 0), (2, 0));
        var r = q.Reverse().ToArray();
        Assert.AreEqual(RankingMetrics.AveragePrecision(q), RankingMetrics.AveragePrecision(r), Eps);
        Assert.AreEqual(RankingMetrics.ReciprocalRank(q), RankingMetrics.ReciprocalRank(r), Eps);
        Assert.AreEqual(RankingMetrics.PrecisionAt1(q), RankingMetrics.PrecisionAt1(r), Eps);
        Assert.AreEqual(RankingMetrics.HitRate(q, 5), RankingMetrics.HitRate(r, 5), Eps);
    }

    [TestMethod]
    public void Metrics_NoPositive_AreZero()
    {
        var q = Q((1, 0), (0, 0));
        Assert.AreEqual(0, RankingMetrics.AveragePrecision(q));
        Assert.AreEqual(0, RankingMetrics.ReciprocalRank(q));
        Assert.AreEqual(0, RankingMetrics.PrecisionAt1(q));
        Assert.AreEqual(0, RankingMetrics.HitRate(q, 5));
    }

    [TestMethod]
    public void Metrics_OnlyPositivesWithTies_AreOne()
    {
        var q = Q((1, 1), (1, 1), (0, 1), (3, 1), (0, 1), (0, 1), (0, 1));
        Assert.AreEqual(1, RankingMetrics.AveragePrecision(q), Eps);
        Assert.AreEqual(1, RankingMetrics.ReciprocalRank(q), Eps);
        Assert.AreEqual(1, RankingMetrics.PrecisionAt1(q), Eps);
        Assert.AreEqual(1, RankingMetrics.HitRate(q, 5), Eps);
    }

    [TestMethod]
    public void Evaluate_QueryWithoutPositive_IsExcludedByDefault()
    {
        IReadOnlyList<ScoredCandidate>[] queries = [Q((1, 1), (0, 0)), Q((1, 0), (0, 1)), Q((1, 0), (0, 0))];
        RankingScores s = RankingMetrics.Evaluate(queries);
        Assert.AreEqual(2, s.Queries);
        Assert.AreEqual(1, s.ExcludedQueries);
        Assert.AreEqual(0.5, s.PrecisionAt1, Eps);
        Assert.AreEqual(0.75, s.MeanAveragePrecision, Eps);
        Assert.AreEqual(0.75, s.MeanReciprocalRank, Eps);
        Assert.AreEqual(1, s.HitRateAt5, Eps);
    }

    [TestMethod]
    public void Evaluate_IncludeAllQueries_ScoresQueryWithoutPositiveAsZero()
    {
        IReadOnlyList<ScoredCandidate>[] queries = [Q((1, 1), (0, 0)), Q((1, 0), (0, 1)), Q((1, 0), (0, 0))];
        RankingScores s = RankingMetrics.Evaluate(queries, includeAllQueries: true);
        Assert.AreEqual(3, s.Queries);
        Assert.AreEqual(0, s.ExcludedQueries);
        Assert.AreEqual(1 / 3.0, s.PrecisionAt1, Eps);
        Assert.AreEqual(0.5, s.MeanAveragePrecision, Eps);
        Assert.AreEqual(0.5, s.MeanReciprocalRank, Eps);
        Assert.AreEqual(2 / 3.0, s.HitRateAt5, Eps);
    }

    [TestMethod]
    public void Evaluate_NoQueryHasPositive_Throws()
    {
        IReadOnlyList<ScoredCandidate>[] queries = [Q((1, 0))];
        var e = Assert.ThrowsExactly<ArgumentException>(() => RankingMetrics.Evaluate(queries));
        StringAssert.Contains(e.Message, "has a positive");
    }

    [TestMethod]
    public void Evaluate_NaNScore_ThrowsNamingQueryAndCandidate()
    {
        IReadOnlyList<ScoredCandidate>[] queries = [Q((1, 1)), Q((0, 1), (double.NaN, 0))];
        var e = Assert.ThrowsExactly<ArgumentException>(() => RankingMetrics.Evaluate(queries));
        StringAssert.Contains(e.Message, "Query 1");
        StringAssert.Contains(e.Message, "Candidate 1 has a NaN score");
    }

    [TestMethod]
    public void HitRate_CutoffBelowOne_Throws() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RankingMetrics.HitRate(Q((1, 1)), 0));
}
