using OnnxPretrain.Training;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using static OnnxPretrain.Models.Tests.TinySetup;

namespace OnnxPretrain.Models.Tests;

[TestClass]
public sealed class EncoderGradientTests
{
    /// <summary>
    /// Central finite differences of the eval model's loss against the training model's gradients for the full tiny
    /// encoder + MLM head (dropout 0), float32: 4 entries of every parameter, eps 1e-2 (the loss is smooth and
    /// float32 round-off on a loss of ~3.7 is ~1e-6), tolerance |a - n| &lt;= 3e-4 + 3e-2 |n|.
    /// </summary>
    [TestMethod]
    [DataRow("mlm", "bert"), DataRow("rts", "electra")]
    public void TrainingArtifacts_FullTinyEncoder_MatchFiniteDifferences(string type, string layout)
    {
        var objective = ObjectiveRegistry.Graph(Encoder(layout, dropout: 0f, init: 0.2f), Objective(type), T, seed: 11);
        var batch = type == "mlm" ? MaskedLmBatch(12) : DetectionBatch(12);
        var dir = Build(objective, () => batch);
        var (grads, parameters, eval) = StepForFiniteDifferences(dir, batch);
        using var _ = eval;
        var rng = new Random(5);
        int checkedCount = 0;
        double worst = 0;
        foreach (var (name, g) in grads)
        {
            var a = g.AsFloats();
            for (int k = 0; k < 4; k++)
            {
                int i = rng.Next(a.Length);
                double n = Numeric(eval, batch, parameters, name, i, 1e-2f);
                worst = Math.Max(worst, Math.Abs(a[i] - n) / (3e-4 + 3e-2 * Math.Abs(n)));
                Assert.AreEqual(n, a[i], 3e-4 + 3e-2 * Math.Abs(n), $"{name}[{i}]");
                checkedCount++;
            }
        }
        Console.WriteLine($"{type}/{layout}: {checkedCount} entries of {grads.Count} parameters; worst error / tolerance = {worst:F3}");
    }

    internal static double Numeric(OnnxModel eval, Dictionary<string, TensorData> batch, Dictionary<string, TensorData> ps, string name, int i, float eps)
    {
        var data = ps[name].AsFloats();
        float saved = data[i];
        data[i] = saved + eps;
        double plus = Loss(eval, batch, ps);
        data[i] = saved - eps;
        double minus = Loss(eval, batch, ps);
        data[i] = saved;
        return (plus - minus) / (2 * eps);
    }

    private static double Loss(OnnxModel eval, Dictionary<string, TensorData> batch, Dictionary<string, TensorData> ps)
    {
        var feed = new Dictionary<string, TensorData>(batch);
        foreach (var (k, v) in ps) feed[k] = v;
        return eval.Run(feed, ["loss"])["loss"].AsFloats()[0];
    }
}
