using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Export.Tests;

[TestClass]
public sealed class EncoderExportTests
{
    private static EncoderConfig Tiny(string type) => new()
    {
        ModelType = type, VocabSize = 50, HiddenSize = 32, EmbeddingSize = type == "electra" ? 16 : null, NumHiddenLayers = 2,
        NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 32,
    };

    [TestMethod]
    [DataRow("electra"), DataRow("bert")]
    public void Export_TrainedWeights_MatchEvalModelHiddenStates(string type)
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-export-").FullName;
        var objective = ObjectiveRegistry.Graph(Tiny(type), ObjectiveRegistry.NewConfig("rts"), 10, seed: 3);
        var rng = new Random(1);
        var ids = Enumerable.Range(0, 20).Select(i => i % 10 == 0 ? 1L : rng.Next(4, 50)).ToArray();
        var mask = Enumerable.Range(0, 20).Select(i => i >= 17 ? 0L : 1L).ToArray();
        var batch = new Dictionary<string, TensorData>
        {
            ["input_ids"] = TensorData.Create(ids, 2, 10), ["attention_mask"] = TensorData.Create(mask, 2, 10),
            ["token_type_ids"] = TensorData.Create(new long[20], 2, 10), ["labels"] = TensorData.Create(mask.Select(m => m == 1 ? 0L : -100L).ToArray(), 2, 10),
        };
        ArtifactBuilder.Build(new TrainableModel("t", objective.Build, () => batch), new AdamWOptions(), dir);
        using var session = TrainingSession.Load(dir);
        for (int i = 0; i < 3; i++) { session.TrainStep(batch); session.OptimizerStep(1e-2f); }   // weights differ from init
        var expected = session.Evaluate(batch, ["last_hidden_state"])["last_hidden_state"].AsFloats();

        var model = EncoderExport.Write(Tiny(type), session.GetParameters(), Path.Combine(dir, "export"));
        using var exported = OnnxModel.Load(model);
        CollectionAssert.AreEqual(new[] { "input_ids", "attention_mask", "token_type_ids" }, exported.InputNames.ToArray());
        var actual = exported.Run(batch.Where(kv => kv.Key != "labels").ToDictionary(), ["last_hidden_state"])["last_hidden_state"].AsFloats();
        double maxDiff = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Console.WriteLine($"{type}: max |exported - eval_model| = {maxDiff:G3}");
        Assert.IsLessThan(1e-5, maxDiff);
        var weights = Safetensors.Read(Path.Combine(dir, "export", "model.safetensors")).Tensors;
        Assert.IsTrue(weights.Keys.All(k => k.StartsWith(type + ".")), string.Join(", ", weights.Keys));
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "export", "config.json")), "\"hidden_size\": 32");
    }

    [TestMethod]
    [DataRow("electra"), DataRow("bert")]
    public void Export_SequenceClassification_MatchesEvalModelLogits(string type)
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-export-cls-").FullName;
        var objective = ObjectiveRegistry.Graph(Tiny(type), ObjectiveRegistry.NewConfig("as2"), 10, seed: 4);
        var rng = new Random(2);
        var batch = new Dictionary<string, TensorData>
        {
            ["input_ids"] = TensorData.Create(Enumerable.Range(0, 20).Select(i => i % 10 == 0 ? 1L : rng.Next(4, 50)).ToArray(), 2, 10),
            ["attention_mask"] = TensorData.Create(Enumerable.Range(0, 20).Select(i => i >= 18 ? 0L : 1L).ToArray(), 2, 10),
            ["token_type_ids"] = TensorData.Create(Enumerable.Range(0, 20).Select(i => i % 10 >= 5 ? 1L : 0L).ToArray(), 2, 10),
            ["labels"] = TensorData.Create(new long[] { 1, 0 }, 2),
        };
        ArtifactBuilder.Build(new TrainableModel("t", objective.Build, () => batch), new AdamWOptions(), dir);
        using var session = TrainingSession.Load(dir);
        for (int i = 0; i < 3; i++) { session.TrainStep(batch); session.OptimizerStep(1e-2f); }
        var expected = session.Evaluate(batch, ["logits"])["logits"].AsFloats();
        var model = EncoderExport.Write(Tiny(type), session.GetParameters(), Path.Combine(dir, "export"), task: ExportTask.SequenceClassification);
        using var exported = OnnxModel.Load(model);
        CollectionAssert.AreEqual(new[] { "logits" }, exported.OutputNames.ToArray());
        var actual = exported.Run(batch.Where(kv => kv.Key != "labels").ToDictionary())["logits"].AsFloats();
        double maxDiff = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Console.WriteLine($"{type}: max |exported logits - eval_model logits| = {maxDiff:G3}");
        Assert.IsLessThan(1e-5, maxDiff);
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "export", "config.json")), "ForSequenceClassification");
    }

    [TestMethod]
    public void Export_ExternalData_SameOutputsWithWeightsInModelOnnxData()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-export-ext-").FullName;
        var config = Tiny("electra");
        var weights = EncoderExport.BuildGraph(config).Parameters.ToDictionary(p => p.Value.Name, p => p.Initial);
        var rng = new Random(5);
        var batch = new Dictionary<string, TensorData>
        {
            ["input_ids"] = TensorData.Create(Enumerable.Range(0, 20).Select(i => i % 10 == 0 ? 1L : rng.Next(4, 50)).ToArray(), 2, 10),
            ["attention_mask"] = TensorData.Create(Enumerable.Range(0, 20).Select(i => i >= 16 ? 0L : 1L).ToArray(), 2, 10),
            ["token_type_ids"] = TensorData.Create(new long[20], 2, 10),
        };
        var inline = EncoderExport.Write(config, weights, Path.Combine(dir, "inline"), external: ExternalData.Never);
        var external = EncoderExport.Write(config, weights, Path.Combine(dir, "external"), external: ExternalData.Always);
        var data = external + "_data";
        Assert.IsTrue(File.Exists(data), "model.onnx_data was not written");
        Assert.IsFalse(File.Exists(inline + "_data"));
        var big = weights.Values.Select(t => (long)t.ToBytes().Length).Where(n => n >= ModelWriter.ExternalTensorMinBytes).ToList();
        long moved = new FileInfo(inline).Length - new FileInfo(external).Length;
        Assert.IsGreaterThan(big.Sum() - 200L * big.Count, moved, "model.onnx should keep only the graph and the small tensors");
        Assert.IsGreaterThanOrEqualTo(big.Sum(), new FileInfo(data).Length);

        using var a = OnnxModel.Load(inline);
        using var b = OnnxModel.Load(external);
        var expected = a.Run(batch, ["last_hidden_state"])["last_hidden_state"].AsFloats();
        var actual = b.Run(batch, ["last_hidden_state"])["last_hidden_state"].AsFloats();
        CollectionAssert.AreEqual(expected, actual);

        EncoderExport.Write(config, weights, Path.Combine(dir, "external"), external: ExternalData.Never);
        Assert.IsFalse(File.Exists(data), "a re-export without external data must remove the stale model.onnx_data");
    }

    [TestMethod]
    public void ModelWriter_ExternalData_OffsetsAlignedAndLengthsMatchTheTensors()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-export-ext2-").FullName;
        var g = EncoderExport.BuildGraph(Tiny("bert"));
        var path = Path.Combine(dir, "model.onnx");
        ModelWriter.Save(g, path, ParameterLayout.AsInitializers, external: ExternalData.Always);
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var bytes = File.ReadAllBytes(path + "_data");
        var byName = g.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial.ToBytes());
        int externalCount = 0;
        foreach (var t in model.Graph.Initializer.Where(t => t.DataLocation == global::Onnx.TensorProto.Types.DataLocation.External))
        {
            var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value);
            Assert.AreEqual("model.onnx_data", entries["location"]);
            long offset = long.Parse(entries["offset"]), length = long.Parse(entries["length"]);
            Assert.AreEqual(0, offset % ModelWriter.ExternalDataAlignment, $"{t.Name} offset {offset}");
            CollectionAssert.AreEqual(byName[t.Name], bytes.AsSpan((int)offset, (int)length).ToArray(), t.Name);
            externalCount++;
        }
        Assert.AreEqual(byName.Count(kv => kv.Value.Length >= ModelWriter.ExternalTensorMinBytes), externalCount);
    }

    [TestMethod]
    public void Export_CrossEncoder_RunsInOnnxRuntimeNodeWithTheSameLogits()
    {
        var root = RepoRoot();
        var script = Path.Combine(root, "tests", "node", "score.mjs");
        if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", "onnxruntime-node")))
            Assert.Inconclusive("onnxruntime-node is not installed: run `npm install --prefix tests/node --no-package-lock " +
                "--onnxruntime-node-install=skip` (.ci/run does).");
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-node-").FullName;
        var objective = ObjectiveRegistry.Graph(Tiny("electra"), ObjectiveRegistry.NewConfig("as2"), 10, seed: 6);
        var g = OnnxPretrain.Onnx.Graph.Create();
        objective.Build(g, false);
        var weights = g.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial);
        var model = EncoderExport.Write(Tiny("electra"), weights, dir, task: ExportTask.SequenceClassification);
        long[][] ids = [[1, 7, 9, 2, 11, 12, 2], [1, 5, 2, 30, 2, 0, 0]], mask = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0]],
            types = [[0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0]];
        var inputs = Path.Combine(dir, "inputs.json");
        File.WriteAllText(inputs,
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string,
                long[][]> { ["input_ids"] = ids, ["attention_mask"] = mask, ["token_type_ids"] = types }));
        var psi = new System.Diagnostics.ProcessStartInfo("node", [script, model, inputs]) { RedirectStandardOutput = true, RedirectStandardError = true };
        System.Diagnostics.Process? p;
        try { p = System.Diagnostics.Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception) { Assert.Inconclusive("Node.js is not installed; the onnxruntime-node client test needs it."); return; }
        var stdout = p!.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, stderr);
        var nodeLogits = System.Text.Json.Nodes.JsonNode.Parse(stdout)!["logits"]!["data"]!.AsArray().Select(v => (double)v!).ToArray();
        using var csharp = OnnxModel.Load(model);
        TensorData T(long[][] rows) => TensorData.Create(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);
        var expected = csharp.Run(new Dictionary<string,
            TensorData> { ["input_ids"] = T(ids), ["attention_mask"] = T(mask), ["token_type_ids"] = T(types) })["logits"].AsFloats();
        double maxDiff = expected.Zip(nodeLogits).Max(x => Math.Abs(x.First - x.Second));
        Console.WriteLine($"onnxruntime-node vs C#: max |logit diff| = {maxDiff:G3}");
        Assert.HasCount(4, nodeLogits);
        Assert.IsLessThan(1e-5, maxDiff);
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "OnnxPretrain.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("OnnxPretrain.sln not found");
    }

    [TestMethod]
    public void Export_MissingParameter_NamesIt()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            EncoderExport.Write(Tiny("bert"), new Dictionary<string, TensorData>(), Path.GetTempPath()));
        StringAssert.Contains(e.Message, "bert.embeddings.word_embeddings.weight");
    }
}
