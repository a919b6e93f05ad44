using Onnx;
using OnnxPretrain.Autodiff;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

[TestClass]
public sealed class ArtifactPipelineTests
{
    private static string NewDir() => Directory.CreateTempSubdirectory("onnxpretrain-artifacts-").FullName;

    private static readonly AdamWOptions NoClip = new() { MaxGradNorm = null, WeightDecay = 0.01f };

    [TestMethod]
    public void Build_TinyAttention_WritesEveryArtifactWithContractNames()
    {
        var dir = NewDir();
        var manifest = ArtifactBuilder.Build(TinyAttentionModel.Create(), NoClip, dir);
        foreach (var f in new[] { "training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "example_inputs.safetensors",
                     "manifest.json", "checkpoint/model.safetensors", "checkpoint/optimizer.safetensors", "checkpoint/trainer_state.json" })
            Assert.IsTrue(File.Exists(Path.Combine(dir, f)), $"missing {f}");

        var ps = manifest.Parameters.Select(p => p.Name).ToList();
        CollectionAssert.Contains(ps, "attention.query.weight");
        CollectionAssert.Contains(ps, "embeddings.LayerNorm.bias");
        string[] expectedInputs = ["input_ids", "labels", .. ps, "loss_scales", .. ps.Select(p => p + "_grad.accumulation.buffer"), "lazy_reset_grad"];
        string[] expectedOutputs = ["loss", "accuracy", .. ps.Select(p => p + "_grad")];
        using var train = OnnxModel.Load(Path.Combine(dir, "training_model.onnx"));
        CollectionAssert.AreEqual(expectedInputs, train.InputNames.ToArray());
        CollectionAssert.AreEqual(expectedOutputs, train.OutputNames.ToArray());
        using var eval = OnnxModel.Load(Path.Combine(dir, "eval_model.onnx"));
        CollectionAssert.AreEqual(new[] { "input_ids", "labels" }.Concat(ps).ToArray(), eval.InputNames.ToArray());
        CollectionAssert.AreEqual(new[] { "loss", "accuracy", "logits" }, eval.OutputNames.ToArray());
        using var opt = OnnxModel.Load(Path.Combine(dir, "optimizer_model.onnx"));
        CollectionAssert.AreEqual(AdamWGraph.InputNames(ps.Select(p => new OptimizedParameter(p, [])).ToList()), opt.InputNames.ToArray());
        Assert.AreEqual("batch", manifest.BatchInputs[0].Shape[0]);
        Assert.AreEqual("sequence", manifest.BatchInputs[0].Shape[1]);
        Assert.AreEqual(new LossTermSpec("classification", 1f, LossTargets.Labels("labels")), manifest.LossTerms.Single());
        Assert.AreEqual(manifest.LossTerms.Single(), ArtifactManifest.Load(dir).LossTerms.Single(), "loss_terms round-trip through manifest.json");
    }

    [TestMethod]
    public void Build_EveryArtifact_UsesOnlyOpsOfTheOrdinaryOrtBuild()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(), NoClip, dir);
        foreach (var file in Directory.GetFiles(dir, "*.onnx"))
        {
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(file));
            var bad = model.Graph.Node.Where(n => GradientRegistry.ForbiddenOps.Contains(n.OpType)).Select(n => n.OpType).ToList();
            Assert.IsEmpty(bad, $"{Path.GetFileName(file)} uses {string.Join(", ", bad)}");
        }
    }

    [TestMethod]
    public void Train_OverfitOneBatch_LossGoesDown()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0.1f), NoClip, dir);
        using var session = TrainingSession.Load(dir);
        var batch = TinyAttentionModel.Batch(8, seed: 3);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            var r = session.TrainStep(batch);
            if (step == 0) first = r.Loss;
            last = r.Loss;
            session.OptimizerStep(1e-2f);
        }
        Console.WriteLine($"loss {first} -> {last}");
        Assert.IsLessThan(first * 0.3f, last, $"loss {first} -> {last}");
        Assert.AreEqual(60, session.GlobalStep);
        Assert.AreEqual(1f, session.Evaluate(batch)["accuracy"].AsFloats()[0]);
    }

    [TestMethod]
    public void TrainStep_TwoHalfBatches_AccumulateToTwiceTheFullBatchMeanGradient()
    {
        // The loss is a mean over each micro-batch, so (g(half1) + g(half2)) = 2 g(full) when the halves are equal in size.
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0f), NoClip, dir);
        var batch = TinyAttentionModel.Batch(4, seed: 5);
        using var full = TrainingSession.Load(dir);
        full.TrainStep(batch);
        var g = full.GetGradients();
        using var halves = TrainingSession.Load(dir);
        halves.TrainStep(TinyAttentionModel.Rows(batch, 0, 2));
        halves.TrainStep(TinyAttentionModel.Rows(batch, 2, 2));
        var acc = halves.GetGradients();
        double maxDiff = 0;
        foreach (var (name, t) in g)
        {
            var a = t.AsFloats();
            var b = acc[name].AsFloats();
            for (int i = 0; i < a.Length; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(2 * a[i] - b[i]));
                Assert.AreEqual(2 * a[i], b[i], 1e-5 + 1e-4 * Math.Abs(a[i]), $"{name}[{i}]");
            }
        }
        Console.WriteLine($"max |2 g_full - (g_1 + g_2)| = {maxDiff:G3}");
    }

    [TestMethod]
    public void TrainStep_AfterOptimizerStep_StartsFreshAccumulation()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0f), NoClip, dir);
        var batch = TinyAttentionModel.Batch(4, seed: 5);
        using var s = TrainingSession.Load(dir);
        s.TrainStep(batch);
        s.TrainStep(batch);
        var doubled = s.GetGradients()["classifier.bias"].AsFloats();
        s.LazyResetGrad();
        s.TrainStep(batch);
        var single = s.GetGradients()["classifier.bias"].AsFloats();
        for (int i = 0; i < single.Length; i++) Assert.AreEqual(2 * single[i], doubled[i], 1e-6);
    }

    [TestMethod]
    public void SaveCheckpoint_ThenLoad_RestoresParametersMomentsAndStep()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(), NoClip, dir);
        var batch = TinyAttentionModel.Batch(4, seed: 1);
        using var s = TrainingSession.Load(dir);
        for (int i = 0; i < 3; i++) { s.TrainStep(batch); s.OptimizerStep(1e-3f); }
        var ckpt = Path.Combine(dir, "run", "checkpoint-3");
        s.SaveCheckpoint(ckpt, new TrainerState { DataPosition = 3, Seed = 42 });
        using var r = TrainingSession.Load(dir, checkpointDir: ckpt);
        Assert.AreEqual(3, r.GlobalStep);
        Assert.AreEqual(3, r.LoadedState.DataPosition);
        foreach (var (name, t) in s.GetParameters()) CollectionAssert.AreEqual(t.AsFloats(), r.GetParameters()[name].AsFloats(), name);
        foreach (var (name, t) in s.GetMoments()) CollectionAssert.AreEqual(t.AsFloats(), r.GetMoments()[name].AsFloats(), name);
        Assert.IsFalse(Directory.GetDirectories(Path.Combine(dir, "run")).Any(d => d.Contains(".tmp-") || d.EndsWith(".old")));
    }

    [TestMethod]
    public void Evaluate_DropoutOffModel_MatchesTrainingLossWithoutDropout()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(dropout: 0f), NoClip, dir);
        var batch = TinyAttentionModel.Batch(4, seed: 8);
        using var s = TrainingSession.Load(dir);
        var eval = s.Evaluate(batch);
        var train = s.TrainStep(batch);
        Assert.AreEqual(train.Loss, eval["loss"].AsFloats()[0], 1e-6);
        CollectionAssert.AreEqual(new long[] { 4, TinyAttentionModel.K }, eval["logits"].Shape);
    }

    [TestMethod]
    public void Load_CorruptCheckpoint_ThrowsNamingTheFile()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(), NoClip, dir);
        var path = Path.Combine(dir, "checkpoint", "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TrainingSession.Load(dir));
        StringAssert.Contains(e.Message, "model.safetensors");
    }

    [TestMethod]
    public void TrainStep_MissingBatchInput_ThrowsNamingIt()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(), NoClip, dir);
        using var s = TrainingSession.Load(dir);
        var batch = TinyAttentionModel.Batch(2, seed: 1);
        batch.Remove("labels");
        var e = Assert.ThrowsExactly<ArgumentException>(() => s.TrainStep(batch));
        StringAssert.Contains(e.Message, "labels");
    }

    [TestMethod]
    public void ExampleInputs_FeedBothModelsAsIs()
    {
        var dir = NewDir();
        ArtifactBuilder.Build(TinyAttentionModel.Create(), NoClip, dir);
        var example = Safetensors.Read(Path.Combine(dir, "example_inputs.safetensors")).Tensors;
        using var s = TrainingSession.Load(dir);
        Assert.IsTrue(float.IsFinite(s.TrainStep(example).Loss));
        Assert.IsTrue(float.IsFinite(s.Evaluate(example)["loss"].AsFloats()[0]));
    }
}
