using OnnxPretrain.Training;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using static OnnxPretrain.Models.Tests.TinySetup;

namespace OnnxPretrain.Models.Tests;

[TestClass]
public sealed class RetrievalObjectiveTests
{
    private static Dictionary<string, TensorData> Run(Graph g, Dictionary<string, TensorData> feed)
    {
        using var model = OnnxModel.Load(ModelWriter.ToBytes(g, ParameterLayout.AsInputs));
        return model.Run(feed);
    }

    private static float[] Random(int n, int seed,
        double scale = 1) { var r = new Random(seed); return Enumerable.Range(0, n).Select(_ => (float)((r.NextDouble() * 2 - 1) * scale)).ToArray(); }

    [TestMethod]
    public void PairwiseMargin_RandomScores_MatchesPlainHingeAndAccuracy()
    {
        const int b = 7;
        var scores = Random(2 * b, 1, 2);
        var g = Graph.Create("margin");
        var (loss, accuracy) = Heads.PairwiseMargin(g, g.Input("scores", DataType.Float, Shape.Of([b, 2])), 1f);
        g.Output(loss, "loss");
        g.Output(accuracy, "accuracy");
        var r = Run(g, new() { ["scores"] = TensorData.Create(scores, b, 2) });
        double expected = Enumerable.Range(0, b).Sum(i => Math.Max(0, 1 - scores[2 * i] + scores[2 * i + 1]));   // summed: the trainer divides by the targets
        double acc = Enumerable.Range(0, b).Average(i => scores[2 * i] > scores[2 * i + 1] ? 1.0 : 0.0);
        Assert.AreEqual(expected, r["loss"].AsFloats()[0], 1e-5);
        Assert.AreEqual(acc, r["accuracy"].AsFloats()[0], 1e-6);
    }

    [TestMethod]
    [DataRow(true), DataRow(false)]
    public void InfoNce_RandomEmbeddings_MatchesPlainComputation(bool symmetric)
    {
        const int b = 4, h = 6;
        const float tau = 0.05f;
        var x = Random(2 * b * h, 2);
        var g = Graph.Create("infonce");
        var labels = g.Input("labels", DataType.Int64, Shape.Of([b]));
        var normalised = ContrastiveObjective.Normalize(g, g.Input("x", DataType.Float, Shape.Of([2 * b, h])));
        var (logits, loss) = ContrastiveObjective.InfoNce(g, normalised, h, labels, tau, symmetric);
        g.Output(logits, "logits");
        g.Output(loss, "loss");
        var r = Run(g, new() { ["x"] = TensorData.Create(x, 2 * b, h), ["labels"] = TensorData.Create(new long[] { 0, 1, 2, 3 }, b) });

        double[][] e = Enumerable.Range(0,
            2 * b).Select(i => { var v = x.Skip(i * h).Take(h).Select(f
                => (double)f).ToArray(); double n = Math.Sqrt(v.Sum(z => z * z)); return v.Select(z => z / n).ToArray(); }).ToArray();
        double[,] s = new double[b, b];
        for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) s[i, j] = e[i].Zip(e[b + j], (p, q) => p * q).Sum() / tau;
        double Ce(Func<int, int, double> l) => Enumerable.Range(0, b).Sum(i => Math.Log(Enumerable.Range(0, b).Sum(j => Math.Exp(l(i, j)))) - l(i, i));
        // Summed over rows: the trainer divides by the targets of the window.
        double expected = symmetric ? (Ce((i, j) => s[i, j]) + Ce((i, j) => s[j, i])) / 2 : Ce((i, j) => s[i, j]);
        var got = r["logits"].AsFloats();
        for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) Assert.AreEqual(s[i, j], got[i * b + j], 1e-3, $"logit ({i}, {j})");
        Assert.AreEqual(expected, r["loss"].AsFloats()[0], 1e-3 * Math.Max(1, expected));
    }

    [TestMethod]
    public void MeanPool_PaddedRows_AverageOnlyRealPositions()
    {
        const int n = 3, t = 4, h = 2;
        var hidden = Random(n * t * h, 3);
        long[] mask = [1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0];
        var g = Graph.Create("pool");
        g.Output(ContrastiveObjective.MeanPool(g, g.Input("h", DataType.Float, Shape.Of([n, t, h])), g.Input("m", DataType.Int64, Shape.Of([n, t]))), "pooled");
        var got = Run(g, new() { ["h"] = TensorData.Create(hidden, n, t, h), ["m"] = TensorData.Create(mask, n, t) })["pooled"].AsFloats();
        for (int i = 0; i < n; i++)
            for (int k = 0; k < h; k++)
            {
                var real = Enumerable.Range(0, t).Where(j => mask[i * t + j] == 1).ToList();
                Assert.AreEqual(real.Average(j => hidden[(i * t + j) * h + k]), got[i * h + k], 1e-5, $"row {i} dim {k}");
            }
    }

    private static Dictionary<string, TensorData> ContrastiveBatch(int seed)
    {
        var (ids, mask) = Sequences(seed);
        return new()
        {
            ["input_ids"] = TensorData.Create(ids, B, T), ["attention_mask"] = TensorData.Create(mask, B, T),
            ["token_type_ids"] = TensorData.Create(new long[B * T], B, T), ["contrastive_labels"] = TensorData.Create(new long[] { 0, 1 }, B / 2),
        };
    }

    [TestMethod]
    [DataRow("prop"), DataRow("contrastive")]
    public void TinyModel_FixedBatch_GradientsMatchFiniteDifferencesAndLossFalls(string type)
    {
        var objective = ObjectiveRegistry.Graph(Encoder(dropout: 0f, init: 0.2f), Objective(type), T, seed: 13);
        var batch = type == "prop" ? MaskedLmBatch(14) : ContrastiveBatch(14);
        var dir = Build(objective, () => batch);
        AssertSampledGradients(dir, batch, (_, i) => i % 3 == 0);
        var (first, last) = Overfit(dir, batch, 40, 3e-3f);
        Assert.IsLessThan(first / 2, last, $"loss {first} -> {last}");
    }
}
