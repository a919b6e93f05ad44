using System.Buffers.Binary;

namespace OnnxPretrain.Data;

/// <summary>
/// Token shard file layout, version 1 (all integers little-endian):
/// <code>
/// offset size  field
///   0     8    magic "OPSHARD\0"
///   8     4    int32 version (1)
///  12     4    int32 header size (160)
///  16     4    int32 vocabulary size
///  20     4    int32 reserved (0)
///  24     8    int64 token count N
///  32     8    int64 document count D
///  40     8    int64 paragraph count P
///  48     8    int64 sentence count S
///  56     8    int64 byte offset of tokens            (= 160)
///  64     8    int64 byte offset of document index   (D + 1 int64 paragraph starts)
///  72     8    int64 byte offset of paragraph index  (P + 1 int64 sentence starts)
///  80     8    int64 byte offset of sentence index   (S + 1 int64 token starts)
///  88    32    tokenizer fingerprint (SHA-256)
/// 120    32    corpus fingerprint (SHA-256)
/// 152     8    int64 total file length
/// 160          tokens: N int32, then zero padding to a multiple of 8, then the three indexes
/// </code>
/// Each index starts at 0, never decreases and ends at the next level's count.
/// </summary>
internal static class ShardFormat
{
    public const int HeaderSize = 160;
    public const int Version = 1;
    public static ReadOnlySpan<byte> Magic => "OPSHARD\0"u8;

    public const int VersionOffset = 8, HeaderSizeOffset = 12, VocabSizeOffset = 16;
    public const int TokenCountOffset = 24, DocumentCountOffset = 32, ParagraphCountOffset = 40, SentenceCountOffset = 48;
    public const int TokensAtOffset = 56, DocumentIndexAtOffset = 64, ParagraphIndexAtOffset = 72, SentenceIndexAtOffset = 80;
    public const int TokenizerFingerprintOffset = 88, CorpusFingerprintOffset = 120, FileLengthOffset = 152;

    /// <summary>Byte layout derived from the counts.</summary>
    public static (long Tokens, long Documents, long Paragraphs, long Sentences, long FileLength) Layout(
        long tokens, long documents, long paragraphs, long sentences)
    {
        long tokensAt = HeaderSize;
        long docsAt = Align8(tokensAt + (4 * tokens));
        long parasAt = docsAt + (8 * (documents + 1));
        long sentsAt = parasAt + (8 * (paragraphs + 1));
        long end = sentsAt + (8 * (sentences + 1));
        return (tokensAt, docsAt, parasAt, sentsAt, end);
    }

    public static long Align8(long value) => (value + 7) & ~7L;

    public static void WriteInt64(Span<byte> header, int offset, long value) =>
        BinaryPrimitives.WriteInt64LittleEndian(header[offset..], value);

    public static long ReadInt64(ReadOnlySpan<byte> header, int offset) =>
        BinaryPrimitives.ReadInt64LittleEndian(header[offset..]);

    public static int ReadInt32(ReadOnlySpan<byte> header, int offset) =>
        BinaryPrimitives.ReadInt32LittleEndian(header[offset..]);
}
