using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

/// <summary>
/// Token-weighted gradient accumulation: micro-batches of 1 and 3 loss targets give exactly the loss and gradient of
/// the one batch holding all four (a mean of per-micro-batch means weighs the single row like the other three).
/// </summary>
[TestClass]
public sealed class TokenWeightingTests
{
    private static readonly AdamWOptions NoClip = new() { MaxGradNorm = null, WeightDecay = 0f };

    private static string Artifacts(AdamWOptions? optimizer = null)
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-weighting-").FullName;
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0f), optimizer ?? NoClip, dir);
        return dir;
    }

    private static double RelativeL2(Dictionary<string, TensorData> a, Dictionary<string, TensorData> b)
    {
        double diff = 0, norm = 0;
        foreach (var (name, t) in a)
        {
            var x = t.AsFloats();
            var y = b[name].AsFloats();
            for (int i = 0; i < x.Length; i++) { diff += (x[i] - y[i]) * (double)(x[i] - y[i]); norm += x[i] * (double)x[i]; }
        }
        return Math.Sqrt(diff / norm);
    }

    [TestMethod]
    public void UnevenMicroBatches_WithTheWindowsScales_EqualTheFullBatch()
    {
        var dir = Artifacts();
        var batch = TinyAttentionModel.Batch(4, seed: 5);
        using var full = TrainingSession.Load(dir);
        float fullLoss = full.TrainStep(batch).Loss;
        var fullGrad = full.GetGradients();

        using var split = TrainingSession.Load(dir);
        var parts = new[] { TinyAttentionModel.Rows(batch, 0, 1), TinyAttentionModel.Rows(batch, 1, 3) };
        var window = WindowSums.Total(parts.Select(split.CountTargets));
        CollectionAssert.AreEqual(new long[] { 4 }, window);
        var scales = TrainingSession.LossScales(window);
        double loss = parts.Sum(p => split.TrainStep(p, scales).Loss);
        Assert.AreEqual(fullLoss, loss, 1e-5);
        Assert.IsLessThan(1e-5, RelativeL2(fullGrad, split.GetGradients()));

        using var means = TrainingSession.Load(dir);                     // the old rule: each micro-batch its own mean
        foreach (var p in parts) means.TrainStep(p);
        means.ScaleGradients(0.5f);
        double meanOfMeans = RelativeL2(fullGrad, means.GetGradients());
        Console.WriteLine($"relative L2 of the mean-of-means gradient: {meanOfMeans:F3}");
        Assert.IsGreaterThan(0.05, meanOfMeans, "the two rules differ on this batch, so the first assertion can fail");
    }

    [TestMethod]
    public void Trainer_AccumulationOf1And3Rows_LogsAndStepsAsOneBatchOf4()
    {
        var batch = TinyAttentionModel.Batch(4, seed: 5);
        var (fullLoss, fullParams) = TrainOneStep(new FixedBatches([batch]), accumulation: 1);
        var (loss, parameters) = TrainOneStep(new FixedBatches([TinyAttentionModel.Rows(batch, 0, 1), TinyAttentionModel.Rows(batch, 1, 3)]), accumulation: 2);
        Assert.AreEqual(fullLoss, loss, 1e-5);
        foreach (var (name, t) in fullParams)
            CollectionAssert.AreEqual(t.AsFloats(), parameters[name].AsFloats(), new Tolerance(1e-6f), name);
    }

    /// <summary>
    /// The hand-computed case: per-target losses (2.0) and (0.5, 1.0, 1.5) in two micro-batches. Token-weighted:
    /// (2.0 + 3.0) / 4 = 1.25; the old mean of means would give (2.0 + 1.0) / 2 = 1.5. The model's loss is
    /// Σ w · loss_i with w = 1, so the gradient of w equals the loss.
    /// </summary>
    [TestMethod]
    public void PerTargetLosses_2_And_05_1_15_AccumulateTo1Point25()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-weighting-").FullName;
        ArtifactBuilder.Build(new TrainableModel("given-losses", (g, _) => GivenLosses(g), () => LossBatch(1f)), NoClip, dir);
        using var session = TrainingSession.Load(dir);
        var parts = new[] { LossBatch(2.0f), LossBatch(0.5f, 1.0f, 1.5f) };
        var scales = TrainingSession.LossScales(WindowSums.Total(parts.Select(session.CountTargets)));
        double loss = parts.Sum(p => session.TrainStep(p, scales).Loss);
        Assert.AreEqual(1.25, loss, 1e-6);
        Assert.AreEqual(1.25f, session.GetGradients()["w"].AsFloats()[0], 1e-6f);
    }

    /// <summary>Loss term "given": Σ_i w · per_target_loss[i] over the rows, one target per row (labels all 0).</summary>
    private static ForwardOutputs GivenLosses(Graph g)
    {
        var losses = g.Input("per_target_loss", DataType.Float, new Shape("batch"));
        _ = g.Input("labels", DataType.Int64, new Shape("batch"));
        var w = g.Parameter("w", TensorData.Create(new[] { 1f }, 1));
        var sum = g.ReduceSum(g.Mul(losses, w), [0], keepDims: false);                    // scalar
        return new ForwardOutputs([new("given", sum, LossTargets.Labels("labels"))], [], []);
    }

    private static Dictionary<string, TensorData> LossBatch(params float[] losses) => new()
    {
        ["per_target_loss"] = TensorData.Create(losses, losses.Length),
        ["labels"] = TensorData.Create(new long[losses.Length], losses.Length),
    };

    private static (double Loss, Dictionary<string, TensorData> Parameters) TrainOneStep(IBatchSource source, int accumulation)
    {
        // AdamW's epsilon 1 makes its first update about lr * gradient (not lr * sign), so the parameters show the gradient.
        var dir = Artifacts(NoClip with { Epsilon = 1f });
        using var session = TrainingSession.Load(dir);
        var config = new TrainingConfig { Steps = 1, LearningRate = 1e-2, WarmupSteps = 0, Schedule = "constant",
            GradientAccumulationSteps = accumulation, CheckpointEvery = 0 };
        new Trainer(session, source, null, config, dir, 1).Run();
        var row = MetricsLog.Read(Path.Combine(dir, "metrics.jsonl")).Single(o => (string?)o["split"] == "train");
        var parameters = session.Manifest.TrainableParameters.ToDictionary(p => p.Name,
            p => TensorData.Create(session.ParameterValues(p.Name).ToArray(), p.Shape));
        return ((double)row["loss"]!, parameters);
    }

    /// <summary>Batch k of a fixed list (tensors turned into batch arrays).</summary>
    private sealed class FixedBatches(IReadOnlyList<Dictionary<string, TensorData>> batches) : IBatchSource
    {
        public Batch Get(long position)
        {
            var b = batches[(int)(position % batches.Count)];
            return new Batch(b.ToDictionary(kv => kv.Key, kv => new BatchArray(kv.Value.Data, kv.Value.Shape)), b["input_ids"].ElementCount);
        }
    }

    private sealed class Tolerance(float epsilon) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= epsilon ? 0 : 1;
    }
}
