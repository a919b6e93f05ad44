using System.Buffers.Binary;

namespace OnnxPretrain.Data;

/// <summary>
/// Writes a token shard (format in <see cref="TokenShard"/>) incrementally: <see cref="BeginDocument"/>,
/// <see cref="BeginParagraph"/>, <see cref="AddSentence"/> …, then <see cref="Complete"/>. Data goes to a temporary
/// file that replaces <c>path</c> only on <see cref="Complete"/>, so an interrupted write never leaves a partial shard.
/// Not thread-safe.
/// </summary>
internal sealed class TokenShardWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly int _vocabSize;
    private readonly byte[] _tokenizerFingerprint;
    private readonly byte[] _corpusFingerprint;
    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly List<long> _documentStarts = [];
    private readonly List<long> _paragraphStarts = [];
    private readonly List<long> _sentenceStarts = [];
    private int _buffered;
    private long _tokenCount;
    private bool _done;

    private TokenShardWriter(string path, int vocabSize, byte[] tokenizerFingerprint, byte[] corpusFingerprint)
    {
        _path = Path.GetFullPath(path);
        _vocabSize = vocabSize;
        _tokenizerFingerprint = tokenizerFingerprint;
        _corpusFingerprint = corpusFingerprint;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _tempPath = $"{_path}.tmp-{Guid.NewGuid():N}";
        _stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        _stream.Write(new byte[ShardFormat.HeaderSize]);
    }

    /// <summary>Starts writing a shard to <paramref name="path"/>.</summary>
    /// <param name="path">Shard file to create or replace.</param>
    /// <param name="vocabSize">Ids must be in [0, vocabSize).</param>
    /// <param name="tokenizerFingerprint">64 hex characters (SHA-256), e.g. <see cref="TextTokenizer.Fingerprint"/>.</param>
    /// <param name="corpusFingerprint">64 hex characters (SHA-256), e.g. <see cref="CorpusFingerprint.Compute"/>.</param>
    /// <exception cref="ArgumentException">Bad path or fingerprint (the message shows the value).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabSize"/> ≤ 0.</exception>
    public static TokenShardWriter Create(string path, int vocabSize, string tokenizerFingerprint, string corpusFingerprint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        return new TokenShardWriter(path, vocabSize, ParseHash(tokenizerFingerprint, nameof(tokenizerFingerprint)),
            ParseHash(corpusFingerprint, nameof(corpusFingerprint)));
    }

    /// <summary>Starts a new document.</summary>
    public void BeginDocument()
    {
        ThrowIfDone();
        _documentStarts.Add(_paragraphStarts.Count);
    }

    /// <summary>Starts a new paragraph in the current document.</summary>
    /// <exception cref="InvalidOperationException">No document was begun.</exception>
    public void BeginParagraph()
    {
        ThrowIfDone();
        if (_documentStarts.Count == 0)
        {
            throw new InvalidOperationException("BeginParagraph needs a BeginDocument first.");
        }
        _paragraphStarts.Add(_sentenceStarts.Count);
    }

    /// <summary>Appends a sentence's ids (no specials) to the current paragraph.</summary>
    /// <exception cref="InvalidOperationException">No paragraph was begun.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, vocabSize) (names position and value).</exception>
    public void AddSentence(ReadOnlySpan<int> ids)
    {
        ThrowIfDone();
        if (_paragraphStarts.Count == 0)
        {
            throw new InvalidOperationException("AddSentence needs a BeginParagraph first.");
        }
        _sentenceStarts.Add(_tokenCount);
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)_vocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i],
                    $"Sentence {_sentenceStarts.Count - 1}, position {i}: id {ids[i]} is outside [0, {_vocabSize}).");
            }
            if (_buffered + 4 > _buffer.Length)
            {
                Flush();
            }
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_buffered), ids[i]);
            _buffered += 4;
        }
        _tokenCount += ids.Length;
    }

    /// <summary>Writes indexes and header and moves the file into place.</summary>
    /// <returns>The shard's path.</returns>
    public string Complete()
    {
        ThrowIfDone();
        Flush();
        var layout = ShardFormat.Layout(_tokenCount, _documentStarts.Count, _paragraphStarts.Count, _sentenceStarts.Count);
        _stream.Write(new byte[layout.Documents - _stream.Position]);
        WriteIndex(_documentStarts, _paragraphStarts.Count);
        WriteIndex(_paragraphStarts, _sentenceStarts.Count);
        WriteIndex(_sentenceStarts, _tokenCount);
        WriteHeader(layout);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_tempPath, _path, overwrite: true);
        _done = true;
        return _path;
    }

    /// <summary>Discards an incomplete shard.</summary>
    public void Dispose()
    {
        if (!_done)
        {
            _done = true;
            _stream.Dispose();
            File.Delete(_tempPath);
        }
    }

    private void WriteIndex(List<long> starts, long end)
    {
        foreach (long s in starts)
        {
            WriteInt64(s);
        }
        WriteInt64(end);
        Flush();
    }

    private void WriteInt64(long value)
    {
        if (_buffered + 8 > _buffer.Length)
        {
            Flush();
        }
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_buffered), value);
        _buffered += 8;
    }

    private void WriteHeader((long Tokens, long Documents, long Paragraphs, long Sentences, long FileLength) layout)
    {
        Span<byte> h = stackalloc byte[ShardFormat.HeaderSize];
        h.Clear();
        ShardFormat.Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[ShardFormat.VersionOffset..], ShardFormat.Version);
        BinaryPrimitives.WriteInt32LittleEndian(h[ShardFormat.HeaderSizeOffset..], ShardFormat.HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(h[ShardFormat.VocabSizeOffset..], _vocabSize);
        ShardFormat.WriteInt64(h, ShardFormat.TokenCountOffset, _tokenCount);
        ShardFormat.WriteInt64(h, ShardFormat.DocumentCountOffset, _documentStarts.Count);
        ShardFormat.WriteInt64(h, ShardFormat.ParagraphCountOffset, _paragraphStarts.Count);
        ShardFormat.WriteInt64(h, ShardFormat.SentenceCountOffset, _sentenceStarts.Count);
        ShardFormat.WriteInt64(h, ShardFormat.TokensAtOffset, layout.Tokens);
        ShardFormat.WriteInt64(h, ShardFormat.DocumentIndexAtOffset, layout.Documents);
        ShardFormat.WriteInt64(h, ShardFormat.ParagraphIndexAtOffset, layout.Paragraphs);
        ShardFormat.WriteInt64(h, ShardFormat.SentenceIndexAtOffset, layout.Sentences);
        _tokenizerFingerprint.CopyTo(h[ShardFormat.TokenizerFingerprintOffset..]);
        _corpusFingerprint.CopyTo(h[ShardFormat.CorpusFingerprintOffset..]);
        ShardFormat.WriteInt64(h, ShardFormat.FileLengthOffset, layout.FileLength);
        _stream.Position = 0;
        _stream.Write(h);
    }

    private void Flush()
    {
        _stream.Write(_buffer, 0, _buffered);
        _buffered = 0;
    }

    private void ThrowIfDone() => ObjectDisposedException.ThrowIf(_done, this);

    private static byte[] ParseHash(string hex, string name)
    {
        if (hex is null || hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"{name} must be 64 hex characters (SHA-256), got '{hex}'.", name);
        }
        return Convert.FromHexString(hex);
    }
}
