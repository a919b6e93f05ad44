using System.IO.MemoryMappedFiles;

namespace OnnxPretrain.Data;

public sealed unsafe partial class TokenShard
{
    private TokenShard(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePtr, ShardHeader header)
    {
        Path = path;
        _file = file;
        _view = view;
        VocabSize = header.VocabSize;
        TokenCount = header.TokenCount;
        DocumentCount = (int)header.DocumentCount;
        ParagraphCount = (int)header.ParagraphCount;
        SentenceCount = (int)header.SentenceCount;
        TokenizerFingerprint = header.TokenizerFingerprint;
        CorpusFingerprint = header.CorpusFingerprint;
        _tokens = (int*)(basePtr + header.TokensAt);
        _documentIndex = (long*)(basePtr + header.DocumentIndexAt);
        _paragraphIndex = (long*)(basePtr + header.ParagraphIndexAt);
        _sentenceIndex = (long*)(basePtr + header.SentenceIndexAt);
    }

    /// <summary>Maps and validates a shard file.</summary>
    /// <param name="path">Shard file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorpusFormatException">The file is not a valid v1 shard; the message names the file, the byte
    /// offset, the value found and what was expected.</exception>
    /// <exception cref="PlatformNotSupportedException">A big-endian machine.</exception>
    public static TokenShard Open(string path)
    {
        string full = CheckFile(path, out long length);
        var file = MemoryMappedFile.CreateFromFile(full, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* ptr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            acquired = true;
            ptr += view.PointerOffset;
            ShardHeader header = ShardHeader.Parse(full, new ReadOnlySpan<byte>(ptr, ShardFormat.HeaderSize), length);
            ShardValidator.Validate(full, ptr, header);
            return new TokenShard(full, file, view, ptr, header);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static string CheckFile(string path, out long length)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Token shards are little-endian and are mapped directly; this machine is big-endian.");
        }
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Token shard '{full}' does not exist.", full);
        }
        length = new FileInfo(full).Length;
        if (length < ShardFormat.HeaderSize)
        {
            throw new CorpusFormatException(full, length, null, $"file is {length} bytes, shorter than the {ShardFormat.HeaderSize}-byte token shard header.");
        }
        return full;
    }
}
