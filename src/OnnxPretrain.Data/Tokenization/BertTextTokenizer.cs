using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace OnnxPretrain.Data;

/// <summary>BERT WordPiece behind <see cref="TextTokenizer"/>; see <see cref="TextTokenizer.CreateBert"/>.</summary>
internal sealed class BertTextTokenizer : TextTokenizer
{
    private const string RulesVersion = "bert-basic-wordpiece/v1;lower=1;strip=1;max=100;split-specials=0";
    private readonly BertTokenizer _tokenizer;
    private readonly string[] _tokens;

    private BertTextTokenizer(BertTokenizer tokenizer, string[] tokens, SpecialTokens specials, string fingerprint)
    {
        _tokenizer = tokenizer;
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
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = false,
            Normalizer = new BertBasicNormalizer(lowerCase: true, stripAccents: true),
            PreTokenizer = BertBasicPreTokenizer.Instance,
            UnknownToken = "[UNK]",
            ContinuingSubwordPrefix = "##",
            MaxInputCharsPerWord = 100,
        };
        BertTokenizer tokenizer = BertTokenizer.Create(vocabTxtPath, options);
        CheckLibraryIds(vocabTxtPath, tokenizer, specials);
        return new BertTextTokenizer(tokenizer, tokens, specials, ComputeFingerprint(vocabTxtPath));
    }

    public override IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text, addSpecialTokens: false);
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
            : throw new CorpusFormatException(path, null, null, $"vocabulary has no '{token}' line; a BERT vocabulary needs [PAD], [UNK], [CLS], [SEP] and [MASK].");
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
                $"Microsoft.ML.Tokenizers read different special ids (CLS {tokenizer.ClassificationTokenId}, SEP {tokenizer.SeparatorTokenId}) than the line numbers (CLS {specials.ClsId}, SEP {specials.SepId}); duplicate lines?");
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
