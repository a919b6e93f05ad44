using Google.Protobuf;
using OnnxPretrain.Export;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Training.Tests.Import;

/// <summary>
/// ONNX import offline: our tiny export rewritten into the layout of a PyTorch export (each Linear weight an anonymous
/// (in, out) initializer fed straight to MatMul, no Transpose), then imported without a config.json.
/// </summary>
[TestClass]
public sealed class OnnxImportTests
{
    private static (string Model, Dictionary<string, TensorData> Weights) TorchStyleExport()
    {
        var weights = ImportFixture.HfTensors().Where(kv => kv.Key != "embeddings.position_ids").ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-torchstyle-").FullName;
        var model = EncoderExport.Write(ImportFixture.Tiny, weights, dir);
        File.Delete(Path.Combine(dir, "config.json"));
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Fixture.VocabTokens());
        var proto = ModelReader.Load(model);
        var g = proto.Graph;
        int anonymous = 900;
        foreach (var transpose in g.Node.Where(n => n.OpType == "Transpose" && g.Initializer.Any(t => t.Name == n.Input[0])).ToList())
        {
            var init = g.Initializer.Single(t => t.Name == transpose.Input[0]);
            var data = ModelReader.ToTensorData(init, dir);
            var (rows, cols) = ((int)data.Shape[0], (int)data.Shape[1]);
            var src = data.AsFloats();
            var t = new float[src.Length];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = src[r * cols + c];
            var renamed = ModelWriter.Tensor($"onnx::MatMul_{anonymous++}", TensorData.Create(t, cols, rows));
            foreach (var user in g.Node.Where(n => n.Input.Contains(transpose.Output[0])))
                for (int i = 0; i < user.Input.Count; i++) if (user.Input[i] == transpose.Output[0]) user.Input[i] = renamed.Name;
            g.Node.Remove(transpose);
            g.Initializer.Remove(init);
            g.Initializer.Add(renamed);
        }
        Assert.IsFalse(g.Initializer.Any(t => t.Name.EndsWith("dense.weight")), "every Linear weight should be anonymous now");
        File.WriteAllBytes(model, proto.ToByteArray());
        return (model, weights);
    }

    [TestMethod]
    public void TorchStyleOnnx_NamesWeightsFromBiases_TransposesThem_AndInfersTheShape()
    {
        var (model, weights) = TorchStyleExport();
        var encoder = PretrainedImport.Read(model, null, TextWriter.Null);
        Assert.AreEqual(ImportFixture.Tiny with { }, encoder.Config);
        var (mapped, report) = PretrainedImport.MapToParameters(encoder);
        Assert.HasCount(weights.Count, report.Loaded);
        foreach (var (name, t) in weights)
        {
            CollectionAssert.AreEqual(t.Shape, mapped[name].Shape, name);
            CollectionAssert.AreEqual(t.AsFloats(), mapped[name].AsFloats(), name);
        }
    }

    [TestMethod]
    public void TorchStyleOnnx_StillRuns_AndItsImportExportsTheSameOutputs()
    {
        var (model, _) = TorchStyleExport();
        var outDir = Path.Combine(Path.GetDirectoryName(model)!, "imported");
        PretrainedImport.Run(new ImportOptions(model, outDir), TextWriter.Null);
        var again = EncoderExport.Write(ImportFixture.Tiny, Safetensors.Read(Path.Combine(outDir, Checkpoint.ModelFile)).Tensors,
            Path.Combine(outDir, "export"));
        var batch = new Dictionary<string, TensorData>
        {
            ["input_ids"] = TensorData.Create(new long[] { 2, 10, 11, 3, 2, 12, 3, 0 }, 2, 4),
            ["attention_mask"] = TensorData.Create(new long[] { 1, 1, 1, 1, 1, 1, 1, 0 }, 2, 4),
            ["token_type_ids"] = TensorData.Create(new long[8], 2, 4),
        };
        using var source = OnnxModel.Load(model);
        using var ours = OnnxModel.Load(again);
        var a = source.Run(batch, ["last_hidden_state"])["last_hidden_state"].AsFloats();
        var b = ours.Run(batch, ["last_hidden_state"])["last_hidden_state"].AsFloats();
        Assert.IsLessThan(1e-5, a.Zip(b).Max(p => Math.Abs(p.First - p.Second)));
    }

    [TestMethod]
    public void Electra_HfFolderWithPrefixProjectionAndDiscriminator_KeepsTheHead()
    {
        var config = ImportFixture.Tiny with { ModelType = "electra", EmbeddingSize = 8 };
        var rng = new Random(3);
        TensorData Random(long[] shape) => TensorData.Create(Enumerable.Range(0,
            (int)shape.Aggregate(1L, (x, d) => x * d)).Select(_ => (float)rng.NextDouble()).ToArray(), shape);
        var tensors = PretrainedImport.EncoderParameters(config).ToDictionary(kv => kv.Key, kv => Random(kv.Value));   // ElectraForPreTraining: electra.* names
        Assert.IsTrue(tensors.ContainsKey("electra.embeddings_project.weight"));
        tensors["discriminator_predictions.dense.weight"] = Random([16, 16]);
        tensors["discriminator_predictions.dense_prediction.weight"] = Random([1, 16]);
        var outDir = Path.Combine(Directory.CreateTempSubdirectory("onnxpretrain-electra-").FullName, "electra");
        var report = PretrainedImport.Run(new ImportOptions(ImportFixture.HfFolder(tensors, HfEncoderConfig.ToJson(config)), outDir), TextWriter.Null);
        CollectionAssert.AreEquivalent(new[] { "discriminator_predictions.dense.weight",
            "discriminator_predictions.dense_prediction.weight" }, report.Heads.ToArray());
        Assert.IsEmpty(report.NewlyInitialised);
        var written = Safetensors.Read(Path.Combine(outDir, Checkpoint.ModelFile)).Tensors;
        CollectionAssert.AreEqual(tensors["electra.embeddings_project.weight"].AsFloats(), written["electra.embeddings_project.weight"].AsFloats());
        Assert.AreEqual(8, Recipe.Load(Path.Combine(outDir, PretrainedImport.RecipeFile)).Model.EmbeddingSize);
    }
}
