using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Summarization;
using OnnxPretrain.Export;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.FineTuning;

/// <summary>Settings of <c>finetune summarization</c>.</summary>
/// <param name="DataDir">Folder with train/dev/test JSONL files (<c>id</c>, <c>document</c>, <c>summary</c>).</param>
/// <param name="RunDir">Output folder.</param>
/// <param name="Init">Checkpoint folder of a seq2seq pre-training run to start from (null = random initialisation).</param>
/// <param name="Epochs">Passes over the training examples.</param>
/// <param name="LearningRate">Peak learning rate (linear warmup over 10% of the steps, then linear decay).</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="TrainLimit">Use only the first N training examples (0 = all), for smoke runs.</param>
/// <param name="Summarizer">Source length and decoding settings of the test evaluation.</param>
/// <param name="Session">ORT settings.</param>
public sealed record FineTuneSummarizationOptions(string DataDir, string RunDir, string? Init, int Epochs, double LearningRate, int BatchSize,
    int TrainLimit, SummarizerOptions Summarizer, SessionConfig Session);

/// <summary>
/// Summarisation fine-tuning: the recipe's BART-family model trained with teacher-forced cross-entropy on (document,
/// summary) pairs (source cut to <c>data.max_source_length</c>, target to <c>data.max_target_length</c>, both ending
/// in end of sequence, as the pre-training batches), held-out loss on dev after every epoch; the final weights are
/// exported in Optimum's seq2seq layout and the test split is summarised with the generator and scored with ROUGE
/// beside Lead-1.
/// </summary>
public static class FineTuneSummarization
{
    /// <summary>Runs fine-tuning, export and test evaluation; returns the report JSON.</summary>
    /// <exception cref="ArgumentException">The recipe or options are invalid.</exception>
    public static JsonObject Run(Seq2SeqRecipe pretrained, FineTuneSummarizationOptions o, TextWriter log)
    {
        var (tokenizer, vocab) = Pretraining.Tokenizer(pretrained.AsDataRecipe(), null);
        var specials = Pretraining.Seq2SeqSpecials(tokenizer);
        int s = pretrained.Data.MaxSourceLength, l = pretrained.Data.MaxTargetLength;
        var train = Examples(SummarizationData.Read(SummarizationData.SplitPath(o.DataDir, "train")), tokenizer, specials, s, l);
        if (o.TrainLimit > 0) train = train.Take(o.TrainLimit).ToList();
        var dev = Examples(SummarizationData.Read(SummarizationData.SplitPath(o.DataDir, "dev")), tokenizer, specials, s, l);
        int perEpoch = (train.Count + o.BatchSize - 1) / o.BatchSize, steps = o.Epochs * perEpoch;
        var recipe = pretrained with
        {
            Name = pretrained.Name + "-summarization",
            Training = pretrained.Training with
            {
                BatchSize = o.BatchSize, Steps = steps, LearningRate = o.LearningRate, WarmupSteps = steps / 10, InitFrom = o.Init,
                EvalEvery = perEpoch, CheckpointEvery = perEpoch, EvalBatches = Math.Min(20, (dev.Count + o.BatchSize - 1) / o.BatchSize), KeepCheckpoints = 1,
            },
        };
        Pretraining.BuildSeq2SeqArtifacts(recipe.Validate(), specials, o.RunDir, log, task: "summary");
        if (o.Init is not null) Pretraining.InitFrom(Path.Combine(o.RunDir, "checkpoint"), o.Init, log, seq2seq: recipe);
        log.WriteLine($"Fine-tuning on {train.Count:N0} examples for {o.Epochs} epoch(s) = {steps:N0} steps of {o.BatchSize}.");
        TrainSummary summary;
        using (var session = TrainingSession.Load(o.RunDir, o.Session))
            summary = new Trainer(session, Source(train, specials, o.BatchSize, recipe.Training.Seed, shuffle: true),
                Source(dev, specials, o.BatchSize, 0, shuffle: false), recipe.Training, o.RunDir, steps).Run();
        var exportDir = Path.Combine(o.RunDir, "export");
        Seq2SeqExport.Write(recipe.Model, Checkpoint.LoadWeights(summary.Checkpoint!).Tensors, exportDir,
            new Seq2SeqTokenIds(specials.PadId, specials.DecoderStartId, specials.EosId), vocab);
        var json = EvaluateSummarization.Run(o.DataDir, "test", null, false, true, o.RunDir, exportDir, o.Summarizer, o.Session);
        json["fine_tuning"] = new JsonObject
        {
            ["train_examples"] = train.Count, ["steps"] = summary.Steps, ["seconds"] = Math.Round(summary.Seconds, 1),
            ["dev_loss"] = summary.EvalLoss is { } d ? Math.Round(d, 4) : null, ["init"] = o.Init, ["export"] = exportDir,
        };
        return json;
    }

    /// <summary>Tokenised examples: source ids cut to S - 1 plus end of sequence, summary ids cut to L - 1 plus end of sequence.</summary>
    public static List<Seq2SeqExample> Examples(IEnumerable<SummarizationExample> examples, TextTokenizer tokenizer,
        Seq2SeqSpecialTokens specials, int s, int l) =>
        examples.Select(e => new Seq2SeqExample(
            [.. ModelSummarizer.Source(tokenizer, e.Document, s, specials.EosId).Select(i => (int)i)],
            [.. tokenizer.Encode(e.Summary).Take(l - 1), specials.EosId])).ToList();

    /// <summary>
    /// Batch k = examples k·B .. k·B + B - 1 of an endless sequence of epochs (each a permutation seeded by (seed, epoch)
    /// when shuffling), padded to the longest source and target of the batch.
    /// </summary>
    public static IBatchSource Source(IReadOnlyList<Seq2SeqExample> examples, Seq2SeqSpecialTokens specials, int batchSize, long seed, bool shuffle)
    {
        if (examples.Count == 0) throw new ArgumentException("The split has no examples.", nameof(examples));
        (long Epoch, int[] Order) cached = (-1, []);
        int[] Order(long epoch)
        {
            if (cached.Epoch == epoch) return cached.Order;
            var order = Enumerable.Range(0, examples.Count).ToArray();
            if (shuffle) new Random((int)MaskingRng.Hash(seed, epoch, 0x5011)).Shuffle(order);
            cached = (epoch, order);
            return order;
        }
        return new FunctionBatchSource(k =>
        {
            var rows = Enumerable.Range(0, batchSize).Select(j => k * batchSize + j)
                .Select(i => examples[Order(i / examples.Count)[(int)(i % examples.Count)]]).ToList();
            return Seq2SeqBatchBuilder.Build(rows, rows.Max(r => r.Source.Length), rows.Max(r => r.Target.Length), specials);
        });
    }
}
