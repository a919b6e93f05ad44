using System.Text;

namespace OnnxPretrain.Data;

/// <summary>
/// Groups WordPiece ids into whole words (a piece whose vocabulary entry starts with <c>##</c> continues the word before
/// it), and scores word overlap for PEGASUS's gap-sentence selection. The score is ROUGE-1 F1 over words with clipped
/// ("original", not de-duplicated) counts: matches = Σ_w min(count_a(w), count_b(w)), P = matches / |a|,
/// R = matches / |b|, F1 = 2PR / (P + R) = 2·matches / (|a| + |b|) (0 when there is no match); with independent
/// scoring against the rest of the chunk |a| + |b| is the chunk's word count, so the ranking is by clipped matches. It runs on ids, not text: words are compared by
/// their id sequences, so case and punctuation follow the tokenizer (bert-base-uncased lower-cases; punctuation ids
/// count as words), and there is no stemming; this is deliberately a small internal copy, since the Data project may
/// not reference the Evaluation project's text ROUGE.
/// </summary>
public sealed class WordPieceWords
{
    private readonly bool[] _continuation;

    /// <summary>Creates the grouping from a per-id flag.</summary>
    /// <param name="continuation">continuation[id] is true for ids whose entry starts with <c>##</c>.</param>
    public WordPieceWords(IReadOnlyList<bool> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        _continuation = [.. continuation];
    }

    /// <summary>Every id is a whole word (e.g. for byte-level BPE vocabularies or tests).</summary>
    /// <param name="vocabSize">Number of ids.</param>
    /// <returns>The grouping.</returns>
    public static WordPieceWords EveryIdAWord(int vocabSize) => new(new bool[vocabSize]);

    /// <summary>The grouping of a tokenizer's vocabulary: continuation where <see cref="TextTokenizer.IdToToken"/> starts with <c>##</c>.</summary>
    /// <param name="tokenizer">A WordPiece tokenizer (e.g. bert-base-uncased).</param>
    /// <returns>The grouping.</returns>
    public static WordPieceWords FromTokenizer(TextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var flags = new bool[tokenizer.VocabSize];
        for (int id = 0; id < flags.Length; id++) flags[id] = tokenizer.IdToToken(id).StartsWith("##", StringComparison.Ordinal);
        return new WordPieceWords(flags);
    }

    /// <summary>Whether <paramref name="id"/> continues the previous word (ids outside the table are word starts).</summary>
    public bool IsContinuation(int id) => (uint)id < (uint)_continuation.Length && _continuation[id];

    /// <summary>Word counts of <paramref name="ids"/>: each key is a word's ids joined by spaces; a leading continuation piece starts a word.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="total">Number of words.</param>
    /// <returns>Count per distinct word.</returns>
    public Dictionary<string, int> CountWords(ReadOnlySpan<int> ids, out int total)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var word = new StringBuilder();
        total = 0;
        for (int i = 0; i <= ids.Length; i++)
        {
            bool wordEnds = i == ids.Length || !IsContinuation(ids[i]);
            if (wordEnds && word.Length > 0)
            {
                string key = word.ToString();
                counts[key] = counts.GetValueOrDefault(key) + 1;
                total++;
                word.Clear();
            }
            if (i < ids.Length) word.Append(word.Length == 0 ? "" : " ").Append(ids[i]);
        }
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
