namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>One ROUGE score: precision (matches / prediction units), recall (matches / reference units) and their F1.</summary>
/// <param name="Precision">In [0, 1]; 0 when the prediction has no units.</param>
/// <param name="Recall">In [0, 1]; 0 when the reference has no units.</param>
/// <param name="F1">2PR / (P + R), 0 when P + R = 0.</param>
public readonly record struct RougeScore(double Precision, double Recall, double F1)
{
    /// <summary>The score of <paramref name="matches"/> over prediction and reference counts, with <c>rouge-score</c>'s
    /// conventions: P = matches / max(predicted, 1), R = matches / max(reference, 1).</summary>
    /// <param name="matches">Matched units (clipped n-grams, or the LCS length).</param>
    /// <param name="predicted">Units in the prediction.</param>
    /// <param name="reference">Units in the reference.</param>
    /// <returns>The score.</returns>
    public static RougeScore FromCounts(int matches, int predicted, int reference)
    {
        double p = matches / (double)Math.Max(predicted, 1), r = matches / (double)Math.Max(reference, 1);
        return new RougeScore(p, r, p + r > 0 ? 2 * p * r / (p + r) : 0);
    }
}

/// <summary>ROUGE-1, ROUGE-2 and ROUGE-L of one prediction against one reference (or an average of such).</summary>
/// <param name="Rouge1">Unigram overlap.</param>
/// <param name="Rouge2">Bigram overlap.</param>
/// <param name="RougeL">Longest common subsequence over the whole text.</param>
/// <param name="RougeLsum">Summary-level LCS over the newline-separated sentences (<c>rouge-score</c>'s <c>rougeLsum</c>,
/// which PEGASUS and Hugging Face report); equal to ROUGE-L when both texts are one line.</param>
public sealed record RougeScores(RougeScore Rouge1, RougeScore Rouge2, RougeScore RougeL, RougeScore RougeLsum = default)
{
    /// <summary>Number of metrics (ROUGE-1, ROUGE-2, ROUGE-L, ROUGE-Lsum).</summary>
    public const int Count = 4;

    /// <summary>All zeros.</summary>
    public static RougeScores Zero { get; } = new(default, default, default, default);

    /// <summary>The score of metric <paramref name="metric"/> (0 = ROUGE-1, 1 = ROUGE-2, 2 = ROUGE-L, 3 = ROUGE-Lsum).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> outside [0, 3].</exception>
    public RougeScore this[int metric] => metric switch
    {
        0 => Rouge1,
        1 => Rouge2,
        2 => RougeL,
        3 => RougeLsum,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Metric index must be 0 (ROUGE-1), 1 (ROUGE-2), 2 (ROUGE-L) or 3 (ROUGE-Lsum)."),
    };

    /// <summary>The element-wise mean (of P, R and F1 separately) of <paramref name="scores"/>.</summary>
    /// <exception cref="ArgumentException">No scores.</exception>
    public static RougeScores Mean(IReadOnlyCollection<RougeScores> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) throw new ArgumentException("Cannot average an empty list of ROUGE scores.", nameof(scores));
        RougeScore Avg(int m) => new(scores.Average(s => s[m].Precision), scores.Average(s => s[m].Recall), scores.Average(s => s[m].F1));
        return new RougeScores(Avg(0), Avg(1), Avg(2), Avg(3));
    }

    /// <summary>Per metric, the score (P, R, F1 together) of the reference with the highest F1 (the first on ties), as
    /// <c>rouge-score</c>'s <c>score_multi</c> picks it.</summary>
    /// <exception cref="ArgumentException">No scores.</exception>
    public static RougeScores Max(IReadOnlyCollection<RougeScores> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) throw new ArgumentException("Cannot take the maximum of an empty list of ROUGE scores.", nameof(scores));
        RougeScore Best(int m) => scores.Select(s => s[m]).Aggregate((a, b) => b.F1 > a.F1 ? b : a);
        return new RougeScores(Best(0), Best(1), Best(2), Best(3));
    }
}

/// <summary>
/// ROUGE (Lin 2004, "ROUGE: A Package for Automatic Evaluation of Summaries") with the conventions of Google's
/// <c>rouge-score</c> package (<c>rouge_scorer.py</c>): texts are tokenized by <see cref="RougeTokenizer"/>; ROUGE-N
/// counts the n-grams of each side and matches min(count in prediction, count in reference) per distinct n-gram
/// (clipping), P = matches / prediction n-grams, R = matches / reference n-grams; ROUGE-L takes the longest common
/// subsequence of the two whole token sequences, P = LCS / prediction tokens, R = LCS / reference tokens (0 when either
/// side is empty). F1 = 2PR / (P + R). Pure functions; thread-safe.
/// </summary>
public static class Rouge
{
    /// <summary>ROUGE-1, ROUGE-2 and ROUGE-L of <paramref name="prediction"/> against <paramref name="reference"/>.</summary>
    /// <param name="prediction">System summary.</param>
    /// <param name="reference">Reference summary.</param>
    /// <param name="stem">Porter-stem tokens longer than 3 characters (PEGASUS and <c>rouge-score</c> use true).</param>
    /// <returns>The three scores.</returns>
    public static RougeScores Score(string prediction, string reference, bool stem)
    {
        RougeTokenizer tokenizer = RougeTokenizer.For(stem);
        IReadOnlyList<string>[] Sentences(string text) =>
            [.. (text ?? "").Split('\n').Where(line => line.Length > 0).Select(line => tokenizer.Tokenize(line))];
        return Score(tokenizer.Tokenize(prediction),
            tokenizer.Tokenize(reference)) with { RougeLsum = SummaryLcs(Sentences(prediction), Sentences(reference)) };
    }

    /// <summary>ROUGE-1, ROUGE-2 and ROUGE-L of two token sequences.</summary>
    /// <param name="prediction">Prediction tokens.</param>
    /// <param name="reference">Reference tokens.</param>
    /// <returns>The three scores.</returns>
    public static RougeScores Score(IReadOnlyList<string> prediction, IReadOnlyList<string> reference) =>
        new(NGram(prediction, reference, 1), NGram(prediction, reference, 2), Lcs(prediction, reference), SummaryLcs([prediction], [reference]));

    /// <summary>
    /// ROUGE-Lsum, the summary-level LCS (Lin 2004 §3.2) as <c>rouge-score</c> computes it: for each reference sentence,
    /// the union of the reference positions on one longest common subsequence with each prediction sentence; each token
    /// there is a hit while both texts still have an unused occurrence of it (counts over all sentences, so no token is
    /// matched twice). P = hits / prediction tokens, R = hits / reference tokens; 0 when either side has none.
    /// </summary>
    /// <param name="prediction">Prediction sentences, tokenised.</param>
    /// <param name="reference">Reference sentences, tokenised.</param>
    /// <returns>The score.</returns>
    public static RougeScore SummaryLcs(IReadOnlyList<IReadOnlyList<string>> prediction, IReadOnlyList<IReadOnlyList<string>> reference)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        int n = prediction.Sum(s => s.Count), m = reference.Sum(s => s.Count);
        if (n == 0 || m == 0) return default;
        Dictionary<string, int> Counts(IEnumerable<IReadOnlyList<string>> sentences) =>
            sentences.SelectMany(s => s).GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        Dictionary<string, int> left = Counts(prediction), right = Counts(reference);
        int hits = 0;
        foreach (var sentence in reference)
        {
            var union = new SortedSet<int>();
            foreach (var candidate in prediction) union.UnionWith(LcsPositions(sentence, candidate));
            foreach (int i in union)
            {
                string t = sentence[i];
                if (left.GetValueOrDefault(t) <= 0 || right.GetValueOrDefault(t) <= 0) continue;
                hits++;
                left[t]--;
                right[t]--;
            }
        }
        return RougeScore.FromCounts(hits, n, m);
    }

    /// <summary>
    /// The positions in <paramref name="a"/> of one longest common subsequence with <paramref name="b"/>, read back from
    /// the table from the end: a match is taken, else the step that keeps the longer prefix, preferring to drop from
    /// <paramref name="a"/> on ties (the choice <c>rouge-score</c> makes, which decides the union above).
    /// </summary>
    private static List<int> LcsPositions(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var table = new int[a.Count + 1, b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
            for (int j = 1; j <= b.Count; j++)
                table[i, j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal) ? table[i - 1,
                    j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
        var positions = new List<int>();
        for (int i = a.Count, j = b.Count; i > 0 && j > 0;)
        {
            if (string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)) { positions.Add(i - 1); i--; j--; }
            else if (table[i, j - 1] > table[i - 1, j]) j--;
            else i--;
        }
        positions.Reverse();
        return positions;
    }

    /// <summary>ROUGE-N: clipped n-gram overlap.</summary>
    /// <param name="prediction">Prediction tokens.</param>
    /// <param name="reference">Reference tokens.</param>
    /// <param name="n">N-gram order, &gt;= 1.</param>
    /// <returns>The score; all zeros when either side has no n-gram.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    public static RougeScore NGram(IReadOnlyList<string> prediction, IReadOnlyList<string> reference, int n)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Dictionary<string, int> predicted = Count(prediction, n), expected = Count(reference, n);
        int matches = 0;
        foreach ((string gram, int count) in expected)
            matches += Math.Min(count, predicted.GetValueOrDefault(gram));
        return RougeScore.FromCounts(matches, Math.Max(prediction.Count - n + 1, 0), Math.Max(reference.Count - n + 1, 0));
    }

    /// <summary>ROUGE-L: longest common subsequence of the whole token sequences.</summary>
    /// <param name="prediction">Prediction tokens.</param>
    /// <param name="reference">Reference tokens.</param>
    /// <returns>The score; all zeros when either side is empty.</returns>
    public static RougeScore Lcs(IReadOnlyList<string> prediction, IReadOnlyList<string> reference)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        if (prediction.Count == 0 || reference.Count == 0) return default;
        return RougeScore.FromCounts(LcsLength(prediction, reference), prediction.Count, reference.Count);
    }

    /// <summary>Length of a longest common subsequence (dynamic programming, O(|a|·|b|) time, O(|b|) memory).</summary>
    /// <param name="a">First sequence.</param>
    /// <param name="b">Second sequence.</param>
    /// <returns>The LCS length, in [0, min(|a|, |b|)].</returns>
    public static int LcsLength(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
            {
                current[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }

    private static Dictionary<string, int> Count(IReadOnlyList<string> tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            // U+001F (unit separator) never occurs in a token, so joined n-grams are unambiguous.
            string gram = n == 1 ? tokens[i] : string.Join('\u001F', tokens.Skip(i).Take(n));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }
}
