using System.Text.Json.Nodes;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

/// <summary>The trainer's fused in-place AdamW on the CPU against <c>optimizer_model.onnx</c>, on a real training run.</summary>
[TestClass]
public sealed class FusedOptimizerTests
{
    [TestMethod]
    [DataRow(true, DisplayName = "default AdamW: clipping at 1.0, weight decay 0.01")]
    [DataRow(false, DisplayName = "no clipping, no weight decay")]
    public void OptimizerStep_FusedOnCpu_FollowsTheOptimizerGraphOverFiveSteps(bool defaults)
    {
        // A learning rate large enough that every update is visible.
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-fused-").FullName;
        var options = defaults ? new AdamWOptions() : new AdamWOptions { MaxGradNorm = null, WeightDecay = 0f };
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0f), options, dir);
        using var fused = TrainingSession.Load(dir);
        using var graph = TrainingSession.Load(dir, new SessionConfig { OptimizerGraph = true });
        Assert.IsTrue(fused.FusedOptimizer);
        Assert.IsFalse(graph.FusedOptimizer);
        for (int step = 1; step <= 5; step++)
        {
            var batch = TinyAttentionModel.Batch(4, seed: step);
            Assert.AreEqual(graph.TrainStep(batch).Loss, fused.TrainStep(batch).Loss, 1e-5f, $"loss at step {step}");
            float graphNorm = graph.OptimizerStep(0.05f), fusedNorm = fused.OptimizerStep(0.05f);
            Assert.AreEqual(graphNorm, fusedNorm, 1e-5f * graphNorm, $"global_grad_norm at step {step}");
        }
        Assert.AreEqual(5, fused.GlobalStep);
        var expected = graph.GetParameters().Concat(graph.GetMoments());
        var actual = fused.GetParameters().Concat(fused.GetMoments()).ToDictionary();
        double moved = 0;
        foreach (var (name, t) in expected)
        {
            var a = actual[name].AsFloats();
            var e = t.AsFloats();
            for (int i = 0; i < e.Length; i++) Assert.AreEqual(e[i], a[i], 1e-5 + 1e-4 * Math.Abs(e[i]), $"{name}[{i}]");
        }
        var initial = Checkpoint.Load(Path.Combine(dir, "checkpoint")).Model.Tensors["classifier.bias"].AsFloats();
        var final = actual["classifier.bias"].AsFloats();
        for (int i = 0; i < final.Length; i++) moved = Math.Max(moved, Math.Abs(final[i] - initial[i]));
        Assert.IsGreaterThan(0.05, moved, "five steps at lr 0.05 must move the classifier bias well beyond the tolerance");
    }

    [TestMethod]
    public void OptimizerStep_FusedInSlicesOfSevenElements_EqualsWholeTensorsBitForBit()
    {
        // Slices of 7 split every weight of the tiny model (up to 13 x 8) into several runs; both sessions step on two threads.
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-fused-").FullName;
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0f), new AdamWOptions(), dir);
        using var whole = TrainingSession.Load(dir, new SessionConfig { IntraOpThreads = 2 });
        using var sliced = TrainingSession.Load(dir, new SessionConfig { IntraOpThreads = 2, OptimizerSliceElements = 7 });
        for (int step = 1; step <= 5; step++)
        {
            var batch = TinyAttentionModel.Batch(4, seed: step);
            whole.TrainStep(batch);
            sliced.TrainStep(batch);
            Assert.AreEqual(whole.OptimizerStep(0.05f), sliced.OptimizerStep(0.05f), $"global_grad_norm at step {step}");
        }
        var expected = whole.GetParameters().Concat(whole.GetMoments());
        var actual = sliced.GetParameters().Concat(sliced.GetMoments()).ToDictionary();
        foreach (var (name, t) in expected) CollectionAssert.AreEqual(t.AsFloats(), actual[name].AsFloats(), name);
    }

    [TestMethod]
    public void Load_ManifestOptimizerFieldNotANumber_ThrowsNamingTheField()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-fused-").FullName;
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0f), new AdamWOptions(), dir);
        var path = Path.Combine(dir, ArtifactManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["optimizer"]!["beta2"] = "0.999";
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TrainingSession.Load(dir));
        StringAssert.Contains(e.Message, "optimizer.beta2");
        StringAssert.Contains(e.Message, "expected a number");
        using var graph = TrainingSession.Load(dir, new SessionConfig { OptimizerGraph = true });   // the graph does not read them
        Assert.IsFalse(graph.FusedOptimizer);
    }
}
