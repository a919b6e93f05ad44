using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

/// <summary>
/// A one-layer, one-head attention classifier used to test the artifact pipeline end to end:
/// token embedding -> LayerNorm -> self-attention (+ residual) -> GELU MLP -> mean pool -> logits -> cross-entropy.
/// Shapes: B = batch, T = sequence, C = hidden, V = vocabulary, K = classes.
/// </summary>
public static class TinyAttentionModel
{
    public const int V = 13, C = 8, K = 3, T = 5, B = 4;

    public static TrainableModel Create(float dropout = 0.1f, int seed = 7) => new(
        "tiny-attention",
        (g, training) => Build(g, training, dropout, seed),
        () => Batch(B, seed: 99));

    public static ForwardOutputs Build(Graph g, bool training, float dropout, int seed)
    {
        var rng = new Random(seed);
        var ids = g.Input("input_ids", DataType.Int64, new Shape("batch", "sequence"));
        var labels = g.Input("labels", DataType.Int64, new Shape("batch"));
        Value x;
        using (g.Scope("embeddings"))
        {
            var wte = g.Parameter("word_embeddings.weight", Normal(rng, V, C));
            x = g.Gather(wte, ids);                                                            // (B, T, C)
            using (g.Scope("LayerNorm"))
                x = g.LayerNormalization(x, g.Parameter("weight", Fill(1f, C)), g.Parameter("bias", Fill(0f, C))).Y;
        }
        using (g.Scope("attention"))
        {
            var q = Linear(g, rng, "query", x, C, C);                                          // (B, T, C)
            var k = Linear(g, rng, "key", x, C, C);
            var v = Linear(g, rng, "value", x, C, C);
            var scores = g.Mul(g.MatMul(q, g.Transpose(k, 0, 2, 1)), g.Scalar(1 / Math.Sqrt(C), DataType.Float)); // (B, T, T)
            var probs = g.Dropout(g.Softmax(scores), dropout, training).Y;
            x = g.Add(x, Linear(g, rng, "output", g.MatMul(probs, v), C, C));                // (B, T, C)
        }
        using (g.Scope("mlp"))
            x = g.Add(x, Linear(g, rng, "fc2", g.Gelu(Linear(g, rng, "fc1", x, C, 2 * C)), 2 * C, C));
        var pooled = g.ReduceMean(x, [1], keepDims: false);                                   // (B, C)
        Value logits;
        using (g.Scope("classifier")) logits = Linear(g, rng, "", pooled, C, K);             // (B, K)
        var loss = g.SoftmaxCrossEntropyLoss(logits, labels, reduction: "sum").Loss;
        var argmax = g.AddNode("ArgMax", [logits], [new Graph.OutputSpec(DataType.Int64, new Shape("batch"))],
            new Dictionary<string, object> { ["axis"] = 1L, ["keepdims"] = 0L })[0];
        var accuracy = g.ReduceMean(g.Cast(g.Equal(argmax, labels), DataType.Float), [], keepDims: false);
        return new ForwardOutputs([new("classification", loss, LossTargets.Labels("labels"))], [new("accuracy", accuracy)], [new("logits", logits)]);
    }

    private static Value Linear(Graph g, Random rng, string name, Value x, int inF, int outF)
    {
        using var scope = name.Length > 0 ? g.Scope(name) : null;
        var w = g.Parameter("weight", Normal(rng, outF, inF));           // HF orientation (out, in)
        var b = g.Parameter("bias", Fill(0f, outF));
        return g.Add(g.MatMul(x, g.Transpose(w, 1, 0)), b);
    }

    private static TensorData Normal(Random rng, params long[] shape)
    {
        var n = (int)shape.Aggregate(1L, (a, b) => a * b);
        return TensorData.Create(Enumerable.Range(0, n).Select(_ => (float)(0.3 * (rng.NextDouble() * 2 - 1))).ToArray(), shape);
    }

    private static TensorData Fill(float v, params long[] shape) =>
        TensorData.Create(Enumerable.Repeat(v, (int)shape.Aggregate(1L, (a, b) => a * b)).ToArray(), shape);

    public static Dictionary<string, TensorData> Batch(int batch, int seed)
    {
        var rng = new Random(seed);
        var ids = Enumerable.Range(0, batch * T).Select(_ => (long)rng.Next(V)).ToArray();
        var labels = Enumerable.Range(0, batch).Select(_ => (long)rng.Next(K)).ToArray();
        return new() { ["input_ids"] = TensorData.Create(ids, batch, T), ["labels"] = TensorData.Create(labels, batch) };
    }

    public static Dictionary<string, TensorData> Rows(Dictionary<string, TensorData> batch, int from, int count)
    {
        var ids = batch["input_ids"].AsInt64s().Skip(from * T).Take(count * T).ToArray();
        var labels = batch["labels"].AsInt64s().Skip(from).Take(count).ToArray();
        return new() { ["input_ids"] = TensorData.Create(ids, count, T), ["labels"] = TensorData.Create(labels, count) };
    }
}
