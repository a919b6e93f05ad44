namespace OnnxPretrain.Data;

/// <summary>
/// How PROP turns token ids into words: a word is a word-start id followed by its continuation ids (WordPiece
/// <c>##</c> pieces, or GPT-2 pieces without the leading-space marker <c>Ġ</c>), so sets are sampled over whole words,
/// not sub-word pieces. Words whose first id is excluded (specials, punctuation-only pieces) and stop words do not
/// enter the document language model (they stay in the text the model reads).
/// </summary>
public sealed class PropWordRules
{
    private readonly bool[]? _continuation;
    private readonly bool[]? _excluded;
    private readonly HashSet<int[]> _stopWords;

    /// <summary>
    /// Lucene's English stop set (EnglishAnalyzer's default, 33 words), the list the BM25 baseline removes too.
    /// </summary>
    public static IReadOnlyList<string> EnglishStopWords { get; } =
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on",
        "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    ];

    /// <summary>Creates the rules.</summary>
    /// <param name="continuation">Per id: true when the id continues the previous word; null = every id starts a word.</param>
    /// <param name="excluded">Per id: true when a word starting with it is never counted (specials, punctuation); null = none.</param>
    /// <param name="stopWords">Words (id sequences) left out of the language model; null = none.</param>
    public PropWordRules(bool[]? continuation = null, bool[]? excluded = null, IEnumerable<int[]>? stopWords = null)
    {
        (_continuation, _excluded) = (continuation, excluded);
        _stopWords = new HashSet<int[]>(stopWords ?? [], WordComparer.Instance);
    }

    /// <summary>Every id is a word of its own; nothing excluded (synthetic corpora, tests).</summary>
    public static PropWordRules TokenIds { get; } = new();

    /// <summary>
    /// Rules of a tokenizer: WordPiece ids starting with <c>##</c> (BERT) or GPT-2 ids without a leading <c>Ġ</c> continue a
    /// word; ids whose text has no letter or digit and the special ids are excluded; <paramref name="stopWords"/> (default
    /// <see cref="EnglishStopWords"/>) are encoded as words (GPT-2: with and without the leading space).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is null.</exception>
    public static PropWordRules For(TextTokenizer tokenizer, IEnumerable<string>? stopWords = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        bool gpt2 = tokenizer.Name.Contains("gpt2", StringComparison.OrdinalIgnoreCase);
        int v = tokenizer.VocabSize;
        var continuation = new bool[v];
        var excluded = new bool[v];
        for (int id = 0; id < v; id++)
        {
            string token = tokenizer.IdToToken(id) ?? "";
            continuation[id] = gpt2 ? !token.StartsWith('Ġ') : token.StartsWith("##", StringComparison.Ordinal);
            string text = gpt2 ? token.TrimStart('Ġ') : continuation[id] ? token[2..] : token;
            excluded[id] = tokenizer.Specials.IsSpecial(id) || !text.Any(char.IsLetterOrDigit);
        }
        var words = new List<int[]>();
        foreach (string w in stopWords ?? EnglishStopWords)
        {
            words.Add([.. tokenizer.Encode(w)]);
            if (gpt2) words.Add([.. tokenizer.Encode(" " + w)]);
        }
        return new PropWordRules(continuation, excluded, words);
    }

    /// <summary>Whether <paramref name="id"/> continues the previous word.</summary>
    public bool IsContinuation(int id) => _continuation is not null && (uint)id < (uint)_continuation.Length && _continuation[id];

    /// <summary>Whether a word (id sequence) counts in the document language model.</summary>
    public bool Counts(int[] word) =>
        word.Length > 0 && !(_excluded is not null && (uint)word[0] < (uint)_excluded.Length && _excluded[word[0]]) && !_stopWords.Contains(word);

    /// <summary>Splits ids into words (start index, length): a word starts at 0 and at every non-continuation id.</summary>
    public IEnumerable<(int Start, int Length)> Words(int[] ids)
    {
        int start = 0;
        for (int i = 1; i <= ids.Length; i++)
        {
            if (i < ids.Length && IsContinuation(ids[i])) continue;
            if (i > start) yield return (start, i - start);
            start = i;
        }
    }
}

/// <summary>Structural equality of id sequences (word keys).</summary>
internal sealed class WordComparer : IEqualityComparer<int[]>
{
    public static readonly WordComparer Instance = new();

    public bool Equals(int[]? x, int[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(int[] obj)
    {
        var h = new HashCode();
        foreach (int id in obj) h.Add(id);
        return h.ToHashCode();
    }
}
