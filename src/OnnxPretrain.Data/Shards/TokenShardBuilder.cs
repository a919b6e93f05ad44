using System.Diagnostics;

namespace OnnxPretrain.Data;

/// <summary>Counts and speed of building (or reusing) a token shard.</summary>
/// <param name="Documents">Documents in the shard.</param>
/// <param name="Paragraphs">Paragraphs in the shard.</param>
/// <param name="Sentences">Sentences in the shard.</param>
/// <param name="Tokens">Token ids in the shard (no specials).</param>
/// <param name="Seconds">Wall-clock seconds spent tokenising and writing; 0 when reused.</param>
/// <param name="Reused">True when an existing shard with matching fingerprints was opened instead.</param>
public sealed record TokenizationStats(int Documents, int Paragraphs, int Sentences, long Tokens, double Seconds, bool Reused)
{
    /// <summary>Tokens per second of the build (tokenisation + writing); 0 when reused.</summary>
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
}

/// <summary>The shard and how it was obtained.</summary>
/// <param name="Shard">The opened shard; the caller disposes it.</param>
/// <param name="Stats">Counts and throughput.</param>
public sealed record TokenShardBuildResult(TokenShard Shard, TokenizationStats Stats);

/// <summary>
/// Tokenises a corpus once into a <see cref="TokenShard"/> file and reuses it on later runs: when the file exists
/// and its header's tokenizer fingerprint, corpus fingerprint (<see cref="CorpusFingerprint"/>) and vocabulary size
/// match, it is opened without tokenising; when they differ it is rebuilt; a corrupt file is an error.
/// </summary>
public static class TokenShardBuilder
{
    private const int BatchSize = 64;

    /// <summary>Opens <paramref name="path"/> if it matches, otherwise tokenises <paramref name="documents"/> into it.</summary>
    /// <param name="path">Shard file.</param>
    /// <param name="documents">Corpus, in order.</param>
    /// <param name="tokenizer">Tokenizer (<see cref="TextTokenizer.Encode"/> per sentence, no specials).</param>
    /// <param name="maxDegreeOfParallelism">Threads for tokenisation; -1 for all cores.</param>
    /// <exception cref="CorpusFormatException">An existing file is not a valid shard (delete it to rebuild).</exception>
    public static TokenShardBuildResult BuildOrOpen(string path, IReadOnlyList<Document> documents, TextTokenizer tokenizer, int maxDegreeOfParallelism = -1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 (all cores) or a positive thread count.");
        }
        string corpus = CorpusFingerprint.Compute(documents);
        if (File.Exists(path))
        {
            TokenShard existing = TokenShard.Open(path);
            if (existing.TokenizerFingerprint == tokenizer.Fingerprint && existing.CorpusFingerprint == corpus && existing.VocabSize == tokenizer.VocabSize)
            {
                return new TokenShardBuildResult(existing, StatsOf(existing, 0, reused: true));
            }
            existing.Dispose();
        }
        var watch = Stopwatch.StartNew();
        Write(path, documents, tokenizer, corpus, maxDegreeOfParallelism);
        double seconds = watch.Elapsed.TotalSeconds;
        TokenShard shard = TokenShard.Open(path);
        return new TokenShardBuildResult(shard, StatsOf(shard, seconds, reused: false));
    }

    private static void Write(string path, IReadOnlyList<Document> documents, TextTokenizer tokenizer, string corpus, int parallelism)
    {
        using TokenShardWriter writer = TokenShardWriter.Create(path, tokenizer.VocabSize, tokenizer.Fingerprint, corpus);
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
        var batch = new IReadOnlyList<int>[BatchSize][][];
        for (int start = 0; start < documents.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, documents.Count - start);
            Parallel.For(0, count, options, i => batch[i] = Tokenize(documents[start + i], tokenizer));
            for (int i = 0; i < count; i++)
            {
                WriteDocument(writer, batch[i]);
            }
        }
        writer.Complete();
    }

    private static IReadOnlyList<int>[][] Tokenize(Document document, TextTokenizer tokenizer) =>
        document.Paragraphs.Select(p => p.Sentences.Select(tokenizer.Encode).ToArray()).ToArray();

    private static void WriteDocument(TokenShardWriter writer, IReadOnlyList<int>[][] paragraphs)
    {
        writer.BeginDocument();
        foreach (IReadOnlyList<int>[] paragraph in paragraphs)
        {
            writer.BeginParagraph();
            foreach (IReadOnlyList<int> sentence in paragraph)
            {
                writer.AddSentence(sentence is List<int> list ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list) : sentence.ToArray());
            }
        }
    }

    private static TokenizationStats StatsOf(TokenShard shard, double seconds, bool reused) =>
        new(shard.DocumentCount, shard.ParagraphCount, shard.SentenceCount, shard.TokenCount, seconds, reused);
}
