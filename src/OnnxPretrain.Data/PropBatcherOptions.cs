namespace OnnxPretrain.Data;

/// <summary>
/// Options of <see cref="PropBatcher"/>: PROP's representative words prediction (ROP; Ma et al., "PROP: Pre-training
/// with Representative Words Prediction for Ad-hoc Retrieval", WSDM 2021, §3–4) trained jointly with BERT's masked LM
/// (Devlin et al. 2019, §3.1; the masking fields mean what they mean in <see cref="MlmBatcherOptions"/>).
/// Defaults follow the paper: word-set lengths ~ Poisson(λ = 3), 10 sets sampled per document, 4 pairs used per document.
/// </summary>
public sealed record PropBatcherOptions
{
    /// <summary>T, tokens per row; rows are <c>[CLS] set [SEP] passage [SEP]</c> padded to T. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed; with the step index it fixes every draw (passages, sets, pairs, masks). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Word sets sampled per document (passage), among which the pairs are chosen; &gt;= 2. Default 10 (paper).</summary>
    public int SetsPerDocument { get; init; } = 10;

    /// <summary>Pairs of sets used per document (consecutive pair rows share the document); in [1, S·(S−1)/2]. Default 4 (paper).</summary>
    public int PairsPerDocument { get; init; } = 4;

    /// <summary>λ of the Poisson distribution of the set length in words (zero draws are redrawn); in (0, 50]. Default 3 (paper).</summary>
    public double PoissonLambda { get; init; } = 3;

    /// <summary>Token budget of the word set; the passage budget is T − 3 − this. In [1, T − 4]. Default 16.</summary>
    public int MaxSetTokens { get; init; } = 16;

    /// <summary>MLM: probability that each passage token is selected; in (0, 1]. Default 0.15.</summary>
    public double MaskProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>MLM: fraction of selected tokens replaced by [MASK]; in [0, 1]. Default 0.8.</summary>
    public double MaskTokenFraction { get; init; } = 0.8;

    /// <summary>MLM: fraction of selected tokens replaced by a uniform replaceable id; MaskTokenFraction + this &lt;= 1. Default 0.1.</summary>
    public double RandomTokenFraction { get; init; } = 0.1;

    /// <summary>Token budget of a passage: T − 3 − <see cref="MaxSetTokens"/>.</summary>
    public int PassageTokens => SequenceLength - 3 - MaxSetTokens;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public PropBatcherOptions Validate()
    {
        const string type = nameof(PropBatcherOptions);
        if (SetsPerDocument < 2) throw BatcherValidation.Invalid(type, nameof(SetsPerDocument), SetsPerDocument, "must be >= 2 (a pair needs two sets)");
        int maxPairs = SetsPerDocument * (SetsPerDocument - 1) / 2;
        if (PairsPerDocument < 1 || PairsPerDocument > maxPairs)
            throw BatcherValidation.Invalid(type, nameof(PairsPerDocument), PairsPerDocument, $"must be in [1, {maxPairs}] (pairs of {SetsPerDocument} sets)");
        if (!(PoissonLambda > 0 && PoissonLambda <= 50)) throw BatcherValidation.Invalid(type, nameof(PoissonLambda), PoissonLambda, "must be in (0, 50]");
        if (MaxSetTokens < 1) throw BatcherValidation.Invalid(type, nameof(MaxSetTokens), MaxSetTokens, "must be >= 1");
        if (SequenceLength < MaxSetTokens + 4)
            throw BatcherValidation.Invalid(type, nameof(SequenceLength), SequenceLength, $"must be >= MaxSetTokens + 4 = {MaxSetTokens + 4} (specials + one passage token)");
        BatcherValidation.Probability(type, nameof(MaskProbability), MaskProbability);
        BatcherValidation.Fraction(type, nameof(MaskTokenFraction), MaskTokenFraction);
        BatcherValidation.Fraction(type, nameof(RandomTokenFraction), RandomTokenFraction);
        if (MaskTokenFraction + RandomTokenFraction > 1 + 1e-12)
            throw BatcherValidation.Invalid(type, nameof(RandomTokenFraction), RandomTokenFraction, $"plus MaskTokenFraction ({MaskTokenFraction}) must be <= 1");
        return this;
    }
}

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
