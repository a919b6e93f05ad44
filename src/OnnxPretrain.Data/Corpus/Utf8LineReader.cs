using System.Buffers;
using System.Text.Unicode;

namespace OnnxPretrain.Data;

/// <summary>One decoded line of a UTF-8 text file.</summary>
/// <param name="Text">The line without its terminator (LF or CRLF).</param>
/// <param name="LineNumber">1-based line number.</param>
/// <param name="ByteOffset">0-based byte offset in the file of the line's first text byte (after a BOM).</param>
internal readonly record struct TextLine(string Text, long LineNumber, long ByteOffset);

/// <summary>
/// Streams the lines of a file as strict UTF-8 (RFC 3629): a leading BOM is skipped, LF and CRLF end lines,
/// the last line needs no terminator, and any invalid byte sequence is an error naming file, line and byte offset.
/// Lines of any length are supported (the buffer grows).
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private const int ChunkSize = 1 << 16;
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private byte[] _line = new byte[1024];
    private char[] _chars = new char[1024];
    private int _chunkPos;
    private int _chunkLen;
    private long _chunkStart;
    private long _lineNumber;
    private bool _eof;

    private Utf8LineReader(string path)
    {
        _path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    }

    /// <summary>All lines of <paramref name="path"/>; an empty file has none.</summary>
    /// <exception cref="CorpusFormatException">Invalid UTF-8 (names file, line and byte offset).</exception>
    public static IEnumerable<TextLine> ReadLines(string path)
    {
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out TextLine line))
        {
            yield return line;
        }
    }

    /// <summary>Whole file as one string, validated like <see cref="ReadLines"/> (line ends kept as LF).</summary>
    public static string ReadAllText(string path) => string.Join('\n', ReadLines(path).Select(l => l.Text));

    public void Dispose() => _stream.Dispose();

    private bool TryReadLine(out TextLine line)
    {
        line = default;
        int length = 0;
        long start = _chunkStart + _chunkPos;
        bool sawNewline = false;
        while (!sawNewline && Fill())
        {
            ReadOnlySpan<byte> rest = _chunk.AsSpan(_chunkPos, _chunkLen - _chunkPos);
            int nl = rest.IndexOf((byte)'\n');
            int take = nl < 0 ? rest.Length : nl;
            Append(rest[..take], ref length);
            _chunkPos += nl < 0 ? take : take + 1;
            sawNewline = nl >= 0;
        }
        if (!sawNewline && length == 0 && _eof)
        {
            return false;
        }
        _lineNumber++;
        string text = Decode(length, start, out int skipped);
        line = new TextLine(text, _lineNumber, start + skipped);
        return true;
    }

    private bool Fill()
    {
        if (_chunkPos < _chunkLen)
        {
            return true;
        }
        if (_eof)
        {
            return false;
        }
        _chunkStart += _chunkLen;
        _chunkLen = _stream.Read(_chunk, 0, _chunk.Length);
        _chunkPos = 0;
        _eof = _chunkLen == 0;
        return !_eof;
    }

    private void Append(ReadOnlySpan<byte> bytes, ref int length)
    {
        if (length + bytes.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_line.Length * 2, length + bytes.Length));
        }
        bytes.CopyTo(_line.AsSpan(length));
        length += bytes.Length;
    }

    private string Decode(int length, long start, out int skip)
    {
        ReadOnlySpan<byte> bytes = _line.AsSpan(0, length);
        skip = 0;
        if (start == 0 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            skip = 3;
        }
        if (bytes.Length > skip && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }
        bytes = bytes[skip..];
        if (_chars.Length < bytes.Length)
        {
            _chars = new char[Math.Max(_chars.Length * 2, bytes.Length)];
        }
        OperationStatus status = Utf8.ToUtf16(bytes, _chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            long offset = start + skip + read;
            throw new CorpusFormatException(_path, offset, _lineNumber,
                $"invalid UTF-8: byte 0x{bytes[read]:X2} does not start or continue a valid UTF-8 sequence; the file must be UTF-8 text.");
        }
        return new string(_chars, 0, written);
    }
}
