namespace OnnxPretrain.Evaluation.Tests;

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("onnxpretrain-eval-").FullName;

    public string File(string name, string content)
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Metrics of one fixed ranking (no tie handling): the reference the tie-aware formulas are checked against.</summary>
internal static class StrictMetrics
{
    /// <summary>Orders by score, descending, breaking ties by input order (a stable sort).</summary>
    public static bool[] Rank(IReadOnlyList<ScoredCandidate> c) =>
        c.Select((x, i) => (x, i)).OrderByDescending(t => t.x.Score).ThenBy(t => t.i).Select(t => t.x.IsPositive).ToArray();

    public static double AveragePrecision(bool[] ranked)
    {
        int hits = 0;
        double sum = 0;
        for (int r = 0; r < ranked.Length; r++)
        {
            if (!ranked[r]) continue;
            hits++;
            sum += (double)hits / (r + 1);
        }
        return hits == 0 ? 0 : sum / hits;
    }

    public static double ReciprocalRank(bool[] ranked)
    {
        int first = Array.IndexOf(ranked, true);
        return first < 0 ? 0 : 1.0 / (first + 1);
    }

    public static double HitRate(bool[] ranked, int k) => ranked.Take(k).Any(x => x) ? 1 : 0;

    /// <summary>Means of the strict metrics over queries with a positive, ties broken by input order.</summary>
    public static (double P1, double Map, double Mrr, double Hr5) InputOrder(IEnumerable<IReadOnlyList<ScoredCandidate>> queries)
    {
        var ranked = queries.Where(q => q.Any(c => c.IsPositive)).Select(Rank).ToList();
        return (ranked.Average(r => HitRate(r, 1)), ranked.Average(AveragePrecision), ranked.Average(ReciprocalRank), ranked.Average(r => HitRate(r, 5)));
    }
}

/// <summary>Locates the shared WikiQA data (../shared/data/as2/wikiqa relative to the repository root).</summary>
internal static class WikiQa
{
    public static string Dir
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (System.IO.File.Exists(System.IO.Path.Combine(d.FullName, "OnnxPretrain.sln")))
                {
                    return System.IO.Path.GetFullPath(System.IO.Path.Combine(d.FullName, "..", "shared", "data", "as2", "wikiqa"));
                }
            }
            return System.IO.Path.GetFullPath(System.IO.Path.Combine("..", "shared", "data", "as2", "wikiqa"));
        }
    }

    /// <summary>The split's path, or Assert.Inconclusive naming the path when the shared data is absent.</summary>
    public static string Split(string split)
    {
        string path = As2Data.SplitPath(Dir, split);
        if (!System.IO.File.Exists(path)) Assert.Inconclusive($"WikiQA split not found at {path}; the shared data (../shared/data/as2/wikiqa) is absent.");
        return path;
    }
}
