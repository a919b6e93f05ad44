using System.IO.MemoryMappedFiles;

namespace OnnxPretrain.Data;

/// <summary>
/// A read-only, memory-mapped token shard: int32 token ids plus document/paragraph/sentence boundaries and a header
/// with magic, version, vocabulary size, counts and the tokenizer and corpus fingerprints (layout below; written by
/// <see cref="TokenShardWriter"/>). <see cref="Open"/> validates the whole file — header fields, section offsets,
/// file length, monotone boundary indexes and every id against the vocabulary size — and names the file and byte
/// offset of the first problem. Spans returned stay valid until <see cref="Dispose"/>. Thread-safe for reading.
/// <para>Layout v1 (little-endian): 0 magic <c>OPSHARD\0</c>; 8 int32 version; 12 int32 header size (160); 16 int32
/// vocab size; 24/32/40/48 int64 token/document/paragraph/sentence counts; 56/64/72/80 int64 byte offsets of the
/// tokens, document index, paragraph index and sentence index; 88 SHA-256 tokenizer fingerprint; 120 SHA-256 corpus
/// fingerprint; 152 int64 file length; 160 tokens (int32), padding to 8, then the indexes (int64, count + 1 entries
/// each: a document's first paragraph, a paragraph's first sentence, a sentence's first token).</para>
/// </summary>
public sealed unsafe partial class TokenShard : ITokenizedCorpus, IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly int* _tokens;
    private readonly long* _documentIndex;
    private readonly long* _paragraphIndex;
    private readonly long* _sentenceIndex;
    private bool _disposed;

    /// <summary>Path of the shard file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public long TokenCount { get; }

    /// <inheritdoc/>
    public int DocumentCount { get; }

    /// <inheritdoc/>
    public int ParagraphCount { get; }

    /// <inheritdoc/>
    public int SentenceCount { get; }

    /// <summary>Tokenizer fingerprint stored in the header (lower-case hex SHA-256).</summary>
    public string TokenizerFingerprint { get; }

    /// <summary>Corpus fingerprint stored in the header (lower-case hex SHA-256).</summary>
    public string CorpusFingerprint { get; }

    /// <inheritdoc/>
    public IndexRange GetDocumentParagraphs(int document)
    {
        CheckIndex(document, DocumentCount, nameof(document));
        return Range(_documentIndex, document);
    }

    /// <inheritdoc/>
    public IndexRange GetParagraphSentences(int paragraph)
    {
        CheckIndex(paragraph, ParagraphCount, nameof(paragraph));
        return Range(_paragraphIndex, paragraph);
    }

    /// <inheritdoc/>
    public IndexRange GetDocumentSentences(int document)
    {
        IndexRange paragraphs = GetDocumentParagraphs(document);
        int start = (int)_paragraphIndex[paragraphs.Start];
        return new IndexRange(start, (int)_paragraphIndex[paragraphs.End] - start);
    }

    /// <inheritdoc/>
    public ReadOnlySpan<int> GetSentence(int sentence)
    {
        CheckIndex(sentence, SentenceCount, nameof(sentence));
        long start = _sentenceIndex[sentence];
        return new ReadOnlySpan<int>(_tokens + start, checked((int)(_sentenceIndex[sentence + 1] - start)));
    }

    /// <summary>Token ids [start, start + count) of the whole token stream.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside [0, TokenCount).</exception>
    public ReadOnlySpan<int> GetTokens(long start, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (start < 0 || count < 0 || start + count > TokenCount)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Token range [{start}, {start + count}) is outside [0, {TokenCount}).");
        }
        return new ReadOnlySpan<int>(_tokens + start, count);
    }

    /// <summary>Unmaps the file; spans obtained earlier must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private IndexRange Range(long* index, int i) => new((int)index[i], (int)(index[i + 1] - index[i]));

    private void CheckIndex(int value, int count, string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)value >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} {value} is outside [0, {count}) in shard '{Path}'.");
        }
    }
}
