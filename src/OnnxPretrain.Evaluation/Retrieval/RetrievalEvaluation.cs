using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>Settings of one retrieval evaluation.</summary>
/// <param name="DataDir">BEIR folder.</param>
/// <param name="Split">Qrels split (<c>qrels/&lt;split&gt;.tsv</c>).</param>
/// <param name="Retriever"><c>bm25</c>, <c>dense</c>, <c>hybrid</c> or <c>rerank</c> (ignored when <paramref name="RunFile"/> is set).</param>
/// <param name="ModelDir">Exported model folder (feature extraction for dense and hybrid, sequence classification for rerank).</param>
/// <param name="RunFile">A TREC run file to score instead of running a retriever.</param>
/// <param name="TopK">Documents retrieved per query (≥ 100 for Recall@100/MAP@100 to be meaningful).</param>
/// <param name="Bm25">BM25 parameters (bm25 and the first stage of rerank).</param>
/// <param name="Encoder">Bi-encoder settings (dense); MaxLength and BatchSize also apply to the cross-encoder (rerank).</param>
/// <param name="RerankDepth">First-stage documents re-scored per query (rerank).</param>
/// <param name="Session">ONNX Runtime settings (dense).</param>
/// <param name="IgnoreIdenticalIds">Drop a retrieved document whose id equals the query's before scoring, as BEIR's
/// evaluation does by default (for collections whose queries are documents too); trec_eval keeps it, and so does the default here.</param>
/// <param name="RrfK">Reciprocal rank fusion's k (hybrid, and rerank over hybrid).</param>
/// <param name="FirstStage">What rerank re-scores: <c>bm25</c> or <c>hybrid</c> (with <paramref name="DenseModelDir"/>).</param>
/// <param name="DenseModelDir">The feature-extraction export of a hybrid first stage under rerank.</param>
public sealed record RetrievalEvalOptions(string DataDir, string Split = "test", string Retriever = "bm25", string? ModelDir = null, string? RunFile = null,
    int TopK = 100, Bm25Options? Bm25 = null, BiEncoderOptions? Encoder = null, int RerankDepth = RerankRetriever.DefaultDepth, SessionConfig? Session = null,
    bool IgnoreIdenticalIds = false, int RrfK = HybridRetriever.DefaultRrfK, string FirstStage = "bm25", string? DenseModelDir = null);

/// <summary>The outcome: scores, the run itself and timings.</summary>
/// <param name="Name">Retriever name (or the run file's name).</param>
/// <param name="Scores">Metrics.</param>
/// <param name="Run">Query id to retrieved documents.</param>
/// <param name="Timings">Timing fields (seconds, docs/s, ms per query).</param>
public sealed record RetrievalReport(string Name, RetrievalScores Scores, IReadOnlyDictionary<string, IReadOnlyList<ScoredDoc>> Run, JsonObject Timings)
{
    /// <summary>The metrics (rounded to 4 decimals, as trec_eval prints), per-query counts and timings.</summary>
    public JsonObject ToJson() => new()
    {
        ["retriever"] = Name,
        ["metrics"] = new JsonObject
        {
            ["ndcg@10"] = Math.Round(Scores.Ndcg10, 4), ["mrr@10"] = Math.Round(Scores.Mrr10, 4),
            ["recall@100"] = Math.Round(Scores.Recall100, 4), ["map@100"] = Math.Round(Scores.Map100, 4),
        },
        ["queries"] = new JsonObject
        {
            ["judged"] = Scores.PerQuery.Count, ["without_run"] = Scores.QueriesWithoutRun,
            ["without_relevant_in_top100"] = Scores.QueriesWithoutRelevantRetrieved,
            ["mean_retrieved"] = Math.Round(Scores.PerQuery.Values.Average(q => q.Retrieved), 2),
            ["mean_relevant"] = Math.Round(Scores.PerQuery.Values.Average(q => q.Relevant), 2),
        },
        ["timings"] = Timings.DeepClone(),
    };

    /// <summary>A one-row markdown table of the four metrics.</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        s.AppendLine("| retriever | nDCG@10 | MRR@10 | Recall@100 | MAP@100 | queries |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|");
        s.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {Name} | {Scores.Ndcg10:F4} | {Scores.Mrr10:F4} | {Scores.Recall100:F4} | {Scores.Map100:F4} | {Scores.PerQuery.Count} |"));
        return s.ToString();
    }
}

/// <summary>Runs a retriever (or reads a run file) on a BEIR collection and scores it with <see cref="RetrievalMetrics"/>.</summary>
public static class RetrievalEvaluation
{
    /// <summary>The retriever names <see cref="Run"/> accepts.</summary>
    public static IReadOnlyList<string> Retrievers { get; } = ["bm25", "dense", "hybrid", "rerank"];

    /// <summary>Evaluates as <paramref name="o"/> says.</summary>
    /// <exception cref="ArgumentException">An unknown retriever, or dense/rerank without a model folder.</exception>
    /// <exception cref="CorpusFormatException">Malformed BEIR data or run file.</exception>
    public static RetrievalReport Run(RetrievalEvalOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentOutOfRangeException.ThrowIfLessThan(o.TopK, 1, nameof(o.TopK));
        var data = BeirData.Read(o.DataDir, o.Split);
        if (o.RunFile is not null)
        {
            var run = o.IgnoreIdenticalIds ? WithoutIdenticalIds(TrecRun.Read(o.RunFile)) : TrecRun.Read(o.RunFile);
            return new RetrievalReport(Path.GetFileName(o.RunFile), RetrievalMetrics.Evaluate(run, data.Qrels), run, new JsonObject());
        }
        if (!Retrievers.Contains(o.Retriever)) throw new ArgumentException($"Retriever '{o.Retriever}' is unknown; expected one of " +
            $"{string.Join(", ", Retrievers)}.", nameof(o));
        if (o.Retriever != "bm25"
            && o.ModelDir is null) throw new ArgumentException($"Retriever '{o.Retriever}' needs --model (an exported " +
                $"{(o.Retriever is "dense" or "hybrid" ? "feature-extraction" : "sequence-classification")} folder).", nameof(o));
        var timings = new JsonObject();
        var clock = Stopwatch.StartNew();
        using IRetriever retriever = Build(o, data, timings);
        // Corpus time: BM25 indexing, or the dense corpus encoding alone (model loading excluded; see setup_seconds).
        double setupSeconds = clock.Elapsed.TotalSeconds, corpusSeconds = (retriever as DenseRetriever)?.CorpusSeconds ?? setupSeconds;
        timings["setup_seconds"] = Math.Round(setupSeconds, 3);
        timings["corpus_docs"] = data.Corpus.Count;
        timings["corpus_seconds"] = Math.Round(corpusSeconds, 3);
        timings["corpus_docs_per_s"] = Math.Round(data.Corpus.Count / Math.Max(corpusSeconds, 1e-9), 1);
        var (searched, latencies) = Search(retriever, data, o.TopK);
        var result = o.IgnoreIdenticalIds ? WithoutIdenticalIds(searched) : searched;
        timings["queries"] = latencies.Count;
        timings["query_latency_ms_mean"] = Math.Round(latencies.Average(), 3);
        timings["query_latency_ms_p50"] = Math.Round(Percentile(latencies, 0.5), 3);
        timings["query_latency_ms_p95"] = Math.Round(Percentile(latencies, 0.95), 3);
        if (retriever is RerankRetriever r) timings["pairs_per_s"] = Math.Round(r.PairsScored / Math.Max(latencies.Sum() / 1000, 1e-9), 1);
        string name = o.Retriever == "bm25" ? BmName(o.Bm25) : o.Retriever;
        return new RetrievalReport(name, RetrievalMetrics.Evaluate(result, data.Qrels), result, timings);
    }

    /// <summary>
    /// The run without each query's document of the same id (BEIR's <c>ignore_identical_ids</c>); the lists are not
    /// refilled, so a query may keep k − 1 documents.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<ScoredDoc>> WithoutIdenticalIds(IReadOnlyDictionary<string, IReadOnlyList<ScoredDoc>> run) =>
        run.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<ScoredDoc>)kv.Value.Where(d => d.DocId != kv.Key).ToList(), StringComparer.Ordinal);

    private static string BmName(Bm25Options? b)
    {
        var o = b ?? new Bm25Options();
        return string.Create(CultureInfo.InvariantCulture, $"bm25(k1={o.K1},b={o.B})");
    }

    private static IRetriever Build(RetrievalEvalOptions o, BeirDataset data, JsonObject timings)
    {
        switch (o.Retriever)
        {
            case "bm25":
                return new Bm25Retriever(data.Corpus, o.Bm25);
            case "dense":
                return new DenseRetriever(BiEncoder.Load(o.ModelDir!, o.Encoder, o.Session), data.Corpus);
            case "hybrid":
                return Hybrid(o, data, o.ModelDir!);
            default:
                var enc = o.Encoder ?? new BiEncoderOptions();
                IRetriever first = o.FirstStage switch
                {
                    "bm25" => new Bm25Retriever(data.Corpus, o.Bm25),
                    "hybrid" => Hybrid(o, data, o.DenseModelDir ?? throw new ArgumentException("Re-ranking a hybrid first stage needs --dense-model " +
                        "(an exported feature-extraction folder).", nameof(o))),
                    var f => throw new ArgumentException($"First stage '{f}' is unknown; expected bm25 or hybrid.", nameof(o)),
                };
                timings["rerank_depth"] = o.RerankDepth;
                timings["first_stage"] = o.FirstStage;
                return new RerankRetriever(first, As2Scorer.Load(o.ModelDir!, enc.MaxLength, enc.BatchSize), data.Corpus, o.RerankDepth);
        }
    }

    /// <summary>BM25 and the dense model in <paramref name="denseDir"/>, fused by <see cref="HybridRetriever"/>.</summary>
    public static HybridRetriever Hybrid(RetrievalEvalOptions o, BeirDataset data, string denseDir) =>
        new(new Bm25Retriever(data.Corpus, o.Bm25), new DenseRetriever(BiEncoder.Load(denseDir, o.Encoder, o.Session), data.Corpus), o.RrfK);

    /// <summary>Runs every judged query with a text through <paramref name="retriever"/>; returns the run and per-query milliseconds.</summary>
    public static (Dictionary<string, IReadOnlyList<ScoredDoc>> Run, List<double> LatenciesMs) Search(IRetriever retriever, BeirDataset data, int k)
    {
        var run = new Dictionary<string, IReadOnlyList<ScoredDoc>>(StringComparer.Ordinal);
        var latencies = new List<double>();
        foreach (string q in data.JudgedQueryIds)
        {
            long start = Stopwatch.GetTimestamp();
            run[q] = retriever.Search(data.Queries[q], k);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        if (latencies.Count == 0) throw new InvalidDataException($"No judged query of {data.Dir} has a text in queries.jsonl; nothing to retrieve.");
        return (run, latencies);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p * sorted.Count))];
    }
}
