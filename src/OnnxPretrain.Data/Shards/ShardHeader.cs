using System.Text;

namespace OnnxPretrain.Data;

/// <summary>Parsed and checked header of a v1 token shard (see <see cref="TokenShard"/>).</summary>
internal sealed record ShardHeader(
    int VocabSize, long TokenCount, long DocumentCount, long ParagraphCount, long SentenceCount,
    long TokensAt, long DocumentIndexAt, long ParagraphIndexAt, long SentenceIndexAt,
    string TokenizerFingerprint, string CorpusFingerprint)
{
    /// <summary>Parses <paramref name="h"/> (the first 160 bytes) of a file of <paramref name="fileLength"/> bytes.</summary>
    /// <exception cref="CorpusFormatException">A field is wrong (names file, byte offset, value and expectation).</exception>
    public static ShardHeader Parse(string path, ReadOnlySpan<byte> h, long fileLength)
    {
        if (!h[..8].SequenceEqual(ShardFormat.Magic))
        {
            throw Error(path, 0, $"magic is '{Printable(h[..8])}', expected 'OPSHARD\\0': not a token shard.");
        }
        int version = ShardFormat.ReadInt32(h, ShardFormat.VersionOffset);
        Expect(path, ShardFormat.VersionOffset, version, ShardFormat.Version, "format version (this reader supports only 1)");
        Expect(path, ShardFormat.HeaderSizeOffset, ShardFormat.ReadInt32(h, ShardFormat.HeaderSizeOffset), ShardFormat.HeaderSize, "header size");
        int vocab = ShardFormat.ReadInt32(h, ShardFormat.VocabSizeOffset);
        if (vocab <= 0)
        {
            throw Error(path, ShardFormat.VocabSizeOffset, $"vocabulary size is {vocab}, expected a positive number.");
        }
        long tokens = Count(path, h, ShardFormat.TokenCountOffset, long.MaxValue / 8);
        long docs = Count(path, h, ShardFormat.DocumentCountOffset, int.MaxValue - 1);
        long paras = Count(path, h, ShardFormat.ParagraphCountOffset, int.MaxValue - 1);
        long sents = Count(path, h, ShardFormat.SentenceCountOffset, int.MaxValue - 1);
        var layout = ShardFormat.Layout(tokens, docs, paras, sents);
        Expect(path, ShardFormat.TokensAtOffset, ShardFormat.ReadInt64(h, ShardFormat.TokensAtOffset), layout.Tokens, "token section offset");
        Expect(path, ShardFormat.DocumentIndexAtOffset, ShardFormat.ReadInt64(h, ShardFormat.DocumentIndexAtOffset), layout.Documents, "document index offset");
        Expect(path, ShardFormat.ParagraphIndexAtOffset, ShardFormat.ReadInt64(h, ShardFormat.ParagraphIndexAtOffset), layout.Paragraphs,
            "paragraph index offset");
        Expect(path, ShardFormat.SentenceIndexAtOffset, ShardFormat.ReadInt64(h, ShardFormat.SentenceIndexAtOffset), layout.Sentences, "sentence index offset");
        long recorded = ShardFormat.ReadInt64(h, ShardFormat.FileLengthOffset);
        Expect(path, ShardFormat.FileLengthOffset, recorded, layout.FileLength, "file length implied by the counts");
        if (fileLength != recorded)
        {
            throw Error(path, Math.Min(fileLength, recorded), $"file is {fileLength} bytes but its header says {recorded}: truncated or appended to.");
        }
        return new ShardHeader(vocab, tokens, docs, paras, sents, layout.Tokens, layout.Documents, layout.Paragraphs,
            layout.Sentences, Hex(h, ShardFormat.TokenizerFingerprintOffset), Hex(h, ShardFormat.CorpusFingerprintOffset));
    }

    private static long Count(string path, ReadOnlySpan<byte> h, int offset, long max)
    {
        long value = ShardFormat.ReadInt64(h, offset);
        return value >= 0 && value <= max ? value : throw Error(path, offset, $"count is {value}, expected 0…{max}.");
    }

    private static void Expect(string path, int offset, long actual, long expected, string what)
    {
        if (actual != expected)
        {
            throw Error(path, offset, $"{what} is {actual}, expected {expected}.");
        }
    }

    private static string Hex(ReadOnlySpan<byte> h, int offset) => Convert.ToHexStringLower(h.Slice(offset, 32));

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (byte b in bytes)
        {
            sb.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        }
        return sb.ToString();
    }

    private static CorpusFormatException Error(string path, long offset, string detail) => new(path, offset, null, detail);
}

/// <summary>Checks a mapped shard's indexes and ids (see <see cref="TokenShard.Open"/>).</summary>
internal static unsafe class ShardValidator
{
    public static void Validate(string path, byte* basePtr, ShardHeader h)
    {
        CheckIndex(path, basePtr, h.DocumentIndexAt, h.DocumentCount, h.ParagraphCount, "document index (paragraph starts)");
        CheckIndex(path, basePtr, h.ParagraphIndexAt, h.ParagraphCount, h.SentenceCount, "paragraph index (sentence starts)");
        CheckIndex(path, basePtr, h.SentenceIndexAt, h.SentenceCount, h.TokenCount, "sentence index (token starts)");
        var tokens = (int*)(basePtr + h.TokensAt);
        for (long i = 0; i < h.TokenCount; i++)
        {
            if ((uint)tokens[i] >= (uint)h.VocabSize)
            {
                throw new CorpusFormatException(path, h.TokensAt + (4 * i), null,
                    $"token {i} has id {tokens[i]}, expected an id in [0, {h.VocabSize}).");
            }
        }
    }

    private static void CheckIndex(string path, byte* basePtr, long at, long count, long end, string what)
    {
        var index = (long*)(basePtr + at);
        long previous = 0;
        for (long i = 0; i <= count; i++)
        {
            long value = index[i];
            bool ok = i == 0 ? value == 0 : value >= previous && value <= end;
            if (!ok || (i == count && value != end))
            {
                string expected = i == 0 ? "0" : i == count ? $"{end}" : $"{previous}…{end}";
                throw new CorpusFormatException(path, at + (8 * i), null, $"{what} entry {i} is {value}, expected {expected}.");
            }
            previous = value;
        }
    }
}
