using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace OnnxPretrain.Data;

/// <summary>BERT WordPiece behind <see cref="TextTokenizer"/>; see <see cref="TextTokenizer.CreateBert"/>.</summary>
internal sealed class BertTextTokenizer : TextTokenizer
{
    private const string RulesVersion = "bert-basic-wordpiece/v3;lower=1-final-sigma;strip=1;max=100-code-points;split-specials=0";

    /// <summary>Longest word WordPiece splits, in characters (code points, as the Rust tokenizers' <c>chars()</c>); longer words are [UNK].</summary>
    public const int MaxInputCharsPerWord = 100;

    private static readonly BertBasicNormalizer Normalizer = new(lowerCase: true, stripAccents: true);
    private readonly BertTokenizer _tokenizer, _wide;
    private readonly string[] _tokens;

    private BertTextTokenizer(BertTokenizer tokenizer, BertTokenizer wide, string[] tokens, SpecialTokens specials, string fingerprint)
    {
        _tokenizer = tokenizer;
        _wide = wide;
        _tokens = tokens;
        Specials = specials;
        Fingerprint = fingerprint;
    }

    public override string Name => "bert-wordpiece";

    public override SpecialTokens Specials { get; }

    public override string Fingerprint { get; }

    public static BertTextTokenizer Create(string vocabTxtPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabTxtPath);
        if (!File.Exists(vocabTxtPath))
        {
            throw new FileNotFoundException($"BERT vocabulary '{vocabTxtPath}' does not exist.", vocabTxtPath);
        }
        string[] tokens = ReadVocab(vocabTxtPath);
        SpecialTokens specials = FindSpecials(vocabTxtPath, tokens);
        BertOptions Options(int maxUtf16) => new()
        {
            LowerCaseBeforeTokenization = true,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = false,
            Normalizer = Normalizer,
            PreTokenizer = BertBasicPreTokenizer.Instance,
            UnknownToken = "[UNK]",
            ContinuingSubwordPrefix = "##",
            MaxInputCharsPerWord = maxUtf16,
        };
        BertTokenizer tokenizer = BertTokenizer.Create(vocabTxtPath, Options(MaxInputCharsPerWord));
        CheckLibraryIds(vocabTxtPath, tokenizer, specials);
        var wide = BertTokenizer.Create(vocabTxtPath, Options(2 * MaxInputCharsPerWord));
        return new BertTextTokenizer(tokenizer, wide, tokens, specials, ComputeFingerprint(vocabTxtPath));
    }

    /// <remarks>
    /// Microsoft.ML.Tokenizers measures <c>MaxInputCharsPerWord</c> in UTF-16 units, the reference tokenizers in code
    /// points; they differ only for words with characters beyond U+FFFF (emoji). Text with such characters is therefore
    /// encoded word by word: a word of more than 100 code points is [UNK], a shorter one goes through a WordPiece whose
    /// UTF-16 limit (200) cannot cut it.
    /// </remarks>
    public override IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF')) return _tokenizer.EncodeToIds(text, addSpecialTokens: false);
        string normalized = Normalizer.Normalize(text);
        var ids = new List<int>();
        foreach (var (offset, length) in BertBasicPreTokenizer.Instance.PreTokenize(normalized))
        {
            string word = normalized.Substring(offset, length);
            if (word.EnumerateRunes().Count() > MaxInputCharsPerWord) ids.Add(Specials.UnkId);
            else ids.AddRange(_wide.EncodeToIds(word, addSpecialTokens: false));
        }
        return ids;
    }

    public override string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int[] list = ids.ToArray();
        foreach (int id in list)
        {
            CheckId(id);
        }
        return _tokenizer.Decode(list, skipSpecialTokens);
    }

    public override string IdToToken(int id)
    {
        CheckId(id);
        return _tokens[id];
    }

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside [0, {_tokens.Length}).");
        }
    }

    private static string[] ReadVocab(string path)
    {
        var tokens = new List<string>(32768);
        foreach (TextLine line in Utf8LineReader.ReadLines(path))
        {
            if (line.Text.Length == 0 || line.Text.Trim().Length != line.Text.Length)
            {
                throw new CorpusFormatException(path, line.ByteOffset, line.LineNumber,
                    $"vocabulary line '{line.Text}' is empty or has surrounding whitespace; expected one token per line.");
            }
            tokens.Add(line.Text);
        }
        return tokens.ToArray();
    }

    private static SpecialTokens FindSpecials(string path, string[] tokens)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = tokens.Length - 1; i >= 0; i--)
        {
            index[tokens[i]] = i;
        }
        int Id(string token) => index.TryGetValue(token, out int id) ? id
            : throw new CorpusFormatException(path, null, null,
                $"vocabulary has no '{token}' line; a BERT vocabulary needs [PAD], [UNK], [CLS], [SEP] and [MASK].");
        int[] reserved = Enumerable.Range(0, tokens.Length)
            .Where(i => tokens[i].Length > 2 && tokens[i][0] == '[' && tokens[i][^1] == ']').ToArray();
        var specials = new SpecialTokens(tokens.Length, Id("[PAD]"), Id("[UNK]"), Id("[CLS]"), Id("[SEP]"), Id("[MASK]"), reserved);
        return SameAs(specials, SpecialTokens.BertBaseUncased) ? SpecialTokens.BertBaseUncased : specials;
    }

    private static bool SameAs(SpecialTokens a, SpecialTokens b) =>
        a with { NonReplaceableIds = b.NonReplaceableIds } == b && a.NonReplaceableIds.SequenceEqual(b.NonReplaceableIds);

    private static void CheckLibraryIds(string path, BertTokenizer tokenizer, SpecialTokens specials)
    {
        if (tokenizer.ClassificationTokenId != specials.ClsId || tokenizer.SeparatorTokenId != specials.SepId
            || tokenizer.PaddingTokenId != specials.PadId || tokenizer.MaskingTokenId != specials.MaskId
            || tokenizer.UnknownTokenId != specials.UnkId)
        {
            throw new CorpusFormatException(path, null, null,
                $"Microsoft.ML.Tokenizers read different special ids (CLS {tokenizer.ClassificationTokenId}, SEP " +
                    $"{tokenizer.SeparatorTokenId}) than the line numbers (CLS {specials.ClsId}, SEP {specials.SepId}); duplicate lines?");
        }
    }

    private static string ComputeFingerprint(string vocabPath)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(RulesVersion + "\n"));
        sha.AppendData(File.ReadAllBytes(vocabPath));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
