using System.Diagnostics;
using System.Globalization;
using OnnxPretrain.Data;

namespace OnnxPretrain.Tools.BuildClusters;

/// <summary>
/// The <c>tools/build-clusters</c> command line (kept here so it is unit-tested; the tool only calls <see cref="Run"/>):
/// <code>
/// build-clusters --from-embeddings f.bin --vocab-size V --dim D [common options]
/// build-clusters --from-ids ids.txt --vocab-size V [--window 5] [--contexts 512] [common options]
/// common: --out clusters.txt (required) [--clusters 100] [--metric cosine|euclidean] [--seed 0] [--max-iterations 100]
/// </code>
/// <c>--from-embeddings</c> reads a raw little-endian float32 (V, D) matrix (<see cref="ClusterInputs.ReadEmbeddings"/>);
/// <c>--from-ids</c> reads one sequence of space-separated ids per line and clusters PPMI co-occurrence vectors
/// (<see cref="Cooccurrence"/>; unseen ids go to the last cluster, see <see cref="TokenClusterBuilder.FromCooccurrence"/>).
/// The output is a <see cref="TokenClusters"/> file.
/// </summary>
public static class BuildClustersCommand
{
    /// <summary>Usage text printed for <c>--help</c> and after a usage error.</summary>
    public const string Usage =
        "usage: build-clusters (--from-embeddings FILE --dim D | --from-ids FILE [--window 5] [--contexts 512])\n" +
        "                      --vocab-size V --out FILE [--clusters 100] [--metric cosine|euclidean] [--seed 0] [--max-iterations 100]\n";

    /// <summary>Parses the arguments, builds the clusters and writes the file.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="output">Progress and summary.</param>
    /// <param name="error">Error messages and usage.</param>
    /// <returns>0 on success, 1 when the input or output failed, 2 on a usage error.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            var named = Parse(args);
            if (named.ContainsKey("help"))
            {
                output.Write(Usage);
                return 0;
            }
            return Execute(named, output);
        }
        catch (FormatException e)
        {
            error.Write($"build-clusters: {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.Write($"build-clusters: {e.Message}\n");
            return 1;
        }
    }

    private static readonly HashSet<string> Known =
        ["from-embeddings", "from-ids", "vocab-size", "dim", "clusters", "out", "metric", "seed", "max-iterations", "window", "contexts"];

    private static Dictionary<string, string> Parse(string[] args)
    {
        var named = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h") return new() { ["help"] = "" };
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || !Known.Contains(args[i][2..]))
                throw new FormatException($"unknown argument '{args[i]}'.");
            if (i + 1 >= args.Length) throw new FormatException($"{args[i]} needs a value.");
            if (!named.TryAdd(args[i][2..], args[++i])) throw new FormatException($"{args[i - 1]} is given twice.");
        }
        if (named.ContainsKey("from-embeddings") == named.ContainsKey("from-ids"))
            throw new FormatException("give exactly one of --from-embeddings and --from-ids.");
        foreach (string required in (string[])["vocab-size", "out"])
            if (!named.ContainsKey(required)) throw new FormatException($"--{required} is required.");
        if (named.ContainsKey("from-embeddings") && !named.ContainsKey("dim")) throw new FormatException("--dim is required with --from-embeddings.");
        return named;
    }

    private static int Execute(Dictionary<string, string> named, TextWriter output)
    {
        int vocab = Int(named, "vocab-size", null);
        var options = new KMeansOptions
        {
            Clusters = Int(named, "clusters", 100),
            Seed = Long(named, "seed", 0),
            MaxIterations = Int(named, "max-iterations", 100),
            Metric = Metric(named.GetValueOrDefault("metric", "cosine")),
        }.Validate();
        var clock = Stopwatch.StartNew();
        TokenClusters clusters;
        if (named.TryGetValue("from-embeddings", out string? embeddings))
        {
            int dim = Int(named, "dim", null);
            clusters = TokenClusterBuilder.FromEmbeddings(ClusterInputs.ReadEmbeddings(embeddings, vocab, dim), vocab, dim, options);
        }
        else
        {
            var cooc = new CooccurrenceOptions { Window = Int(named, "window", 5), ContextSize = Int(named, "contexts", 512) };
            var features = Cooccurrence.Build(ClusterInputs.ReadIdSequences(named["from-ids"], vocab), vocab, cooc);
            output.Write($"co-occurrence: {features.Dimension} context ids, {Enumerable.Range(0, vocab).Count(features.IsSeen)} of {vocab} ids seen\n");
            clusters = TokenClusterBuilder.FromCooccurrence(features, options);
        }
        clusters.Save(named["out"]);
        int empty = Enumerable.Range(0, clusters.ClusterCount).Count(c => clusters.Members(c).Count == 0);
        output.Write($"wrote {named["out"]}: {clusters.VocabSize} ids in {clusters.ClusterCount} clusters ({empty} empty), " +
            $"{clock.Elapsed.TotalSeconds:F1} s\n");
        return 0;
    }

    private static int Int(Dictionary<string, string> named, string name, int? fallback)
    {
        if (!named.TryGetValue(name, out string? text)) return fallback ?? throw new FormatException($"--{name} is required.");
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new FormatException($"--{name} must be an integer, got '{text}'.");
        return value;
    }

    private static long Long(Dictionary<string, string> named, string name, long fallback)
    {
        if (!named.TryGetValue(name, out string? text)) return fallback;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw new FormatException($"--{name} must be an integer, got '{text}'.");
        return value;
    }

    private static KMeansMetric Metric(string text) => text switch
    {
        "cosine" => KMeansMetric.Cosine,
        "euclidean" => KMeansMetric.Euclidean,
        _ => throw new FormatException($"--metric must be cosine or euclidean, got '{text}'."),
    };
}
