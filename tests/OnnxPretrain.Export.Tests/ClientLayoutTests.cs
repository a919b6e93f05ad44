using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Retrieval;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Training;

namespace OnnxPretrain.Export.Tests;

/// <summary>Exports laid out for transformers.js and sentence-transformers, checked with the real JavaScript client.</summary>
[TestClass]
public sealed class ClientLayoutTests
{
    private static readonly string[] Texts = ["hello world", "The cat sat on the mat.", "Café 我 😀", "a much longer sentence with several words in it"];

    private static readonly EncoderConfig Bert = new()
    {
        ModelType = "bert", VocabSize = 30522, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 64,
        InitializerRange = 0.5f,
    };

    private static (Dictionary<string, TensorData> Weights, string Vocab) Model()
    {
        string vocab;
        try { vocab = BertVocabulary.EnsureBertBaseUncased(); }
        catch (Exception e) when (e is IOException or InvalidOperationException) { Assert.Inconclusive($"bert-base-uncased vocabulary " +
            $"unavailable: {e.Message}"); throw; }
        var g = Graph.Create();
        ObjectiveRegistry.Graph(Bert, ObjectiveRegistry.NewConfig("mlm"), 16, seed: 7).Build(g, false);
        return (g.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial), vocab);
    }

    [TestMethod]
    [DataRow("mean", true), DataRow("cls", false)]
    public void TransformersJsLayout_FeatureExtractionPipeline_EqualsOurEmbeddings(string pooling, bool normalize)
    {
        var root = RepoRoot();
        if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", "@huggingface", "transformers")))
            Assert.Inconclusive("@huggingface/transformers is not installed: run `npm install --prefix tests/node --no-package-lock` (.ci/run does).");
        var (weights, vocab) = Model();
        var parent = Directory.CreateTempSubdirectory("onnxpretrain-tjs-").FullName;
        string optimum = Path.Combine(parent, "optimum"), tjs = Path.Combine(parent, "tjs");
        EncoderExport.Write(Bert, weights, optimum, vocab);
        var model = EncoderExport.Write(Bert, weights, tjs, vocab, layout: ExportLayout.TransformersJs);
        Assert.AreEqual(Path.Combine(tjs, "onnx", "model.onnx"), model);
        using var ours = BiEncoder.Load(optimum, new BiEncoderOptions(64, 8, pooling == "cls" ? Pooling.Cls : Pooling.Mean, normalize));
        var expected = ours.Encode(Texts, out int dim);
        var texts = Path.Combine(parent, "texts.json");
        File.WriteAllText(texts, JsonSerializer.Serialize(Texts));
        var js = JsonNode.Parse(Node(Path.Combine(root, "tests", "node", "features.mjs"), tjs, texts, pooling, normalize ? "true" : "false"))!;
        CollectionAssert.AreEqual(new long[] { Texts.Length, dim }, js["dims"]!.AsArray().Select(v => (long)v!).ToArray());
        var actual = js["data"]!.AsArray().Select(v => (double)v!).ToArray();
        double maxDiff = expected.Zip(actual).Max(x => Math.Abs(x.First - x.Second));
        Console.WriteLine($"transformers.js vs ours ({pooling}, normalize {normalize}): max |diff| = {maxDiff:G3}");
        Assert.IsLessThan(1e-4, maxDiff);
        Assert.IsGreaterThan(1e-3, expected.Max(Math.Abs), "the embeddings are not all near zero, so the comparison can fail");
    }

    [TestMethod]
    public void TransformersJsLayout_SequenceClassifier_GivesOurLogits()
    {
        var root = RepoRoot();
        if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", "@huggingface", "transformers")))
            Assert.Inconclusive("@huggingface/transformers is not installed: run `npm install --prefix tests/node --no-package-lock` (.ci/run does).");
        var (_, vocab) = Model();
        var g = Graph.Create();
        ObjectiveRegistry.Graph(Bert, ObjectiveRegistry.NewConfig("as2"), 16, seed: 8).Build(g, false);
        var weights = g.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial);
        var parent = Directory.CreateTempSubdirectory("onnxpretrain-tjs-cls-").FullName;
        string optimum = Path.Combine(parent, "optimum"), tjs = Path.Combine(parent, "tjs");
        EncoderExport.Write(Bert, weights, optimum, vocab, ExportTask.SequenceClassification);
        EncoderExport.Write(Bert, weights, tjs, vocab, ExportTask.SequenceClassification, layout: ExportLayout.TransformersJs);
        (string, string)[] pairs = [("who wrote hamlet?", "Shakespeare wrote Hamlet."), ("where is paris", "It rained."), ("Café?", "naïve 😀 answer")];
        using var scorer = Evaluation.As2Scorer.Load(optimum, maxLength: 64);
        var expected = scorer.Score(pairs);                                                    // logit1 - logit0
        var file = Path.Combine(parent, "pairs.json");
        File.WriteAllText(file, JsonSerializer.Serialize(pairs.Select(p => new[] { p.Item1, p.Item2 })));
        var js = JsonNode.Parse(Node(Path.Combine(root, "tests", "node", "classify.mjs"), tjs, file))!;
        var logits = js["data"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.HasCount(2 * pairs.Length, logits);
        double maxDiff = expected.Select((e, i) => Math.Abs(e - (logits[2 * i + 1] - logits[2 * i]))).Max();
        Console.WriteLine($"transformers.js vs ours (sequence classification): max |log-odds diff| = {maxDiff:G3}");
        Assert.IsLessThan(1e-4, maxDiff);
        Assert.IsGreaterThan(1e-3, expected.Max(Math.Abs), "the log-odds are not all near zero, so the comparison can fail");
    }

    /// <summary>
    /// The joint (k = 3: the questions' 5, 2 and 1 candidates fill rows with 1, 1 and 2 empty slots) and contextual AS2 exports,
    /// run by onnxruntime-node on rows that tests/node/as2.mjs builds from the README's contract with the JavaScript
    /// tokenizer, give the scores of our own evaluators (As2JointScorer, As2Scorer with neighbours).
    /// </summary>
    [TestMethod]
    [DataRow("ie_k", "cls"), DataRow("ae_k", "cls"), DataRow("ae_k", "mean"), DataRow("contextual", "")]
    public void As2Exports_FromTheDocumentedContractInOnnxRuntimeNode_GiveOurScores(string kind, string pooling)
    {
        var root = RepoRoot();
        foreach (var package in new[] { "onnxruntime-node", Path.Combine("@huggingface", "tokenizers") })
            if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", package)))
                Assert.Inconclusive($"{package} is not installed: run `npm install --prefix tests/node --no-package-lock` (.ci/run does).");
        var (_, vocab) = Model();
        var joint = kind == "contextual" ? null
            : new JointAs2Config { Type = "as2_joint", Head = kind, Candidates = 3, SegmentLength = 12, Pooling = pooling };
        var bert = Bert with { TypeVocabSize = joint is null ? 3 : 4 };
        var g = Graph.Create();
        int length = joint is null ? 32 : (joint.Candidates + 1) * joint.SegmentLength;
        ObjectiveRegistry.Graph(bert, joint ?? ObjectiveRegistry.NewConfig("as2"), length, seed: 9).Build(g, false);
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-as2-node-").FullName;
        EncoderExport.Write(bert, g.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial), dir, vocab,
            joint is null ? ExportTask.SequenceClassification : ExportTask.JointCandidates, joint: joint, contextualAs2: joint is null);
        (string Question, string[] Candidates)[] questions =
        [
            ("who wrote hamlet?", ["Hamlet is a tragedy.", "Shakespeare wrote it.", "It is set in Denmark.", "Café naïve 😀", "The end."]),
            ("where is paris", ["It rained.", "Paris is in France."]),
            ("what is ice", ["Ice is frozen water."]),
        ];
        var tsv = Path.Combine(dir, "test.tsv");
        var rows = questions.SelectMany((q, i) => q.Candidates.Select((c, j) => $"q{i}\t{q.Question}\t{c}\t{(j == 1 ? 1 : 0)}"));
        File.WriteAllLines(tsv, ["qid\tquestion\tcandidate\tlabel", .. rows]);
        var data = Evaluation.As2Data.Read(tsv);
        double[] expected;
        if (joint is null) { using var scorer = Evaluation.As2Scorer.Load(dir, maxLength: 64); expected = scorer.Score(data); }
        else { using var scorer = Evaluation.As2JointScorer.TryLoad(dir)!; expected = scorer.Score(data); }
        var file = Path.Combine(dir, "questions.json");
        File.WriteAllText(file, JsonSerializer.Serialize(questions.Select(q => new { question = q.Question, candidates = q.Candidates })));
        var js = JsonNode.Parse(Node(Path.Combine(root, "tests", "node", "as2.mjs"), dir, file))!.AsArray();
        var actual = js.SelectMany(q => q!.AsArray().Select(v => (double)v!)).ToArray();
        Assert.HasCount(expected.Length, actual);
        double maxDiff = expected.Zip(actual).Max(x => Math.Abs(x.First - x.Second));
        Console.WriteLine($"onnxruntime-node ({kind} {pooling}, rows from the documented contract) vs ours: max |score diff| = {maxDiff:G3}");
        Assert.IsLessThan(1e-4, maxDiff);
        Assert.IsGreaterThan(1e-3, expected.Max() - expected.Min(), "the scores differ between candidates, so the comparison can fail");
    }

    [TestMethod]
    public void SentenceTransformersLayout_WritesTheModulesWithThePooling()
    {
        var (weights, vocab) = Model();
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-st-").FullName;
        EncoderExport.Write(Bert, weights, dir, vocab, layout: ExportLayout.SentenceTransformers,
            sentence: new SentenceEmbeddingSpec("cls", Normalize: true, 64));
        Assert.IsTrue(File.Exists(Path.Combine(dir, "onnx", "model.onnx")), "sentence-transformers' ONNX backend reads onnx/model.onnx");
        var modules = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "modules.json")))!.AsArray();
        CollectionAssert.AreEqual(new[] { "sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize" },
            modules.Select(m => (string)m!["type"]!).ToArray());
        var pool = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "1_Pooling", "config.json")))!;
        Assert.AreEqual((32, true, false),
            ((int)pool["word_embedding_dimension"]!, (bool)pool["pooling_mode_cls_token"]!, (bool)pool["pooling_mode_mean_tokens"]!));
        Assert.AreEqual(64, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "sentence_bert_config.json")))!["max_seq_length"]!);
        Assert.ThrowsExactly<ArgumentException>(() => EncoderExport.Write(Bert, weights, dir, vocab, ExportTask.SequenceClassification,
            layout: ExportLayout.SentenceTransformers));
    }

    private static string Node(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("node", [script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process? p = null;
        try { p = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception) { Assert.Inconclusive("Node.js is not installed; the transformers.js client test needs it."); }
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
