namespace OnnxPretrain.Evaluation;

/// <summary>One candidate of a ranking query: the system's score (higher ranks first) and its gold relevance.</summary>
/// <param name="Score">System score; any finite or infinite value, never NaN. Equal scores are ties.</param>
/// <param name="IsPositive">True for a correct answer (label 1), false for label 0.</param>
public readonly record struct ScoredCandidate(double Score, bool IsPositive);

/// <summary>
/// A run of candidates with exactly equal scores after sorting by score, descending: it occupies ranks
/// <c>Start + 1 .. Start + Count</c> (1-based) and holds <see cref="Positives"/> positives; <see cref="PositivesBefore"/>
/// positives are ranked strictly above it.
/// </summary>
/// <param name="Start">Number of candidates ranked strictly above the group (a in the formulas).</param>
/// <param name="Count">Number of candidates in the group (n), ≥ 1.</param>
/// <param name="Positives">Positives in the group (k), 0 ≤ k ≤ n.</param>
/// <param name="PositivesBefore">Positives ranked strictly above the group (p).</param>
internal readonly record struct TieGroup(int Start, int Count, int Positives, int PositivesBefore);

/// <summary>Splits a candidate list into <see cref="TieGroup"/>s in rank order, independently of the input order.</summary>
internal static class TieGroups
{
    /// <summary>The tie groups of <paramref name="candidates"/>, best score first.</summary>
    /// <exception cref="ArgumentException">A score is NaN (the message names its index).</exception>
    public static List<TieGroup> Of(IReadOnlyList<ScoredCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var sorted = new ScoredCandidate[candidates.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            if (double.IsNaN(candidates[i].Score))
            {
                throw new ArgumentException($"Candidate {i} has a NaN score; expected a number (ties are allowed, NaN is not).", nameof(candidates));
            }
            sorted[i] = candidates[i];
        }
        Array.Sort(sorted, (x, y) => y.Score.CompareTo(x.Score));
        var groups = new List<TieGroup>();
        int start = 0, before = 0;
        while (start < sorted.Length)
        {
            int end = start, positives = 0;
            while (end < sorted.Length && sorted[end].Score == sorted[start].Score)
            {
                positives += sorted[end++].IsPositive ? 1 : 0;
            }
            groups.Add(new TieGroup(start, end - start, positives, before));
            before += positives;
            start = end;
        }
        return groups;
    }
}
