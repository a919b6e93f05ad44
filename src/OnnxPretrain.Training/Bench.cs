using System.Diagnostics;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>Settings of one benchmark run.</summary>
/// <param name="Steps">Timed optimizer steps.</param>
/// <param name="Warmup">Untimed steps first.</param>
/// <param name="BatchSize">Override of the recipe's batch size.</param>
/// <param name="Session">ORT session settings (threads, device).</param>
public sealed record BenchOptions(int Steps = 10, int Warmup = 2, int? BatchSize = null, SessionConfig? Session = null);

/// <summary>
/// Measures training throughput of a recipe on synthetic full-length sequences (random non-special ids between
/// [CLS] and [SEP], like the TorchSharp yardstick): ms per optimizer step (train step + AdamW step), tokens/s,
/// peak RSS, model FLOPs per step (matrix products only, training = 3 × forward) and achieved GFLOP/s.
/// </summary>
public static class Bench
{
    /// <summary>Runs the benchmark and returns one JSON object.</summary>
    public static JsonObject Run(Recipe recipe, BenchOptions options, string workDir)
    {
        int b = options.BatchSize ?? recipe.Training.BatchSize, t = recipe.Data.SequenceLength;
        var crts = recipe.Objective.Type == "crts" ? SyntheticData.Clusters(recipe.Model.VocabSize) : null;
        var stream = Source(recipe, b, crts);
        var objective = ObjectiveRegistry.Graph(recipe.Model, recipe.Objective, t, recipe.Training.Seed);
        var model = new TrainableModel(recipe.Name, objective.Build, () => BatchStream.ToTensors(stream.Get(0)), recipe.ToJson());
        var build = Stopwatch.StartNew();
        var manifest = ArtifactBuilder.Build(model, recipe.Training.AdamW(), workDir);
        double buildSeconds = build.Elapsed.TotalSeconds;
        using var session = TrainingSession.Load(workDir, options.Session);
        var (times, optimizerTimes, tokens, maskTime) = TimeSteps(session, stream, options, crts);
        double median = times[times.Count / 2], mean = times.Average();
        double gflop = Flops(recipe, b) / 1e9;
        return new JsonObject
        {
            ["recipe"] = recipe.Name, ["objective"] = recipe.Objective.Type, ["batch"] = b, ["seq"] = t,
            ["threads"] = options.Session?.IntraOpThreads ?? 0, ["device"] = (options.Session?.Device ?? ExecutionDevice.Cpu).ToString().ToLowerInvariant(),
            ["steps"] = options.Steps, ["ms_per_step_median"] = Math.Round(median, 1), ["ms_per_step_min"] = Math.Round(times[0], 1),
            ["ms_per_step_mean"] = Math.Round(mean, 1), ["tokens_per_s"] = Math.Round(tokens / (times.Sum() / 1000), 1),
            ["peak_rss_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20),
            ["model_gflop_per_step"] = Math.Round(gflop, 2), ["achieved_gflops"] = Math.Round(gflop / (median / 1000), 1),
            ["params"] = manifest.Parameters.Sum(p => p.Count), ["artifact_build_s"] = Math.Round(buildSeconds, 2),
            ["optimizer"] = session.FusedOptimizer ? "fused" : "graph",
            ["optimizer_ms_per_step_median"] = Math.Round(optimizerTimes[optimizerTimes.Count / 2], 1),
            ["dropout_sites"] = manifest.DropoutSites.Count,
            ["dropout_mask_ms_per_step"] = Math.Round(maskTime.TotalMilliseconds / options.Steps, 2),
        };
    }

    /// <summary>
    /// Tokens per second of the recipe's tokenizer over the default corpus's held-out documents (about 300k tokens),
    /// sentence by sentence on one thread; null when the corpus or vocabulary is not cached yet (nothing is downloaded).
    /// </summary>
    public static double? TokenizationThroughput(Recipe recipe)
    {
        var cache = new DataCacheOptions();
        if (!NpmPackageCache.TryGetCached(NpmPackageSpec.CorpusBrown, cache, out _) || !NpmPackageCache.TryGetCached(NpmPackageSpec.DatasetsSotu, cache, out _)
            || recipe.Data.Tokenizer != "gpt2" && recipe.Data.Vocab is null && !NpmPackageCache.TryGetCached(NpmPackageSpec.BertTokenizer, cache, out _))
            return null;
        var (tokenizer, _) = Pretraining.Tokenizer(recipe, cache);
        var sentences = DefaultCorpus.Load(new DefaultCorpusOptions { Cache = cache }).Validation
            .SelectMany(d => d.Paragraphs).SelectMany(p => p.Sentences).ToList();
        foreach (var s in sentences.Take(200)) tokenizer.Encode(s);                  // warm up
        var sw = Stopwatch.StartNew();
        long tokens = sentences.Sum(s => (long)tokenizer.Encode(s).Count);
        return Math.Round(tokens / sw.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Matrix-product FLOPs of one training step (3 × forward): per layer 8·N·D² (Q, K, V, O) + 4·N·D·I (FFN) +
    /// 4·B·T²·D (scores and P·V); embedding projection 2·N·E·D; vocabulary heads 2·M·D·E + 2·M·E·V (M = expected
    /// selected tokens, mask_probability × B × (T - 2) on full-length sequences); token heads 2·N·D² + 2·N·D.
    /// Retrieval objectives count 2·b rows (b pairs); PROP adds MLM and the [CLS] score head, contrastive the (b, b) logits.
    /// ELECTRA adds its generator and generator head.
    /// </summary>
    public static double Flops(Recipe r, int b)
    {
        var c = r.Model;
        int t = r.Data.SequenceLength;
        if (RetrievalData.Handles(r)) b *= 2;                                            // retrieval: b pairs = 2b rows
        double n = (double)b * t, m = (r.Objective as SelectionConfig)?.MaskProbability * b * (t - 2) ?? 0;
        double Encoder(EncoderConfig e) => e.NumHiddenLayers * (8 * n * e.HiddenSize * e.HiddenSize + 4 * n * e.HiddenSize * e.IntermediateSize
            + 4.0 * b * t * t * e.HiddenSize) + (e.EffectiveEmbeddingSize != e.HiddenSize ? 2 * n * e.EffectiveEmbeddingSize * e.HiddenSize : 0);
        double VocabHead(EncoderConfig e) => 2 * m * e.HiddenSize * e.EffectiveEmbeddingSize + 2 * m * e.EffectiveEmbeddingSize * e.VocabSize;
        double TokenHead(EncoderConfig e) => 2 * n * e.HiddenSize * e.HiddenSize + 2 * n * e.HiddenSize;
        var terms = new FlopsTerms(Encoder(c), VocabHead(c), TokenHead(c), () => Generator(r, VocabHead, Encoder), b, c.HiddenSize);
        return 3 * ObjectiveRegistry.Get(r.Objective.Type).ForwardFlops(terms);
    }

    private static double Generator(Recipe r, Func<EncoderConfig, double> head, Func<EncoderConfig, double> encoder)
    {
        var g = ((ElectraObjective)ObjectiveRegistry.Graph(r.Model, r.Objective, r.Data.SequenceLength, 0)).GeneratorConfig();
        return encoder(g) + head(g);
    }

    /// <summary>Synthetic batches of b rows: packed full-length sequences, one reused pair batch, or b retrieval pairs.</summary>
    private static IBatchSource Source(Recipe recipe, int b, CrtsState? crts)
    {
        var specials = Pretraining.Specials(recipe);
        if (RetrievalData.Handles(recipe)) return RetrievalData.SyntheticSource(recipe, specials, b);         // b pairs = 2b rows
        if (ObjectiveRegistry.Get(recipe.Objective.Type).Rows != RowSource.PackedSequences)
            return new FixedSource(Pretraining.ExampleBatch(recipe, specials, batchSize: b));                  // pair objectives
        return new BatchStream(SyntheticData.Sequences(b * 4, recipe.Data.SequenceLength, specials, recipe.Training.Seed),
            ObjectiveData.CreateBatcher(recipe, specials, recipe.Training.Seed, crts), b, recipe.Training.Seed);
    }

    /// <summary>Warmup, then timed steps: sorted ms per step (train + AdamW) and per AdamW step, tokens, mask-drawing time.</summary>
    private static (List<double> Steps, List<double> Optimizer, long Tokens, TimeSpan MaskTime) TimeSteps(TrainingSession session,
        IBatchSource stream, BenchOptions options, CrtsState? crts)
    {
        var times = new List<double>();
        var optimizerTimes = new List<double>();
        long tokens = 0;
        var maskTime = TimeSpan.Zero;
        for (int i = 0; i < options.Warmup + options.Steps; i++)
        {
            var batch = stream.Get(i);
            var tensors = BatchStream.ToTensors(batch);
            var sw = Stopwatch.StartNew();
            if (i == options.Warmup) maskTime = session.DropoutMaskTime;
            var result = session.TrainStep(tensors);
            crts?.AfterTrainStep(i, result);
            var optimizer = Stopwatch.StartNew();
            session.OptimizerStep(1e-4f);
            if (i < options.Warmup) continue;
            times.Add(sw.Elapsed.TotalMilliseconds);
            optimizerTimes.Add(optimizer.Elapsed.TotalMilliseconds);
            tokens += batch.TokenCount;
        }
        times.Sort();
        optimizerTimes.Sort();
        return (times, optimizerTimes, tokens, session.DropoutMaskTime - maskTime);
    }

    private sealed class FixedSource(Batch batch) : IBatchSource
    {
        public Batch Get(long position) => batch;
    }

}
