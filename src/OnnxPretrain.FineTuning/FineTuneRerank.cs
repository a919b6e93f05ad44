using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OnnxPretrain.Evaluation;
using OnnxPretrain.Evaluation.Retrieval;
using OnnxPretrain.Export;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.FineTuning;

/// <summary>Settings of <c>finetune rerank</c>.</summary>
/// <param name="DataDir">BEIR folder.</param>
/// <param name="RunDir">Output folder (one <c>fold-&lt;i&gt;</c> subfolder per fold).</param>
/// <param name="Init">Checkpoint folder to start every fold from (null = random initialisation).</param>
/// <param name="Folds">Number of folds k ≥ 2 over the judged queries.</param>
/// <param name="Epochs">Passes over a fold's training pairs.</param>
/// <param name="LearningRate">Peak learning rate (linear warmup over 10% of the steps, then linear decay).</param>
/// <param name="BatchSize">Pairs per step.</param>
/// <param name="MaxLength">Maximum (query, document) pair length in tokens, in training and re-ranking.</param>
/// <param name="NegativesPerPositive">BM25-retrieved non-relevant documents per relevant one.</param>
/// <param name="Depth">BM25 documents per query: the negative pool in training and the list re-ranked in evaluation.</param>
/// <param name="Bm25">BM25 parameters.</param>
/// <param name="Seed">Seed of the query-to-fold assignment.</param>
/// <param name="Split">Qrels split.</param>
/// <param name="Session">ORT settings.</param>
/// <param name="Negatives">How the negatives are drawn from BM25's top <c>Depth</c> non-relevant documents.</param>
/// <param name="DenseModel">A feature-extraction export: each fold's re-ranker also re-ranks hybrid@Depth (BM25 + this model,
/// reciprocal rank fusion with k = <paramref name="RrfK"/>), beside BM25@Depth. Training negatives always come from BM25.</param>
/// <param name="RrfK">Reciprocal rank fusion's k.</param>
public sealed record FineTuneRerankOptions(string DataDir, string RunDir, string? Init, int Folds, int Epochs, double LearningRate, int BatchSize,
    int MaxLength, int NegativesPerPositive, int Depth, Bm25Options Bm25, long Seed, string Split, SessionConfig Session,
    NegativeSampling Negatives = NegativeSampling.Random, string? DenseModel = null, int RrfK = HybridRetriever.DefaultRrfK)
{
    /// <summary>Default BM25 negatives per relevant document.</summary>
    public const int DefaultNegatives = 2;

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Folds &lt; 2, or a non-positive epoch/batch/length/negative/depth count.</exception>
    public FineTuneRerankOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Folds, 2, "--folds");
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, "--epochs");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, "--batch");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLength, 3, "--max-length");
        ArgumentOutOfRangeException.ThrowIfLessThan(NegativesPerPositive, 1, "--negatives");
        ArgumentOutOfRangeException.ThrowIfLessThan(Depth, 1, "--depth");
        Bm25.Validate();
        if (!Enum.IsDefined(Negatives)) throw new ArgumentOutOfRangeException(nameof(Negatives), Negatives, "expected hardest or random");
        ArgumentOutOfRangeException.ThrowIfLessThan(RrfK, 0, "--rrf-k");
        return this;
    }
}

/// <summary>Where a re-ranker's training negatives come from, among the BM25 top-<c>depth</c> documents not judged relevant.</summary>
public enum NegativeSampling
{
    /// <summary>A uniform sample without replacement (seeded): the negatives look like the list the re-ranker will sort
    /// (monoBERT, Nogueira &amp; Cho 2019, trains on BM25 top-1000 negatives the same way). The default.</summary>
    Random,

    /// <summary>The best-ranked ones (hardest lexical negatives): with few queries the model sees no easy negative and can
    /// learn to distrust term overlap, which hurts when it sorts the whole list.</summary>
    Hardest,
}

/// <summary>
/// Supervised re-ranking with k-fold cross-validation over queries, so a collection's own qrels both train and
/// evaluate a cross-encoder without leakage: the judged queries are shuffled with the seed and dealt round-robin into
/// k folds; for each fold, a cross-encoder (the recipe's encoder + [CLS] head, the AS2 fine-tuning machinery of
/// <see cref="FineTuneAs2"/>) is trained on the other folds' queries (positives: judged relevant documents, grade ≥ 1;
/// negatives: <c>NegativesPerPositive</c> per positive among BM25's top <c>Depth</c> documents not judged relevant, drawn as
/// <see cref="NegativeSampling"/> says), exported,
/// and re-ranks BM25's top <c>Depth</c> for the held-out queries. Reports each fold and the mean over folds of
/// nDCG@10, MRR@10, Recall@100 and MAP@100, beside BM25 on the same queries. No dev set: the last epoch is kept.
/// </summary>
public static class FineTuneRerank
{
    /// <summary>Runs every fold; returns the JSON report (also written as <c>rerank_report.md</c> in the run folder).</summary>
    /// <exception cref="ArgumentException">Fewer judged queries than folds.</exception>
    public static JsonObject Run(Recipe pretrained, FineTuneRerankOptions o, TextWriter log)
    {
        o.Validate();
        var data = BeirData.Read(o.DataDir, o.Split);
        var folds = AssignFolds(data.JudgedQueryIds, o.Folds, o.Seed);
        using var bm25 = new Bm25Retriever(data.Corpus, o.Bm25);
        var lists = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ScoredDoc>>>
        {
            ["bm25"] = RetrievalEvaluation.Search(bm25, data, o.Depth).Run,
        };
        if (o.DenseModel is not null)
        {
            var settings = new RetrievalEvalOptions(o.DataDir, Bm25: o.Bm25, Session: o.Session, RrfK: o.RrfK);
            using var hybrid = RetrievalEvaluation.Hybrid(settings, data, o.DenseModel);
            lists["hybrid"] = RetrievalEvaluation.Search(hybrid, data, o.Depth).Run;
        }
        Directory.CreateDirectory(o.RunDir);
        var results = new List<FoldResult>();
        for (int f = 0; f < o.Folds; f++)
        {
            log.WriteLine($"fold {f + 1}/{o.Folds}: {folds[f].Count} held-out queries");
            results.Add(RunFold(pretrained, o, data, bm25, lists, folds, f, log));
        }
        var json = Report(o, results);
        File.WriteAllText(Path.Combine(o.RunDir, "rerank_report.md"), Markdown(results));
        return json;
    }

    /// <summary>Deals the queries, shuffled by <paramref name="seed"/> (Fisher–Yates), round-robin into <paramref name="k"/> folds.</summary>
    /// <exception cref="ArgumentException">Fewer queries than folds.</exception>
    public static IReadOnlyList<IReadOnlyList<string>> AssignFolds(IReadOnlyList<string> queries, int k, long seed)
    {
        if (queries.Count < k) throw new ArgumentException($"{queries.Count} judged queries cannot fill {k} folds; expected at least one " +
            $"query per fold.", nameof(queries));
        var order = queries.ToArray();
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return Enumerable.Range(0, k).Select(f => (IReadOnlyList<string>)order.Where((_, i) => i % k == f).ToList()).ToList();
    }

    /// <summary>Training pairs of <paramref name="queries"/>: each judged relevant document (grade ≥ 1, label 1) and
    /// <paramref name="negativesPerPositive"/> × that many non-relevant ones from <paramref name="firstStage"/> (label 0), the
    /// best-ranked (trec_eval order) or a uniform sample drawn with <paramref name="seed"/>; fewer when the list runs out.</summary>
    public static List<LabelledPair> TrainingPairs(BeirDataset data, IEnumerable<string> queries, IReadOnlyDictionary<string,
        IReadOnlyList<ScoredDoc>> firstStage,
        int negativesPerPositive, NegativeSampling sampling = NegativeSampling.Hardest, long seed = 0)
    {
        var contents = data.Corpus.ToDictionary(d => d.Id, d => d.Contents, StringComparer.Ordinal);
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var pairs = new List<LabelledPair>();
        foreach (string q in queries)
        {
            var judged = data.Qrels.ByQuery[q];
            var relevant = judged.Where(kv => kv.Value >= RetrievalMetrics.RelevanceLevel).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
            var pool = RetrievalMetrics.TrecOrder(firstStage.GetValueOrDefault(q) ?? []).Where(d => !relevant.Contains(d.DocId)).ToArray();
            if (sampling == NegativeSampling.Random) rng.Shuffle(pool);
            pairs.AddRange(relevant.Select(d => new LabelledPair(data.Queries[q], contents[d], 1)));
            pairs.AddRange(pool.Take(negativesPerPositive * relevant.Count).Select(d => new LabelledPair(data.Queries[q], contents[d.DocId], 0)));
        }
        return pairs;
    }

    /// <summary>One first stage on a fold's held-out queries: its own scores and its list re-ranked.</summary>
    private sealed record StageResult(RetrievalScores FirstStage, RetrievalScores Rerank);

    private sealed record FoldResult(int Fold, int TrainQueries, int TestQueries, int TrainPairs, long Steps, double Seconds,
        IReadOnlyDictionary<string, StageResult> Stages, string Export);

    /// <summary>Trains fold <paramref name="f"/>'s re-ranker and re-ranks each first stage's <paramref name="lists"/> (per query: "bm25",
    /// also the training negatives, and, with a dense model, "hybrid") for the held-out queries.</summary>
    private static FoldResult RunFold(Recipe pretrained, FineTuneRerankOptions o, BeirDataset data, Bm25Retriever bm25,
        Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ScoredDoc>>> lists, IReadOnlyList<IReadOnlyList<string>> folds, int f, TextWriter log)
    {
        var trainQueries = folds.Where((_, i) => i != f).SelectMany(x => x).ToList();
        var pairs = TrainingPairs(data, trainQueries, lists["bm25"], o.NegativesPerPositive, o.Negatives, pretrained.Training.Seed + f);
        var (tokenizer, vocab) = Pretraining.Tokenizer(pretrained, null);
        var source = new PairClassificationSource(pairs, tokenizer, o.MaxLength, o.BatchSize, pretrained.Training.Seed + f, shuffle: true);
        var dir = Path.Combine(o.RunDir, $"fold-{f + 1}");
        var ft = new FineTuneAs2Options(o.DataDir, dir, o.Init, o.Epochs, o.LearningRate, o.BatchSize, o.MaxLength, int.MaxValue, o.Session);
        var recipe = FineTuneAs2.Prepare(pretrained, $"-rerank-fold{f + 1}", ft, o.Epochs * source.BatchesPerEpoch, log);
        var best = FineTuneAs2.Train(recipe, ft, source, null, log);
        var exportDir = Path.Combine(dir, "export");
        EncoderExport.Write(recipe.Model, Checkpoint.LoadWeights(best.Dir).Tensors, exportDir, vocab, ExportTask.SequenceClassification);
        var held = folds[f];
        var qrels = new Qrels(held.ToDictionary(q => q, q => data.Qrels.ByQuery[q], StringComparer.Ordinal), held);
        using var rerank = new RerankRetriever(bm25, As2Scorer.Load(exportDir, o.MaxLength), data.Corpus, o.Depth, ownsFirstStage: false);
        var stages = new Dictionary<string, StageResult>();
        foreach (var (name, list) in lists)
        {
            var first = held.ToDictionary(q => q, q => list[q], StringComparer.Ordinal);
            var run = held.ToDictionary(q => q, q => rerank.Rerank(data.Queries[q], list[q], o.Depth), StringComparer.Ordinal);
            TrecRun.Write(Path.Combine(dir, name == "bm25" ? "run.trec" : $"run-{name}.trec"), run, $"rerank-{name}-fold{f + 1}");
            stages[name] = new StageResult(RetrievalMetrics.Evaluate(first, qrels), RetrievalMetrics.Evaluate(run, qrels));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fold {f + 1}: nDCG@10 {name} {stages[name].FirstStage.Ndcg10:F4} -> rerank {stages[name].Rerank.Ndcg10:F4}"));
        }
        return new FoldResult(f + 1, trainQueries.Count, held.Count, pairs.Count, best.Steps, best.Seconds, stages, exportDir);
    }

    private static JsonObject Metrics(IEnumerable<RetrievalScores> s, Func<IEnumerable<double>, double>? over = null)
    {
        var list = s.ToList();
        var f = over ?? Enumerable.Average;
        return new JsonObject
        {
            ["ndcg@10"] = Math.Round(f(list.Select(x => x.Ndcg10)), 4), ["mrr@10"] = Math.Round(f(list.Select(x => x.Mrr10)), 4),
            ["recall@100"] = Math.Round(f(list.Select(x => x.Recall100)), 4), ["map@100"] = Math.Round(f(list.Select(x => x.Map100)), 4),
        };
    }

    /// <summary>The sample standard deviation (n − 1), 0 for one value.</summary>
    public static double SampleStd(IEnumerable<double> values)
    {
        var v = values.ToList();
        if (v.Count < 2) return 0;
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
    }

    /// <summary>Per first stage: its scores and the re-ranked ones, as <c>&lt;stage&gt;</c> and <c>rerank</c> (BM25) or
    /// <c>rerank_&lt;stage&gt;</c>.</summary>
    private static JsonObject Summary(List<FoldResult> results, Func<IEnumerable<double>, double>? over)
    {
        var o = new JsonObject();
        foreach (var name in results[0].Stages.Keys)
        {
            o[name == "bm25" ? "rerank" : $"rerank_{name}"] = Metrics(results.Select(r => r.Stages[name].Rerank), over);
            o[name] = Metrics(results.Select(r => r.Stages[name].FirstStage), over);
        }
        return o;
    }

    private static JsonObject Report(FineTuneRerankOptions o, List<FoldResult> results) => new()
    {
        ["data"] = o.DataDir, ["split"] = o.Split, ["folds"] = o.Folds, ["seed"] = o.Seed, ["init"] = o.Init, ["epochs"] = o.Epochs,
        ["negatives_per_positive"] = o.NegativesPerPositive, ["negative_sampling"] = o.Negatives.ToString().ToLowerInvariant(),
            ["depth"] = o.Depth, ["dense_model"] = o.DenseModel, ["run_dir"] = o.RunDir,
        ["mean_over_folds"] = Summary(results, null),
        ["std_over_folds"] = Summary(results, SampleStd),
        ["per_fold"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["fold"] = r.Fold, ["train_queries"] = r.TrainQueries, ["test_queries"] = r.TestQueries, ["train_pairs"] = r.TrainPairs,
            ["steps"] = r.Steps, ["train_seconds"] = Math.Round(r.Seconds, 1), ["metrics"] = Summary([r], null), ["export"] = r.Export,
        }).ToArray()),
    };

    private static string Markdown(List<FoldResult> results)
    {
        var s = new StringBuilder("| fold | queries | first stage | first-stage nDCG@10 | rerank nDCG@10 | MRR@10 | Recall@100 | MAP@100 |\n" +
            "|---|---:|---|---:|---:|---:|---:|---:|\n");
        foreach (var r in results)
            foreach (var (name, st) in r.Stages)
                s.Append(CultureInfo.InvariantCulture, $"| {r.Fold} | {r.TestQueries} | {name} | {st.FirstStage.Ndcg10:F4} | {st.Rerank.Ndcg10:F4} | " +
                    $"{st.Rerank.Mrr10:F4} | {st.Rerank.Recall100:F4} | {st.Rerank.Map100:F4} |\n");
        foreach (var name in results[0].Stages.Keys)
        {
            var st = results.Select(r => r.Stages[name]).ToList();
            s.Append(CultureInfo.InvariantCulture, $"| mean | {results.Sum(r => r.TestQueries)} | {name} | {st.Average(x => x.FirstStage.Ndcg10):F4} | " +
                $"{st.Average(x => x.Rerank.Ndcg10):F4} | {st.Average(x => x.Rerank.Mrr10):F4} | {st.Average(x => x.Rerank.Recall100):F4} | " +
                $"{st.Average(x => x.Rerank.Map100):F4} |\n");
        }
        return s.ToString();
    }
}
