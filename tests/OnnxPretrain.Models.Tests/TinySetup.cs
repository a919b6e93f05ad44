using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Models.Tests;

/// <summary>Tiny encoders, hand-made batches and artifact folders for the objective tests.</summary>
public static class TinySetup
{
    public const int V = 40, T = 12, B = 4;
    public const int Cls = 1, Sep = 2, Mask = 3, Pad = 0;

    public static EncoderConfig Encoder(string type = "electra", float dropout = 0f, float init = 0.02f) => new()
    {
        ModelType = type, VocabSize = V, HiddenSize = 32, EmbeddingSize = type == "electra" ? 16 : null, NumHiddenLayers = 2,
        NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 16, HiddenDropoutProb = dropout,
        AttentionProbsDropoutProb = dropout, InitializerRange = init,
    };

    public static ObjectiveConfig Objective(string type) =>
        ObjectiveRegistry.NewConfig(type) is ClusterTokenDetectionConfig crts ? crts with { Clusters = "c.txt" } : ObjectiveRegistry.NewConfig(type);

    public static string Build(PretrainingObjective objective, Func<Dictionary<string, TensorData>> batch, float? maxGradNorm = null)
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-models-").FullName;
        var model = new TrainableModel($"tiny-{objective.Objective.Type}", objective.Build, batch);
        ArtifactBuilder.Build(model, new AdamWOptions { MaxGradNorm = maxGradNorm, WeightDecay = 0f }, dir);
        return dir;
    }

    /// <summary>Trains <paramref name="steps"/> steps on one fixed batch at lr <paramref name="lr"/>; returns the first and last loss.</summary>
    public static (float First, float Last) Overfit(string dir, Dictionary<string, TensorData> batch, int steps, float lr)
    {
        using var s = TrainingSession.Load(dir);
        float first = 0, last = 0;
        for (int i = 0; i < steps; i++)
        {
            var r = s.TrainStep(batch);
            Assert.IsTrue(float.IsFinite(r.Loss), $"step {i}: loss {r.Loss}");
            if (i == 0) first = r.Loss;
            last = r.Loss;
            s.OptimizerStep(lr);
        }
        Console.WriteLine($"{Path.GetFileName(dir)}: loss {first:F4} -> {last:F4}");
        return (first, last);
    }

    /// <summary>
    /// One training step on <paramref name="batch"/>, then one random entry of every parameter <paramref name="pick"/>
    /// selects (by name and position in the gradient list) against central finite differences of the eval model.
    /// </summary>
    /// <returns>The names checked.</returns>
    public static List<string> AssertSampledGradients(string dir, Dictionary<string, TensorData> batch, Func<string, int, bool> pick)
    {
        var (grads, parameters, eval) = StepForFiniteDifferences(dir, batch);
        using var _ = eval;
        var rng = new Random(6);
        var picked = grads.Where((kv, i) => pick(kv.Key, i)).ToList();
        foreach (var (name, g) in picked)
        {
            int i = rng.Next(g.AsFloats().Length);
            double n = EncoderGradientTests.Numeric(eval, batch, parameters, name, i, 1e-2f);
            Assert.AreEqual(n, g.AsFloats()[i], 5e-4 + 5e-2 * Math.Abs(n), $"{name}[{i}]");
        }
        return picked.Select(kv => kv.Key).ToList();
    }

    /// <summary>
    /// One training step of the artifacts in <paramref name="dir"/> on <paramref name="batch"/>: the gradients and the
    /// parameters it ran with (copies), and the eval model to take finite differences with (the caller disposes it).
    /// </summary>
    public static (Dictionary<string, TensorData> Grads, Dictionary<string, TensorData> Parameters, OnnxModel Eval) StepForFiniteDifferences(
        string dir, Dictionary<string, TensorData> batch)
    {
        using var session = TrainingSession.Load(dir);
        session.TrainStep(batch);
        return (session.GetGradients(), session.GetParameters(), OnnxModel.Load(Path.Combine(dir, "eval_model.onnx")));
    }

    /// <summary>Random sequences [CLS] w... [SEP] [PAD]..., with the given per-row real lengths.</summary>
    public static (long[] Ids, long[] Mask) Sequences(int seed, int b = B)
    {
        var rng = new Random(seed);
        var ids = new long[b * T];
        var mask = new long[b * T];
        for (int r = 0; r < b; r++)
        {
            int len = T - rng.Next(0, 4);
            for (int t = 0; t < len; t++)
            {
                ids[r * T + t] = t == 0 ? Cls : t == len - 1 ? Sep : rng.Next(4, V);
                mask[r * T + t] = 1;
            }
        }
        return (ids, mask);
    }

    /// <summary>A masked-LM batch: 4 selected tokens per row at t = 1, 3, 5, 7 (flattened b·T + t, M = 4B), labels = originals.</summary>
    public static Dictionary<string, TensorData> MaskedLmBatch(int seed, bool electraNoise = false, int p = 4)
    {
        var (ids, mask) = Sequences(seed);
        var positions = new long[B * p];
        var labels = new long[B * p];
        var input = (long[])ids.Clone();
        for (int r = 0; r < B; r++)
            for (int k = 0; k < p; k++)
            {
                int t = 1 + k * 2;
                positions[r * p + k] = r * T + t;
                labels[r * p + k] = ids[r * T + t];
                if (k % 2 == 0) input[r * T + t] = Mask;
            }
        var batch = Encoded(input, mask);
        batch["masked_lm_positions"] = TensorData.Create(positions, B * p);
        batch["masked_lm_labels"] = TensorData.Create(labels, B * p);
        if (electraNoise)
        {
            var rng = new Random(seed + 1);
            batch["sampling_noise"] = TensorData.Create(Enumerable.Range(0,
                B * p * V).Select(_ => (float)(0.001 + 0.998 * rng.NextDouble())).ToArray(), B * p, V);
        }
        return batch;
    }

    /// <summary>A token-detection batch: every third real non-special token swapped, labels 1 there, 0 elsewhere, -100 at padding.</summary>
    public static Dictionary<string, TensorData> DetectionBatch(int seed)
    {
        var (ids, mask) = Sequences(seed);
        var labels = new long[ids.Length];
        var rng = new Random(seed + 7);
        for (int i = 0; i < ids.Length; i++)
        {
            labels[i] = mask[i] == 0 ? -100 : 0;
            if (mask[i] == 1 && ids[i] >= 4 && i % 3 == 0) { ids[i] = rng.Next(4, V); labels[i] = 1; }
        }
        var batch = Encoded(ids, mask);
        batch["labels"] = TensorData.Create(labels, B, T);
        return batch;
    }

    private static Dictionary<string, TensorData> Encoded(long[] ids, long[] mask) => new()
    {
        ["input_ids"] = TensorData.Create(ids, B, T),
        ["attention_mask"] = TensorData.Create(mask, B, T),
        ["token_type_ids"] = TensorData.Create(new long[ids.Length], B, T),
    };
}
