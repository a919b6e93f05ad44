namespace OnnxPretrain.Data;

/// <summary>
/// A corpus, vocabulary or shard file does not have the expected format. The message names the file, the
/// 1-based line (where the format has lines) and the 0-based byte offset, the value found and what was expected.
/// </summary>
public sealed class CorpusFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">File that is malformed.</param>
    /// <param name="byteOffset">0-based byte offset of the problem, or null when it is not one place.</param>
    /// <param name="lineNumber">1-based line of the problem, or null for binary formats.</param>
    /// <param name="detail">What was found and what was expected.</param>
    /// <param name="inner">Underlying exception, if any.</param>
    public CorpusFormatException(string filePath, long? byteOffset, long? lineNumber, string detail, Exception? inner = null)
        : base(Format(filePath, byteOffset, lineNumber, detail), inner)
    {
        FilePath = filePath;
        ByteOffset = byteOffset;
        LineNumber = lineNumber;
    }

    /// <summary>File that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>0-based byte offset of the problem, when known.</summary>
    public long? ByteOffset { get; }

    /// <summary>1-based line number of the problem, when the format has lines.</summary>
    public long? LineNumber { get; }

    private static string Format(string filePath, long? byteOffset, long? lineNumber, string detail)
    {
        string line = lineNumber is { } l ? $", line {l}" : "";
        string offset = byteOffset is { } o ? $", byte offset {o}" : "";
        return $"{filePath}{line}{offset}: {detail}";
    }
}
