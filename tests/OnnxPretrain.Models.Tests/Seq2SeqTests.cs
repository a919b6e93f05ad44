using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Models.Tests;

[TestClass]
public sealed class Seq2SeqTests
{
    private const int V = 40, B = 3, S = 9, Lt = 6;

    private static Seq2SeqConfig Tiny(float dropout = 0f, float init = 0.02f) => new()
    {
        VocabSize = V, DModel = 32, EncoderLayers = 2, DecoderLayers = 2, EncoderAttentionHeads = 4, DecoderAttentionHeads = 2,
        EncoderFfnDim = 64, DecoderFfnDim = 48, MaxPositionEmbeddings = 16, Dropout = dropout, InitStd = init,
    };

    /// <summary>Source rows with 0..2 trailing pads; targets of 3..6 tokens ending in 2 (eos), labels -100 after; decoder start 1.</summary>
    private static Dictionary<string, TensorData> Batch(int seed)
    {
        var rng = new Random(seed);
        var (ids, mask, dec, labels) = (new long[B * S], new long[B * S], new long[B * Lt], new long[B * Lt]);
        for (int b = 0; b < B; b++)
        {
            int len = S - rng.Next(0, 3), tlen = Lt - rng.Next(0, 4);
            for (int t = 0; t < len; t++) (ids[b * S + t], mask[b * S + t]) = (rng.Next(3, V), 1);
            for (int t = 0; t < Lt; t++) labels[b * Lt + t] = t < tlen - 1 ? rng.Next(3, V) : t == tlen - 1 ? 2 : -100;
            for (int t = 0; t < Lt; t++) dec[b * Lt + t] = t == 0 ? 1 : Math.Max(0, labels[b * Lt + t - 1]);
        }
        return new()
        {
            ["input_ids"] = TensorData.Create(ids, B, S), ["attention_mask"] = TensorData.Create(mask, B, S),
            ["decoder_input_ids"] = TensorData.Create(dec, B, Lt), ["labels"] = TensorData.Create(labels, B, Lt),
        };
    }

    private static string Build(Seq2SeqConfig c, Dictionary<string, TensorData> batch, float lr = 0)
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-seq2seq-").FullName;
        var objective = new Seq2SeqLmObjective(c, "seq2seq", seed: 7);
        ArtifactBuilder.Build(new TrainableModel("tiny-seq2seq", objective.Build, () => batch), new AdamWOptions { WeightDecay = 0f }, dir);
        return dir;
    }

    [TestMethod]
    public void Seq2Seq_ParameterNames_FollowHuggingFaceBart()
    {
        var g = Graph.Create();
        new Seq2SeqLmObjective(Tiny(), "gsg", 1).Build(g, training: true);
        var names = g.Parameters.Select(p => p.Value.Name).ToHashSet();
        foreach (var n in new[] { "model.shared.weight", "model.encoder.embed_positions.weight", "model.encoder.layernorm_embedding.weight",
            "model.encoder.layers.1.self_attn.q_proj.weight", "model.encoder.layers.0.fc1.bias", "model.encoder.layers.0.final_layer_norm.weight",
            "model.decoder.layers.1.encoder_attn.k_proj.weight", "model.decoder.layers.0.encoder_attn_layer_norm.bias",
            "model.decoder.layers.1.self_attn.out_proj.weight", "model.decoder.embed_positions.weight" })
            Assert.Contains(n, names);
        Assert.IsFalse(names.Any(n => n.StartsWith("lm_head", StringComparison.Ordinal)), "the LM head is tied to model.shared.weight");
        Assert.AreEqual(1 + 3 + 3 + 2 * 16 + 2 * 26, names.Count, string.Join(", ", names.Order()));
        Assert.AreEqual(16 + 2, g["model.decoder.embed_positions.weight"].Shape[0].Value);
    }

    [TestMethod]
    public void Seq2Seq_Logits_AreCausalAndIgnoreSourcePadding()
    {
        var batch = Batch(3);
        var dir = Build(Tiny(init: 0.2f), batch);
        using var eval = OnnxModel.Load(Path.Combine(dir, "eval_model.onnx"));
        var ps = TrainingSession.Load(dir).GetParameters();
        float[] Logits(Dictionary<string, TensorData> b)
        {
            var feed = new Dictionary<string, TensorData>(b);
            foreach (var (k, v) in ps) feed[k] = v;
            return eval.Run(feed, ["logits"])["logits"].AsFloats();
        }
        var reference = Logits(batch);
        // Change decoder tokens from position 3 on: logits at positions 0..2 must not move.
        var changed = new Dictionary<string, TensorData>(batch);
        var dec = (long[])batch["decoder_input_ids"].AsInt64s().Clone();
        for (int b = 0; b < B; b++) for (int t = 3; t < Lt; t++) dec[b * Lt + t] = (dec[b * Lt + t] + 7) % V;
        changed["decoder_input_ids"] = TensorData.Create(dec, B, Lt);
        var after = Logits(changed);
        double early = 0, late = 0;
        for (int b = 0; b < B; b++) for (int t = 0; t < Lt; t++) for (int v = 0; v < V; v++)
        {
            int i = (b * Lt + t) * V + v;
            if (t < 3) early = Math.Max(early, Math.Abs(after[i] - reference[i])); else late = Math.Max(late, Math.Abs(after[i] - reference[i]));
        }
        Assert.AreEqual(0, early, 1e-6, "a decoder position saw a later token");
        Assert.IsGreaterThan(1e-3, late, "changed tokens had no effect at all");
        // Change padded source tokens (attention_mask 0): no logit may move.
        var padded = new Dictionary<string, TensorData>(batch);
        var ids = (long[])batch["input_ids"].AsInt64s().Clone();
        var mask = batch["attention_mask"].AsInt64s();
        for (int i = 0; i < ids.Length; i++) if (mask[i] == 0) ids[i] = 5;
        padded["input_ids"] = TensorData.Create(ids, B, S);
        Assert.AreEqual(0, Logits(padded).Zip(reference).Max(p => Math.Abs(p.First - p.Second)), 1e-5);
    }

    /// <summary>Central finite differences of the eval loss against the training gradients, 3 entries of every parameter (as EncoderGradientTests).</summary>
    [TestMethod]
    public void Seq2Seq_TrainingGradients_MatchFiniteDifferences()
    {
        var batch = Batch(5);
        var dir = Build(Tiny(init: 0.2f), batch);
        var (grads, parameters, eval) = TinySetup.StepForFiniteDifferences(dir, batch);
        using var _ = eval;
        var rng = new Random(9);
        foreach (var (name, g) in grads)
        {
            var a = g.AsFloats();
            for (int k = 0; k < 3; k++)
            {
                int i = rng.Next(a.Length);
                double n = EncoderGradientTests.Numeric(eval, batch, parameters, name, i, 1e-2f);
                Assert.AreEqual(n, a[i], 3e-4 + 3e-2 * Math.Abs(n), $"{name}[{i}]");
            }
        }
    }

    /// <summary>Copy task: the target is the source's real tokens then eos (3..6 random tokens, source padded to S).</summary>
    private static Dictionary<string, TensorData> CopyBatch(Random rng, int rows)
    {
        var (ids, mask, dec, labels) = (new long[rows * S], new long[rows * S], new long[rows * Lt], new long[rows * Lt]);
        for (int b = 0; b < rows; b++)
        {
            int len = rng.Next(3, Lt);
            for (int t = 0; t < len; t++) (ids[b * S + t], mask[b * S + t]) = (rng.Next(3, V), 1);
            for (int t = 0; t < Lt; t++) labels[b * Lt + t] = t < len ? ids[b * S + t] : t == len ? 2 : -100;
            for (int t = 0; t < Lt; t++) dec[b * Lt + t] = t == 0 ? 1 : Math.Max(0, labels[b * Lt + t - 1]);
        }
        return new()
        {
            ["input_ids"] = TensorData.Create(ids, rows, S), ["attention_mask"] = TensorData.Create(mask, rows, S),
            ["decoder_input_ids"] = TensorData.Create(dec, rows, Lt), ["labels"] = TensorData.Create(labels, rows, Lt),
        };
    }

    /// <summary>
    /// Trained on fresh random sources, the model copies unseen ones: only cross-attention can carry the source tokens
    /// to the decoder (a decoder that ignored the encoder would score about 1/37 on the random tokens).
    /// </summary>
    [TestMethod]
    public void Seq2Seq_CopyTask_GeneralisesToUnseenSources()
    {
        var rng = new Random(5);
        var dir = Build(Tiny(), CopyBatch(rng, 16));
        using var session = TrainingSession.Load(dir);
        for (int step = 0; step < 400; step++)
        {
            session.TrainStep(CopyBatch(rng, 16));
            session.OptimizerStep(3e-3f);
        }
        var test = CopyBatch(new Random(99), 32);
        using var eval = OnnxModel.Load(Path.Combine(dir, "eval_model.onnx"));
        var feed = new Dictionary<string, TensorData>(test);
        foreach (var (k, v) in session.GetParameters()) feed[k] = v;
        var logits = eval.Run(feed, ["logits"])["logits"].AsFloats();
        var labels = test["labels"].AsInt64s();
        int right = 0, total = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 3) continue; // eos and ignored positions: only the copied random tokens count
            var row = logits.AsSpan(i * V, V);
            right += row.IndexOf(MaxOf(row)) == labels[i] ? 1 : 0;
            total++;
        }
        Console.WriteLine($"copy task: {right}/{total} unseen source tokens copied");
        Assert.IsGreaterThan(0.9, right / (double)total);
    }

    private static float MaxOf(ReadOnlySpan<float> row)
    {
        float m = float.NegativeInfinity;
        foreach (var x in row) m = Math.Max(m, x);
        return m;
    }

    [TestMethod]
    public void Seq2Seq_OneBatch_Overfits()
    {
        var batch = Batch(8);
        using var session = TrainingSession.Load(Build(Tiny(), batch));
        var losses = new List<double>();
        for (int step = 0; step < 80; step++)
        {
            losses.Add(session.TrainStep(batch).Loss);
            session.OptimizerStep(3e-3f);
        }
        Console.WriteLine($"seq2seq overfit: loss {losses[0]:F3} -> {losses[^1]:F4}");
        Assert.AreEqual(Math.Log(V), losses[0], 0.3, "initial loss should be near ln V");
        Assert.IsLessThan(0.05, losses[^1]);
    }
}
