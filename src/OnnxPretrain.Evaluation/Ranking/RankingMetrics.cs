namespace OnnxPretrain.Evaluation;

/// <summary>
/// Tie-aware ranking metrics for one query (a question and its scored candidates) and their means over queries: P@1,
/// average precision (MAP), reciprocal rank (MRR) and hit rate at K (HR@5), as used for answer sentence selection
/// (Yang, Yih and Meek 2015, "WikiQA", section 5). All functions are pure.
/// </summary>
/// <remarks>
/// <para>
/// Ties are never broken by input order. Candidates with exactly equal scores form a tie group and every metric is
/// its <em>expected</em> value when each tie group is ordered uniformly at random (all n! orders equally likely,
/// groups independent), as in McSherry and Najork 2008, "Computing Information Retrieval Performance Measures
/// Efficiently in the Presence of Tied Scores" (ECIR). Without ties this is the ordinary value. The result therefore
/// does not depend on the order of the input list.
/// </para>
/// <para>
/// Notation: sort by score, descending; a tie group occupies ranks a+1 .. a+n (1-based), holds k positives, and p
/// positives rank strictly above it; R is the query's total number of positives. g* is the first group with k &gt; 0.
/// </para>
/// </remarks>
internal static class RankingMetrics
{
    /// <summary>Cut-off of the hit-rate metric reported for AS2 (HR@5).</summary>
    public const int HitRateCutoff = 5;

    /// <summary>
    /// Expected precision at rank 1: the probability that a positive is ranked first. Only the first tie group
    /// (a = 0) can fill rank 1, so P@1 = k/n for that group (the hypergeometric probability of drawing a positive
    /// in one draw), and 0 when it has no positive. Equals <see cref="HitRate"/> with K = 1. Unitless, in [0, 1].
    /// </summary>
    /// <param name="candidates">The query's candidates, in any order.</param>
    /// <exception cref="ArgumentException">A score is NaN.</exception>
    public static double PrecisionAt1(IReadOnlyList<ScoredCandidate> candidates) => HitRate(candidates, 1);

    /// <summary>
    /// Expected hit rate at <paramref name="k"/>: the probability that at least one positive is ranked within the top K.
    /// Groups before g* have no positive, so only g* matters: with m = min(K − a, n) of its positions inside the top K,
    /// HR@K = 1 − C(n − k, m) / C(n, m) = 1 − ∏_{j=0}^{m−1} (n − k − j)/(n − j) (hypergeometric: no positive among m
    /// draws without replacement), which is 1 when g* lies wholly inside the top K and 0 when a ≥ K or R = 0.
    /// Unitless, in [0, 1].
    /// </summary>
    /// <param name="candidates">The query's candidates, in any order.</param>
    /// <param name="k">Cut-off rank K ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A score is NaN.</exception>
    public static double HitRate(IReadOnlyList<ScoredCandidate> candidates, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        foreach (TieGroup g in TieGroups.Of(candidates))
        {
            if (g.Start >= k) return 0;
            if (g.Positives == 0) continue;
            int m = Math.Min(k - g.Start, g.Count);
            double noPositive = 1;
            for (int j = 0; j < m; j++)
            {
                noPositive *= (double)(g.Count - g.Positives - j) / (g.Count - j);
            }
            return 1 - noPositive;
        }
        return 0;
    }

    /// <summary>
    /// Expected reciprocal rank of the first positive. The first positive lies in g*, at its j-th position with
    /// probability q_j = C(n − j, k − 1) / C(n, k), j = 1 .. n − k + 1, so E[RR] = Σ_j q_j / (a + j); computed with
    /// q_1 = k/n and q_{j+1} = q_j · (n − k − j + 1)/(n − j). 0 when R = 0. Unitless, in [0, 1].
    /// </summary>
    /// <param name="candidates">The query's candidates, in any order.</param>
    /// <exception cref="ArgumentException">A score is NaN.</exception>
    public static double ReciprocalRank(IReadOnlyList<ScoredCandidate> candidates)
    {
        foreach (TieGroup g in TieGroups.Of(candidates))
        {
            if (g.Positives == 0) continue;
            int n = g.Count, k = g.Positives;
            double q = (double)k / n, sum = 0;
            for (int j = 1; j <= n - k + 1; j++)
            {
                sum += q / (g.Start + j);
                if (j < n) q *= (double)(n - k - j + 1) / (n - j);
            }
            return sum;
        }
        return 0;
    }

    /// <summary>
    /// Expected average precision, AP = (1/R) Σ_r rel(r) · prec@r with prec@r = (1/r) Σ_{s≤r} rel(s). By linearity,
    /// for rank r = a + i of a group, E[rel(r) Σ_{s≤r} rel(s)] = (k/n) · (p + 1 + (i − 1)(k − 1)/(n − 1)): position i is
    /// positive with probability k/n, and given that, each of the i − 1 earlier positions of the group holds one of the
    /// other k − 1 positives with probability (k − 1)/(n − 1) (the term is 0 when n = 1). Hence
    /// E[AP] = (1/R) Σ_groups Σ_{i=1}^{n} (k/n)(p + 1 + (i − 1)(k − 1)/(n − 1)) / (a + i) (McSherry and Najork 2008,
    /// section 3). 0 when R = 0. Unitless, in [0, 1].
    /// </summary>
    /// <param name="candidates">The query's candidates, in any order.</param>
    /// <exception cref="ArgumentException">A score is NaN.</exception>
    public static double AveragePrecision(IReadOnlyList<ScoredCandidate> candidates)
    {
        List<TieGroup> groups = TieGroups.Of(candidates);
        int total = groups.Sum(g => g.Positives);
        if (total == 0) return 0;
        double sum = 0;
        foreach (TieGroup g in groups)
        {
            if (g.Positives == 0) continue;
            int n = g.Count, k = g.Positives;
            double share = n == 1 ? 0 : (k - 1.0) / (n - 1);
            for (int i = 1; i <= n; i++)
            {
                sum += (double)k / n * (g.PositivesBefore + 1 + (i - 1) * share) / (g.Start + i);
            }
        }
        return sum / total;
    }

    /// <summary>
    /// Means of <see cref="PrecisionAt1"/>, <see cref="AveragePrecision"/> (MAP), <see cref="ReciprocalRank"/> (MRR) and
    /// <see cref="HitRate"/> at <see cref="HitRateCutoff"/> over <paramref name="queries"/>. By default only queries
    /// with at least one positive count (the standard WikiQA setting, Yang et al. 2015, section 5.1); with
    /// <paramref name="includeAllQueries"/> every query counts and one without a positive scores 0 on every metric.
    /// </summary>
    /// <param name="queries">Each query's candidates, in any order.</param>
    /// <param name="includeAllQueries">Count queries without a positive (as 0) instead of leaving them out.</param>
    /// <returns>The means, the number of queries averaged and the number left out.</returns>
    /// <exception cref="ArgumentException">A score is NaN (the message names the query index), or no query is counted.</exception>
    public static RankingScores Evaluate(IReadOnlyList<IReadOnlyList<ScoredCandidate>> queries, bool includeAllQueries = false)
    {
        ArgumentNullException.ThrowIfNull(queries);
        double p1 = 0, ap = 0, rr = 0, hr = 0;
        int counted = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            IReadOnlyList<ScoredCandidate> c = queries[q];
            if (!includeAllQueries && !c.Any(x => x.IsPositive)) continue;
            try
            {
                p1 += PrecisionAt1(c);
                ap += AveragePrecision(c);
                rr += ReciprocalRank(c);
                hr += HitRate(c, HitRateCutoff);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Query {q}: {e.Message}", nameof(queries), e);
            }
            counted++;
        }
        if (counted == 0)
        {
            throw new ArgumentException($"None of the {queries.Count} queries has a positive candidate; nothing to average (pass " +
                $"includeAllQueries to score them as 0).", nameof(queries));
        }
        return new RankingScores(p1 / counted, ap / counted, rr / counted, hr / counted, counted, queries.Count - counted);
    }
}
