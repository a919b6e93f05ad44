using System.Text.Json.Nodes;
using OnnxPretrain.Export;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Training.Tests.Import;

/// <summary>
/// <c>import</c> from Hugging Face folders and ONNX models the tests write themselves (a tiny BERT with the fixture's
/// 59-token vocabulary, <see cref="ImportFixture"/>), and its errors: each names the file, tensor or value, and leaves no output folder behind.
/// </summary>
[TestClass]
public sealed class HfFolderImportTests
{
    private static readonly EncoderConfig Tiny = ImportFixture.Tiny;

    private static Dictionary<string, TensorData> HfTensors() => ImportFixture.HfTensors();

    private static string HfFolder(Dictionary<string, TensorData> tensors, JsonObject? config = null) => ImportFixture.HfFolder(tensors, config);

    private static string OutDir() => Path.Combine(Directory.CreateTempSubdirectory("onnxpretrain-import-").FullName, "out");

    [TestMethod]
    public void HfFolder_WithoutPrefix_ImportsEveryTensorUnderOurNames()
    {
        var source = HfTensors();
        var outDir = OutDir();
        var report = PretrainedImport.Run(new ImportOptions(HfFolder(source), outDir), TextWriter.Null);
        var written = Safetensors.Read(Path.Combine(outDir, Checkpoint.ModelFile)).Tensors;
        Assert.HasCount(PretrainedImport.EncoderParameters(Tiny).Count, written);
        foreach (var (name, tensor) in source.Where(kv => kv.Key != "embeddings.position_ids"))
            CollectionAssert.AreEqual(tensor.AsFloats(), written["bert." + name].AsFloats(), name);
        CollectionAssert.AreEqual(new[] { "embeddings.position_ids" }, report.Unused.ToArray());
        Assert.IsEmpty(report.NewlyInitialised);
        var recipe = Recipe.Load(Path.Combine(outDir, PretrainedImport.RecipeFile));
        Assert.AreEqual(Tiny, recipe.Model with { });
        CollectionAssert.AreEqual(Fixture.VocabTokens(), File.ReadAllLines(Path.Combine(outDir, "vocab.txt")));
    }

    [TestMethod]
    public void HfFolder_WithPrefixHeadsAndNoPooler_KeepsHeadsAndReportsThePooler()
    {
        var source = HfTensors().Where(kv => !kv.Key.StartsWith("pooler.")).ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        source["cls.predictions.bias"] = TensorData.Create(new float[59], 59);
        var report = PretrainedImport.Run(new ImportOptions(HfFolder(source), OutDir()), TextWriter.Null);
        CollectionAssert.AreEquivalent(new[] { "bert.pooler.dense.weight", "bert.pooler.dense.bias" }, report.NewlyInitialised.ToArray());
        CollectionAssert.AreEqual(new[] { "cls.predictions.bias" }, report.Heads.ToArray());
    }

    [TestMethod]
    public void HfFolder_TokenizerJsonOnly_ReadsTheWordPieceVocabulary()
    {
        var dir = HfFolder(HfTensors());
        File.Delete(Path.Combine(dir, "vocab.txt"));
        var vocab = new JsonObject();
        foreach (var (t, i) in Fixture.VocabTokens().Select((t, i) => (t, i)).Reverse()) vocab[t] = i;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"),
            new JsonObject { ["model"] = new JsonObject { ["type"] = "WordPiece", ["vocab"] = vocab } }.ToJsonString());
        var outDir = OutDir();
        PretrainedImport.Run(new ImportOptions(dir, outDir), TextWriter.Null);
        CollectionAssert.AreEqual(Fixture.VocabTokens(), File.ReadAllLines(Path.Combine(outDir, "vocab.txt")));
    }

    [TestMethod]
    public void HfFolder_MissingWeight_FailsNamingItAndWritesNothing()
    {
        var source = HfTensors();
        source.Remove("encoder.layer.1.output.dense.weight");
        var outDir = OutDir();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedImport.Run(new ImportOptions(HfFolder(source), outDir), TextWriter.Null));
        StringAssert.Contains(e.Message, "bert.encoder.layer.1.output.dense.weight");
        Assert.IsFalse(Directory.Exists(outDir));
        Assert.IsEmpty(Directory.GetDirectories(Path.GetDirectoryName(outDir)!));
    }

    [TestMethod]
    public void HfFolder_WrongShape_FailsNamingBothShapes()
    {
        var source = HfTensors();
        source["encoder.layer.0.intermediate.dense.weight"] = TensorData.Create(new float[16 * 16], 16, 16);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedImport.Run(new ImportOptions(HfFolder(source), OutDir()), TextWriter.Null));
        StringAssert.Contains(e.Message,
            "'encoder.layer.0.intermediate.dense.weight' is [16, 16] but bert.encoder.layer.0.intermediate.dense.weight needs [32, 16]");
    }

    [TestMethod]
    [DataRow("model_type", "roberta", "model_type is 'roberta'")]
    [DataRow("hidden_act", "relu", "hidden_act is 'relu'")]
    [DataRow("position_embedding_type", "relative_key", "position_embedding_type is 'relative_key'")]
    public void HfFolder_ConfigWeCannotReproduce_FailsNamingTheValue(string key, string value, string expected)
    {
        var config = HfEncoderConfig.ToJson(Tiny);
        config[key] = value;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedImport.Run(new ImportOptions(HfFolder(HfTensors(), config),
            OutDir()), TextWriter.Null));
        StringAssert.Contains(e.Message, expected);
        StringAssert.Contains(e.Message, "config.json");
    }

    [TestMethod]
    public void HfFolder_CasedTokenizer_Fails()
    {
        var dir = HfFolder(HfTensors());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{ "do_lower_case": false }""");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedImport.Run(new ImportOptions(dir, OutDir()), TextWriter.Null));
        StringAssert.Contains(e.Message, "do_lower_case false");
    }

    [TestMethod]
    public void HfFolder_CorruptSafetensors_FailsNamingTheFile()
    {
        var dir = HfFolder(HfTensors());
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), [1, 2, 3]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedImport.Run(new ImportOptions(dir, OutDir()), TextWriter.Null));
        StringAssert.Contains(e.Message, "model.safetensors");
    }

    [TestMethod]
    public void Export_ThenImportFolderAndOnnx_GivesBackTheSameWeights()
    {
        var weights = HfTensors().Where(kv => kv.Key != "embeddings.position_ids").ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        var vocab = Path.Combine(Directory.CreateTempSubdirectory("onnxpretrain-vocab-").FullName, "vocab.txt");
        File.WriteAllLines(vocab, Fixture.VocabTokens());
        var export = Path.Combine(OutDir(), "..", "export");
        EncoderExport.Write(Tiny, weights, export, vocab);
        var fromFolder = PretrainedImport.Read(export, null, TextWriter.Null);
        File.Delete(Path.Combine(export, "config.json"));      // the ONNX path must infer the shape from the graph
        var fromOnnx = PretrainedImport.Read(Path.Combine(export, "model.onnx"), null, TextWriter.Null);
        foreach (var encoder in new[] { fromFolder, fromOnnx })
        {
            Assert.AreEqual(Tiny with { HiddenDropoutProb = 0.1f }, encoder.Config with { HiddenDropoutProb = 0.1f });
            var (mapped, report) = PretrainedImport.MapToParameters(encoder);
            Assert.HasCount(weights.Count, report.Loaded);
            foreach (var (name, t) in weights) CollectionAssert.AreEqual(t.AsFloats(), mapped[name].AsFloats(), name);
        }
    }

    [TestMethod]
    public void Onnx_AnonymousWeightWithoutNamedBias_FailsListingIt()
    {
        var g = Graph.Create("bad");
        var x = g.Input("input_ids", DataType.Float, new Shape("batch", 4));
        var w = g.Parameter("12345", TensorData.Create(new float[12], 4, 3));
        g.Output(g.MatMul(x, w), "last_hidden_state");
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-badonnx-").FullName;
        ModelWriter.Save(g, Path.Combine(dir, "model.onnx"), ParameterLayout.AsInitializers, g.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => OnnxEncoderReader.Read(Path.Combine(dir, "model.onnx"), Fixture.VocabTokens()));
        StringAssert.Contains(e.Message, "12345 [4, 3]");
    }

    [TestMethod]
    public void InitFrom_BodyShapeMismatch_FailsNamingBothShapes_HeadMismatchStartsFresh()
    {
        var recipePath = Fixture.Create();
        var run = Path.Combine(Path.GetDirectoryName(recipePath)!, "run");
        Pretraining.BuildArtifacts(Recipe.Load(recipePath), run, TextWriter.Null);
        var model = Checkpoint.Load(Path.Combine(run, "checkpoint")).Model.Tensors;
        var (body, tensor) = model.First(kv => kv.Key.EndsWith("query.weight"));
        var head = model.Keys.First(k => !k.StartsWith("electra.") && !k.StartsWith("bert."));
        var donor = Path.Combine(run, "donor.safetensors");
        Safetensors.Write(donor, new Dictionary<string, TensorData> { [body] = TensorData.Create(new float[6], 2, 3) });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Pretraining.InitFrom(Path.Combine(run, "checkpoint"), donor, TextWriter.Null));
        StringAssert.Contains(e.Message, $"{body}: the model needs {tensor}");
        StringAssert.Contains(e.Message, "Float[2, 3]");

        Safetensors.Write(donor, new Dictionary<string,
            TensorData> { [body] = tensor, [head] = TensorData.Create(new float[6], 2, 3), ["extra"] = TensorData.Scalar(1) });
        var log = new StringWriter();
        Pretraining.InitFrom(Path.Combine(run, "checkpoint"), donor, log);
        StringAssert.Contains(log.ToString(), "loaded 1 parameters");
        StringAssert.Contains(log.ToString(), $"{head} (shape mismatch: Float[2, 3] -> {model[head]})");
        StringAssert.Contains(log.ToString(), "unused 1 (extra)");
    }

    [TestMethod]
    public void HfFolder_VocabularySizeDiffersFromConfig_FailsNamingBoth()
    {
        var dir = HfFolder(HfTensors());
        File.AppendAllLines(Path.Combine(dir, "vocab.txt"), ["extra"]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedImport.Run(new ImportOptions(dir, OutDir()), TextWriter.Null));
        StringAssert.Contains(e.Message, "60 tokens but vocab_size is 59");
    }

    [TestMethod]
    public void Import_IntoAFolderThatIsNotAnImport_OrIntoItsSource_IsRefused()
    {
        var source = HfFolder(HfTensors());
        var other = Directory.CreateTempSubdirectory("onnxpretrain-precious-").FullName;
        File.WriteAllText(Path.Combine(other, "notes.txt"), "keep me");
        Assert.ThrowsExactly<IOException>(() => PretrainedImport.Run(new ImportOptions(source, other), TextWriter.Null));
        Assert.IsTrue(File.Exists(Path.Combine(other, "notes.txt")));
        Assert.ThrowsExactly<ArgumentException>(() => PretrainedImport.Run(new ImportOptions(source, source), TextWriter.Null));

        var outDir = OutDir();                                       // an earlier import is replaced
        PretrainedImport.Run(new ImportOptions(source, outDir), TextWriter.Null);
        PretrainedImport.Run(new ImportOptions(source, outDir), TextWriter.Null);
        Assert.HasCount(1, Directory.GetDirectories(Path.GetDirectoryName(outDir)!));
    }

    [TestMethod]
    public void InitFrom_ImportWithOtherHeadCount_FailsNamingTheKey()
    {
        var outDir = OutDir();
        PretrainedImport.Run(new ImportOptions(HfFolder(HfTensors()), outDir), TextWriter.Null);
        var recipe = Recipe.Load(Path.Combine(outDir, PretrainedImport.RecipeFile)) with { Name = "two-heads" };
        recipe = recipe with { Model = recipe.Model with { NumAttentionHeads = 2 }, SourcePath = Path.Combine(outDir, PretrainedImport.RecipeFile) };
        var run = Path.Combine(outDir, "..", "run");
        Pretraining.BuildArtifacts(recipe, run, TextWriter.Null);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Pretraining.InitFrom(Path.Combine(run, "checkpoint"), outDir, TextWriter.Null, recipe.Model));
        StringAssert.Contains(e.Message, "num_attention_heads is 4 there but 2 in the recipe");
    }
}
