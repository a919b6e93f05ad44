using System.Text;
using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

/// <summary>A temporary folder for fixtures, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("onnxpretrain-data-tests-").FullName;

    public string Path { get; }

    public string Write(string relative, string content) => WriteBytes(relative, new UTF8Encoding(false).GetBytes(content));

    public string WriteBytes(string relative, byte[] content)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Data that needs the cache or npm; tests using it are inconclusive when it cannot be had.</summary>
internal static class SharedData
{
    private static readonly Lazy<(string? Path, string? Error)> Vocab = new(() => Try(() => BertVocabulary.EnsureBertBaseUncased()));
    private static readonly Lazy<(CorpusSplit? Split, string? Error)> Corpus = new(() => Try(() => DefaultCorpus.Load()));
    private static readonly Lazy<TextTokenizer> Bert = new(() => TextTokenizer.CreateBert(BertVocabPath()));

    /// <summary>The cached bert-base-uncased vocab.txt, or Assert.Inconclusive.</summary>
    public static string BertVocabPath()
    {
        (string? path, string? error) = Vocab.Value;
        if (path is null)
        {
            Assert.Inconclusive($"bert-base-uncased vocab is not cached and npm could not fetch it (offline or no Node.js/npm): {error}");
        }
        return path!;
    }

    /// <summary>The bert-base-uncased tokenizer, or Assert.Inconclusive.</summary>
    public static TextTokenizer BertBaseUncased()
    {
        _ = BertVocabPath();
        return Bert.Value;
    }

    /// <summary>The default corpus, or Assert.Inconclusive.</summary>
    public static CorpusSplit DefaultCorpusSplit()
    {
        (CorpusSplit? split, string? error) = Corpus.Value;
        if (split is null)
        {
            Assert.Inconclusive($"The default corpus is not cached and npm could not fetch it (offline or no Node.js/npm): {error}");
        }
        return split!;
    }

    private static (T? Value, string? Error) Try<T>(Func<T> load)
        where T : class
    {
        try
        {
            return (load(), null);
        }
        catch (NpmFetchException e)
        {
            return (null, e.Message);
        }
    }
}
