using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace OnnxPretrain.Data;

/// <summary>GPT-2 byte-level BPE behind <see cref="TextTokenizer"/>; see <see cref="TextTokenizer.CreateGpt2"/>.</summary>
internal sealed class Gpt2TextTokenizer : TextTokenizer
{
    private const int BaseVocabSize = 50257;
    private const int EndOfTextId = 50256;
    private static readonly string[] ExtraTokens = ["<s>", "</s>", "<pad>", "<mask>", "<unk>"];
    private static readonly Lazy<Gpt2TextTokenizer> Shared = new(() => new Gpt2TextTokenizer(TiktokenTokenizer.CreateForModel("gpt2")));
    private readonly TiktokenTokenizer _tokenizer;

    private Gpt2TextTokenizer(TiktokenTokenizer tokenizer)
    {
        _tokenizer = tokenizer;
        Specials = new SpecialTokens(BaseVocabSize + ExtraTokens.Length, PadId: 50259, UnkId: 50261, ClsId: 50257,
            SepId: 50258, MaskId: 50260, NonReplaceableIds: Enumerable.Range(EndOfTextId, ExtraTokens.Length + 1).ToArray());
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(
            Encoding.UTF8.GetBytes("gpt2-r50k-byte-bpe/v1;extras=" + string.Join(',', ExtraTokens))));
    }

    public override string Name => "gpt2";

    public override SpecialTokens Specials { get; }

    public override string Fingerprint { get; }

    public static Gpt2TextTokenizer Create() => Shared.Value;

    public override IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text);
    }

    public override string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            CheckId(id);
            bool special = id >= EndOfTextId;
            if (special)
            {
                sb.Append(_tokenizer.Decode(run));
                run.Clear();
                if (!skipSpecialTokens)
                {
                    sb.Append(IdToToken(id));
                }
            }
            else
            {
                run.Add(id);
            }
        }
        return sb.Append(_tokenizer.Decode(run)).ToString();
    }

    public override string IdToToken(int id)
    {
        CheckId(id);
        if (id == EndOfTextId)
        {
            return "<|endoftext|>";
        }
        return id > EndOfTextId ? ExtraTokens[id - BaseVocabSize] : _tokenizer.Decode([id]);
    }

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside [0, {VocabSize}).");
        }
    }
}
