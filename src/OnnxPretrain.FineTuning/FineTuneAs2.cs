using System.Text.Json.Nodes;
using OnnxPretrain.Evaluation;
using OnnxPretrain.Export;
using OnnxPretrain.Models;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.FineTuning;

/// <summary>Settings of <c>finetune as2</c>.</summary>
/// <param name="DataDir">Folder with train/dev/test TSV files.</param>
/// <param name="RunDir">Output folder.</param>
/// <param name="Init">Checkpoint folder to start from (null = random initialisation).</param>
/// <param name="Epochs">Passes over the training pairs.</param>
/// <param name="LearningRate">Peak learning rate (linear warmup over 10% of the steps, then linear decay).</param>
/// <param name="BatchSize">Pairs per step.</param>
/// <param name="MaxLength">Maximum pair length in tokens.</param>
/// <param name="Patience">Evaluations without a dev-MAP improvement before stopping early.</param>
/// <param name="Session">ORT settings.</param>
public sealed record FineTuneAs2Options(string DataDir, string RunDir, string? Init, int Epochs, double LearningRate, int BatchSize,
    int MaxLength, int Patience, SessionConfig Session)
{
    /// <summary>Dev evaluations per epoch (the best is kept; <see cref="Patience"/> counts evaluations).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int EvalsPerEpoch
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(EvalsPerEpoch), value,
            $"--evals-per-epoch is {value}; expected a positive number.");
    } = 1;

    /// <summary>Contextual AS2: each candidate with its previous and next candidates as a third segment (token type 2; the
    /// type table grows to 3 rows), as <see cref="As2Context"/> describes.</summary>
    public bool Context { get; init; }
}

/// <summary>
/// AS2 fine-tuning: a cross-encoder (the recipe's encoder + a [CLS] classification head) trained with cross-entropy on
/// (question, candidate) pairs, evaluated on dev MAP after every epoch with early stopping; the best weights are
/// exported (<c>logits</c> output) and scored on the test split with the AS2 evaluator.
/// </summary>
public static class FineTuneAs2
{
    /// <summary>Runs fine-tuning, export and test evaluation; returns the test report and where things are.</summary>
    public static JsonObject Run(Recipe pretrained, FineTuneAs2Options o, TextWriter log)
    {
        var train = As2Data.Read(As2Data.SplitPath(o.DataDir, "train"));
        var dev = As2Data.Read(As2Data.SplitPath(o.DataDir, "dev"));
        var (tokenizer, vocab) = Pretraining.Tokenizer(pretrained, null);
        var trainSource = new PairClassificationSource(Pairs(train, o.Context), tokenizer, o.MaxLength, o.BatchSize, pretrained.Training.Seed, shuffle: true);
        var devSource = new PairClassificationSource(Pairs(dev, o.Context), tokenizer, o.MaxLength, o.BatchSize, 0, shuffle: false);
        var recipe = Prepare(pretrained, o.Context ? "-as2-context" : "-as2", o, o.Epochs * trainSource.BatchesPerEpoch, log,
            typeVocabSize: o.Context ? Math.Max(3, pretrained.Model.TypeVocabSize) : null);
        var best = Train(recipe, o, trainSource, s => As2Evaluation.Evaluate(dev, PairLogOdds(s, devSource), false).MeanAveragePrecision, log);
        var weights = Checkpoint.LoadWeights(best.Dir).Tensors;
        var exportDir = Path.Combine(o.RunDir, "export");
        EncoderExport.Write(recipe.Model, weights, exportDir, vocab, ExportTask.SequenceClassification, contextualAs2: o.Context);
        var report = As2Evaluation.Run(new As2EvalOptions(o.DataDir, "test", exportDir, MaxLength: o.MaxLength));
        File.WriteAllText(Path.Combine(o.RunDir, "as2_report.md"), report.ToMarkdown());
        var json = report.ToJson();
        json["fine_tuning"] = new JsonObject
        {
            ["steps"] = best.Steps, ["best_step"] = best.Step, ["dev_map"] = Math.Round(best.DevMap, 4), ["seconds"] = Math.Round(best.Seconds, 1),
            ["init"] = o.Init, ["export"] = exportDir,
        };
        return json;
    }

    /// <summary>
    /// The pair-classification recipe (objective <c>as2</c>: [CLS] head, cross-entropy) derived from a pre-training recipe,
    /// with its artifacts built in <c>o.RunDir</c> and the encoder initialised from <c>o.Init</c> when given.
    /// </summary>
    internal static Recipe Prepare(Recipe pretrained, string suffix, FineTuneAs2Options o, int steps, TextWriter log,
        ObjectiveConfig? objective = null, int? typeVocabSize = null)
    {
        var recipe = pretrained with
        {
            Name = pretrained.Name + suffix,
            Model = pretrained.Model with { TypeVocabSize = typeVocabSize ?? pretrained.Model.TypeVocabSize },
            Objective = objective ?? new SequenceClassificationConfig { Type = "as2" },
            Data = pretrained.Data with { SequenceLength = objective is IJointCandidates j ? j.SequenceLength : o.MaxLength },
            Training = pretrained.Training with
            {
                BatchSize = o.BatchSize, Steps = steps, LearningRate = o.LearningRate, WarmupSteps = steps / 10, InitFrom = o.Init,
                Schedule = "linear", GradientAccumulationSteps = 1, CheckpointEvery = 0,
            },
        };
        Pretraining.BuildArtifacts(recipe.Validate(), o.RunDir, log);
        if (o.Init is not null) Pretraining.InitFrom(Path.Combine(o.RunDir, "checkpoint"), o.Init, log, recipe.Model);
        return recipe;
    }

    /// <summary>The best checkpoint of <c>Train</c>.</summary>
    internal sealed record Best(string Dir, long Step, double DevMap, long Steps, double Seconds);

    /// <summary>
    /// Trains with the <see cref="Trainer"/> (linear schedule); <c>o.EvalsPerEpoch</c> times per epoch (and after the last
    /// step) scores <paramref name="dev"/> (higher is better; logged as dev MAP) and keeps the best weights in
    /// <c>RunDir/best</c>, stopping after <c>o.Patience</c> evaluations without improvement. Without
    /// <paramref name="dev"/> every evaluation counts as an improvement, so the last one is kept.
    /// </summary>
    internal static Best Train(Recipe recipe, FineTuneAs2Options o, PairClassificationSource train, Func<TrainingSession, double>? dev, TextWriter log) =>
        Train(recipe, o, train, train.BatchesPerEpoch, dev, log);

    /// <summary><see cref="Train(Recipe, FineTuneAs2Options, PairClassificationSource, Func{TrainingSession, double}?, TextWriter)"/> for any
    /// batch source of <paramref name="perEpoch"/> batches per epoch.</summary>
    internal static Best Train(Recipe recipe, FineTuneAs2Options o, IBatchSource train, long perEpoch, Func<TrainingSession, double>? dev, TextWriter log)
    {
        using var session = TrainingSession.Load(o.RunDir, o.Session);
        // Due after step s (1-based) when s crosses one of the EvalsPerEpoch equal fractions of an epoch.
        bool Due(long s) => s % perEpoch * o.EvalsPerEpoch / perEpoch != (s - 1) % perEpoch * o.EvalsPerEpoch / perEpoch || s % perEpoch == 0;
        var validation = new Validation("dev_map", dev, Due, o.Patience, Path.Combine(o.RunDir, "best"));
        var progress = new LogLines(p =>
        {
            if (p.ValidationScore is { } score) log.WriteLine($"step {p.Step}/{p.TotalSteps}: train loss {p.Loss:F4}"
                + (dev is null ? "" : $", dev MAP {score:F4}"));
        });
        var summary = new Trainer(session, train, null, recipe.Training, o.RunDir, recipe.Training.Steps, validation: validation).Run(progress);
        var best = summary.Best!;
        return new Best(best.Dir, best.Step, best.Score, summary.Steps, summary.Seconds);
    }

    private sealed class LogLines(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }

    /// <summary>logit₁ − logit₀ of every pair of <paramref name="dev"/>, in order, from the training session's eval model.</summary>
    internal static double[] PairLogOdds(TrainingSession session, PairClassificationSource dev)
    {
        var scores = new List<double>();
        for (int start = 0; start < dev.Count; start += 32)
        {
            var rows = Enumerable.Range(start, Math.Min(32, dev.Count - start)).ToArray();
            var logits = session.Evaluate(BatchStream.ToTensors(dev.Assemble(rows)), ["logits"])["logits"].AsFloats();
            for (int i = 0; i < rows.Length; i++) scores.Add(logits[2 * i + 1] - logits[2 * i]);
        }
        return scores.ToArray();
    }

    private static List<LabelledPair> Pairs(As2Dataset d, bool context)
    {
        var neighbours = context ? As2Context.Neighbours(d) : null;
        return d.Pairs.Select(p => new LabelledPair(p.Question, p.Candidate, p.IsPositive ? 1 : 0, neighbours?[p.Row])).ToList();
    }
}
