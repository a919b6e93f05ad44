using OnnxPretrain.Export;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation.Tests.Generation;

/// <summary>Optimum's merged decoder equals the first-step decoder (no cache) and the cached decoder, branch by branch.</summary>
[TestClass]
public sealed class MergedDecoderTests
{
    private const int Layers = 2, Heads = 2, HeadDim = 8, Vocab = 24;

    private static string Export(ExportLayout layout = ExportLayout.Optimum, string? dir = null)
    {
        var c = new Seq2SeqConfig
        {
            VocabSize = Vocab, DModel = Heads * HeadDim, EncoderLayers = 1, DecoderLayers = Layers, EncoderAttentionHeads = Heads,
                DecoderAttentionHeads = Heads,
            EncoderFfnDim = 32, DecoderFfnDim = 32, MaxPositionEmbeddings = 32, Dropout = 0, InitStd = 0.5f,
        };
        var parameters = new Dictionary<string, TensorData>();
        foreach (var g in new[] { Seq2SeqExport.EncoderGraph(c), Seq2SeqExport.DecoderGraph(c, withPast: false) })
            foreach (var p in g.Parameters) parameters[p.Value.Name] = p.Initial;
        return Seq2SeqExport.Write(c, parameters, dir ?? Directory.CreateTempSubdirectory("onnxpretrain-merged-").FullName, new Seq2SeqTokenIds(0, 1, 2),
            layout: layout);
    }

    private static TensorData Ids(params long[] ids) => TensorData.Create(ids, 1, ids.Length);

    private static TensorData Floats(long[] shape, int seed)
    {
        var rng = new Random(seed);
        return TensorData.Create(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray(), shape);
    }

    private static void AssertClose(TensorData expected, TensorData actual, string name)
    {
        CollectionAssert.AreEqual(expected.Shape, actual.Shape, name);
        var (a, b) = (expected.AsFloats(), actual.AsFloats());
        for (int i = 0; i < a.Length; i++) Assert.AreEqual(a[i], b[i], 1e-5, $"{name}[{i}]");
    }

    [TestMethod]
    public void Merged_EachBranch_EqualsItsDecoder()
    {
        var dir = Export();
        var merged = Path.Combine(dir, "decoder_model_merged.onnx");
        DecoderMerger.MergeFiles(Path.Combine(dir, Seq2SeqExport.DecoderFile), Path.Combine(dir, Seq2SeqExport.DecoderWithPastFile), merged);
        using var first = OnnxModel.Load(Path.Combine(dir, Seq2SeqExport.DecoderFile));
        using var cached = OnnxModel.Load(Path.Combine(dir, Seq2SeqExport.DecoderWithPastFile));
        using var both = OnnxModel.Load(merged);
        const int s = 5;
        var mask = TensorData.Create(new long[] { 1, 1, 1, 1, 1 }, 1, s);
        var hidden = Floats([1, s, Heads * HeadDim], 1);
        var step1 = new Dictionary<string, TensorData> { ["encoder_attention_mask"] = mask, ["input_ids"] = Ids(1, 7), ["encoder_hidden_states"] = hidden };
        var expected1 = first.Run(step1);

        // First step through the merged model: the (unused) past inputs are fed empty / as zeros.
        var feed1 = new Dictionary<string, TensorData>(step1) { [DecoderMerger.UseCacheBranch] = TensorData.Create(new[] { false }, 1) };
        for (int i = 0; i < Layers; i++)
        {
            feed1[$"past_key_values.{i}.decoder.key"] = TensorData.Zeros(DataType.Float, 1, Heads, 0, HeadDim);
            feed1[$"past_key_values.{i}.decoder.value"] = TensorData.Zeros(DataType.Float, 1, Heads, 0, HeadDim);
            feed1[$"past_key_values.{i}.encoder.key"] = TensorData.Zeros(DataType.Float, 1, Heads, s, HeadDim);
            feed1[$"past_key_values.{i}.encoder.value"] = TensorData.Zeros(DataType.Float, 1, Heads, s, HeadDim);
        }
        var got1 = both.Run(feed1);
        CollectionAssert.AreEquivalent(first.OutputNames.ToArray(), both.OutputNames.ToArray());
        foreach (var name in first.OutputNames) AssertClose(expected1[name], got1[name], $"first step {name}");

        // A cached step: the past from step 1, one new token.
        var step2 = new Dictionary<string, TensorData> { ["encoder_attention_mask"] = mask, ["input_ids"] = Ids(9) };
        foreach (var name in first.OutputNames.Where(n => n.StartsWith("present.", StringComparison.Ordinal)))
            step2[name.Replace("present.", "past_key_values.", StringComparison.Ordinal)] = expected1[name];
        var expected2 = cached.Run(step2);
        var got2 = both.Run(new Dictionary<string,
            TensorData>(step2) { ["encoder_hidden_states"] = hidden, [DecoderMerger.UseCacheBranch] = TensorData.Create(new[] { true }, 1) });
        foreach (var name in cached.OutputNames) AssertClose(expected2[name], got2[name], $"cached step {name}");
        for (int i = 0; i < Layers; i++)
            AssertClose(expected1[$"present.{i}.encoder.key"], got2[$"present.{i}.encoder.key"], "the cross-attention cache passes through");
    }

    [TestMethod]
    public void TransformersJs_GreedyGeneration_EqualsOurGenerator()
    {
        var root = RepoRoot();
        if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", "@huggingface", "transformers")))
            Assert.Inconclusive("@huggingface/transformers is not installed: run `npm install --prefix tests/node --no-package-lock` (.ci/run does).");
        var dir = Export();                                                     // our generator's layout
        var tjs = Export(ExportLayout.TransformersJs, dir + "-tjs");            // the same weights for transformers.js
        CollectionAssert.AreEquivalent(new[] { Seq2SeqExport.EncoderFile, Seq2SeqExport.MergedDecoderFile },
            Directory.GetFiles(Path.Combine(tjs, "onnx")).Select(Path.GetFileName).ToArray(), "weights written once per model, no separate decoders");
        Assert.AreEqual(2, (int)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tjs, "generation_config.json")))!["eos_token_id"]!);
        long[][] sources = [[5, 9, 4, 11, 3, 2], [7, 7, 12, 2], [13, 6, 8, 10, 9, 4, 5, 3, 2]];
        using var generator = Evaluation.Generation.Seq2SeqGenerator.Load(dir);
        var ours = generator.Generate(sources, new Evaluation.Generation.GenerationOptions { MaxNewTokens = 6, BatchSize = 1, ForcedEos = true });
        var file = Path.Combine(tjs, "sources.json");
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(sources));
        var js = System.Text.Json.Nodes.JsonNode.Parse(Node(root, "generate.mjs", tjs, file, "6"))!.AsArray();
        for (int e = 0; e < sources.Length; e++)
        {
            // transformers.js returns the decoder start and the end of sequence; ours returns the tokens between them. Both force
            // the end of sequence at max_new_tokens (config.forced_eos_token_id; ForcedEos on ours).
            var all = js[e]!.AsArray().Select(v => (long)v!).ToArray();
            Assert.AreEqual(2L, all[^1], "transformers.js ends with the end of sequence");
            var theirs = all.Skip(1).TakeWhile(t => t != 2).ToArray();
            Console.WriteLine($"source {e}: ours [{string.Join(" ", ours[e].Tokens)}], transformers.js [{string.Join(" ", theirs)}]");
            CollectionAssert.AreEqual(ours[e].Tokens, theirs, $"source {e}");
        }
    }

    [TestMethod]
    public void TransformersJs_Text2TextPipeline_GivesOurGeneratedText()
    {
        var root = RepoRoot();
        if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", "@huggingface", "transformers")))
            Assert.Inconclusive("@huggingface/transformers is not installed: run `npm install --prefix tests/node --no-package-lock` (.ci/run does).");
        string vocab;
        try { vocab = Data.BertVocabulary.EnsureBertBaseUncased(); }
        catch (Exception e) when (e is IOException or InvalidOperationException) { Assert.Inconclusive($"bert-base-uncased vocabulary " +
            $"unavailable: {e.Message}"); return; }
        var c = new Seq2SeqConfig
        {
            VocabSize = 30522, DModel = 16, EncoderLayers = 1, DecoderLayers = 1, EncoderAttentionHeads = 2, DecoderAttentionHeads = 2,
            EncoderFfnDim = 32, DecoderFfnDim = 32, MaxPositionEmbeddings = 64, Dropout = 0, InitStd = 0.5f,
        };
        var parameters = new Dictionary<string, TensorData>();
        foreach (var g in new[] { Seq2SeqExport.EncoderGraph(c), Seq2SeqExport.DecoderGraph(c, withPast: false) })
            foreach (var p in g.Parameters) parameters[p.Value.Name] = p.Initial;
        var specials = Data.Seq2SeqSpecialTokens.BertBaseUncased;
        var ids = new Seq2SeqTokenIds(specials.PadId, specials.DecoderStartId, specials.EosId);
        var dir = Seq2SeqExport.Write(c, parameters, Directory.CreateTempSubdirectory("onnxpretrain-t2t-").FullName, ids, vocab);
        var tjs = Seq2SeqExport.Write(c, parameters, dir + "-tjs", ids, vocab, ExportLayout.TransformersJs);
        string[] texts = ["the cat sat on the mat", "Where is Paris?", "naïve café"];
        var tokenizer = Data.TextTokenizer.CreateBert(vocab);
        using var generator = Evaluation.Generation.Seq2SeqGenerator.Load(dir);
        var outputs = generator.Generate([.. texts.Select(t => (long[])[.. tokenizer.Encode(t).Select(i => (long)i), specials.EosId])],
            new Evaluation.Generation.GenerationOptions { MaxNewTokens = 6, BatchSize = 1, ForcedEos = true });
        var file = Path.Combine(tjs, "texts.json");
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(texts));
        var js = System.Text.Json.Nodes.JsonNode.Parse(Node(root, "text2text.mjs", tjs, file, "6"))!.AsArray();
        for (int e = 0; e < texts.Length; e++)
        {
            // Same tokens; one decoding convention differs: Hugging Face's WordPiece decoder keeps the "##" of a continuation
            // piece that starts the text (a random model's output can), ours drops it.
            string ours = tokenizer.Decode(outputs[e].Tokens.Select(t => (int)t)), theirs = ((string)js[e]!).StartsWith("##", StringComparison.Ordinal)
                ? ((string)js[e]!)[2..] : (string)js[e]!;
            Console.WriteLine($"'{texts[e]}': ours '{ours}', transformers.js '{theirs}'");
            Assert.AreEqual(ours, theirs, $"text {e}");
        }
        Assert.IsTrue(outputs.Any(o => o.Tokens.Length > 0), "something is generated, so the comparison can fail");
    }

    private static string Node(string root, string script, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("node", [Path.Combine(root, "tests", "node", script), .. args])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        System.Diagnostics.Process? p = null;
        try { p = System.Diagnostics.Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception) { Assert.Inconclusive("Node.js is not installed."); }
        var stdout = p!.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, stderr);
        return stdout.Result;
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "OnnxPretrain.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("OnnxPretrain.sln not found");
    }
}
