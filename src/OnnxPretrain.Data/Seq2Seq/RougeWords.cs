namespace OnnxPretrain.Data;

/// <summary>
/// The words of a tokenised sentence as ROUGE sees them, for PEGASUS's gap-sentence selection: the ids are decoded to
/// text and split by <see cref="RougeTokens"/> (lower-case, runs of <c>[a-z0-9]</c>; punctuation is not a word), as
/// PEGASUS scores sentences with ROUGE-1 under <c>rouge-score</c>'s tokenisation (no stemming). The score is ROUGE-1 F1
/// with clipped ("original", not de-duplicated) counts: matches = Σ_w min(count_a(w), count_b(w)), P = matches / |a|,
/// R = matches / |b|, F1 = 2PR / (P + R) (0 when there is no match).
/// </summary>
public sealed class RougeWords
{
    private readonly Func<int[], string> _decode;

    /// <summary>Creates the word view from a decoder of id sequences to text.</summary>
    /// <param name="decode">Ids to text, e.g. a tokenizer's <see cref="TextTokenizer.Decode"/>.</param>
    public RougeWords(Func<int[], string> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        _decode = decode;
    }

    /// <summary>Words of a tokenizer's ids: <see cref="TextTokenizer.Decode"/> (specials skipped), then <see cref="RougeTokens"/>.</summary>
    public static RougeWords FromTokenizer(TextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new RougeWords(ids => tokenizer.Decode(ids));
    }

    /// <summary>Every id is its own word <c>w{id}</c> (synthetic corpora in tests).</summary>
    public static RougeWords IdsAsWords { get; } = new(ids => string.Join(' ', ids.Select(id => $"w{id}")));

    /// <summary>Word counts of <paramref name="ids"/>.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="total">Number of words.</param>
    /// <returns>Count per distinct word.</returns>
    public Dictionary<string, int> CountWords(ReadOnlySpan<int> ids, out int total)
    {
        var tokens = RougeTokens.Split(_decode(ids.ToArray()));
        total = tokens.Count;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in tokens) counts[t] = counts.GetValueOrDefault(t) + 1;
        return counts;
    }

    /// <summary>ROUGE-1 F1 with clipped counts between two word multisets (see the type remarks).</summary>
    /// <param name="a">Counts of the first text.</param>
    /// <param name="totalA">Words in the first text.</param>
    /// <param name="b">Counts of the second text.</param>
    /// <param name="totalB">Words in the second text.</param>
    /// <returns>F1 in [0, 1].</returns>
    public static double UnigramF1(IReadOnlyDictionary<string, int> a, int totalA, IReadOnlyDictionary<string, int> b, int totalB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int matches = 0;
        foreach ((string w, int c) in a) matches += Math.Min(c, b.GetValueOrDefault(w));
        return F1(matches, totalA, totalB);
    }

    internal static double F1(int matches, int totalA, int totalB)
    {
        if (matches == 0) return 0;
        double p = matches / (double)totalA, r = matches / (double)totalB;
        return 2 * p * r / (p + r);
    }
}
