namespace OnnxPretrain.Evaluation.Tests;

/// <summary>Checks the tie-aware closed forms against the mean over every permutation of small random queries.</summary>
[TestClass]
public sealed class RankingMetricsBruteForceTests
{
    [TestMethod]
    public void ClosedForms_RandomSmallQueries_EqualMeanOverAllPermutations()
    {
        var rng = new Random(20080330);
        for (int trial = 0; trial < 150; trial++)
        {
            int n = rng.Next(1, 8);
            var q = Enumerable.Range(0, n).Select(_ => new ScoredCandidate(rng.Next(0, 4), rng.NextDouble() < 0.35)).ToArray();
            var (ap, rr, p1, hr5, hr2) = BruteForce(q);
            string at = $"trial {trial}: [{string.Join(", ", q.Select(c => $"{c.Score}:{(c.IsPositive ? 1 : 0)}"))}]";
            Assert.AreEqual(ap, RankingMetrics.AveragePrecision(q), 1e-12, at);
            Assert.AreEqual(rr, RankingMetrics.ReciprocalRank(q), 1e-12, at);
            Assert.AreEqual(p1, RankingMetrics.PrecisionAt1(q), 1e-12, at);
            Assert.AreEqual(hr5, RankingMetrics.HitRate(q, 5), 1e-12, at);
            Assert.AreEqual(hr2, RankingMetrics.HitRate(q, 2), 1e-12, at);
        }
    }

    [TestMethod]
    public void ClosedForms_LargeTieGroupStraddlingTopFive_EqualMeanOverAllPermutations()
    {
        // 8 candidates: one above, a group of 6 with 2 positives at ranks 2..7, one positive below.
        var q = new[] { (5.0, false), (1.0, true), (1.0, false), (1.0, false), (1.0, true), (1.0, false), (1.0, false), (0.0, true) }
            .Select(t => new ScoredCandidate(t.Item1, t.Item2)).ToArray();
        var (ap, rr, p1, hr5, _) = BruteForce(q);
        Assert.AreEqual(ap, RankingMetrics.AveragePrecision(q), 1e-12);
        Assert.AreEqual(rr, RankingMetrics.ReciprocalRank(q), 1e-12);
        Assert.AreEqual(p1, RankingMetrics.PrecisionAt1(q), 1e-12);
        Assert.AreEqual(hr5, RankingMetrics.HitRate(q, 5), 1e-12);
    }

    /// <summary>
    /// Mean strict metrics over all n! input orders, ties broken by input order: each order of every tie group occurs
    /// equally often, so this is the expectation over random tie orders.
    /// </summary>
    private static (double Ap, double Rr, double P1, double Hr5, double Hr2) BruteForce(ScoredCandidate[] q)
    {
        double ap = 0, rr = 0, p1 = 0, hr5 = 0, hr2 = 0;
        int count = 0;
        foreach (ScoredCandidate[] perm in Permutations(q))
        {
            bool[] ranked = StrictMetrics.Rank(perm);
            ap += StrictMetrics.AveragePrecision(ranked);
            rr += StrictMetrics.ReciprocalRank(ranked);
            p1 += StrictMetrics.HitRate(ranked, 1);
            hr5 += StrictMetrics.HitRate(ranked, 5);
            hr2 += StrictMetrics.HitRate(ranked, 2);
            count++;
        }
        return (ap / count, rr / count, p1 / count, hr5 / count, hr2 / count);
    }

    private static IEnumerable<ScoredCandidate[]> Permutations(ScoredCandidate[] items)
    {
        var a = (ScoredCandidate[])items.Clone();
        var c = new int[a.Length];
        yield return (ScoredCandidate[])a.Clone();
        for (int i = 0; i < a.Length;)
        {
            if (c[i] < i)
            {
                int j = i % 2 == 0 ? 0 : c[i];
                (a[j], a[i]) = (a[i], a[j]);
                yield return (ScoredCandidate[])a.Clone();
                c[i]++;
                i = 0;
            }
            else
            {
                c[i++] = 0;
            }
        }
    }
}
