using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Cli.Tests;

[TestClass]
public sealed class SummarizationCliTests
{
    private static Process Start(params string[] args) => CliProcess.Start(args);

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliProcess.Run(args);

    private static string SmallData()
    {
        string dir = Directory.CreateTempSubdirectory("onnxpretrain-summ-cli-").FullName;
        File.WriteAllText(Path.Combine(dir, "test.jsonl"),
            "{\"id\": \"e1\", \"document\": \"Meeting moved to Friday. Please confirm.\", \"summary\": \"meeting moved\", \"references\": " +
                "[\"meeting moved to friday\", \"friday meeting\"]}\n" +
            "{\"id\": \"e2\", \"document\": \"Budget attached.\\nCall me.\", \"summary\": \"Budget\", \"references\": [\"budget\", \"the " +
                "budget\", \"call\"]}\n");
        File.WriteAllText(Path.Combine(dir, "pred.jsonl"),
            "{\"id\": \"e2\", \"prediction\": \"budget\"}\n{\"id\": \"e1\", \"prediction\": \"meeting moved\"}\n");
        return dir;
    }

    [TestMethod]
    public void EvaluateSummarization_PredictionsOnSmallData_PrintsJsonAndWritesMarkdown()
    {
        string dir = SmallData();
        try
        {
            string outDir = Path.Combine(dir, "out");
            var (code, stdout, stderr) = Cli("evaluate", "summarization", "--data", dir, "--split", "test",
                "--predictions", Path.Combine(dir, "pred.jsonl"), "--stem", "true", "--out", outDir);
            Assert.AreEqual(0, code, stderr);
            JsonObject json = JsonNode.Parse(stdout)!.AsObject();
            Assert.AreEqual(2, (int)json["examples"]!);
            // Both predictions equal their summaries -> primary R1 F1 = 1. Lead-1 of e2 is "Budget attached." vs "Budget":
            // P 1/2, R 1 -> F 2/3; e1's lead vs "meeting moved": F 2/3 (see the evaluation tests) -> mean 2/3.
            Assert.AreEqual(1.0, (double)json["systems"]!["predictions"]!["primary"]!["rouge1"]!["f1"]!, 1e-12);
            Assert.AreEqual(2.0 / 3, (double)json["systems"]!["lead-1"]!["primary"]!["rouge1"]!["f1"]!, 1e-12);
            string md = File.ReadAllText((string)json["markdown"]!);
            StringAssert.Contains(md, "| lead-1 | references (max) | 2 |");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Documents of fixture sentences whose summary is their first sentence (what a model can learn to copy).</summary>
    private static string FixtureSummarizationData()
    {
        string dir = Directory.CreateTempSubdirectory("onnxpretrain-summ-ft-").FullName;
        var rng = new Random(3);
        string Sentence() => string.Join(" ",
            Enumerable.Range(0, rng.Next(3, 6)).Select(_ => Training.Tests.Fixture.Words[rng.Next(Training.Tests.Fixture.Words.Length)])) + ".";
        foreach (var (split, n) in new[] { ("train", 24), ("dev", 6), ("test", 6) })
            File.WriteAllLines(Path.Combine(dir, split + ".jsonl"), Enumerable.Range(0, n).Select(i =>
            {
                var sentences = Enumerable.Range(0, 3).Select(_ => Sentence()).ToList();
                return new JsonObject { ["id"] = $"{split}{i}", ["document"] = string.Join(" ", sentences), ["summary"] = sentences[0] }.ToJsonString();
            }));
        return dir;
    }

    [TestMethod]
    public void PretrainAndExport_Seq2SeqRecipe_WritesCheckpointAndOptimumLayout()
    {
        var recipe = Training.Tests.Seq2SeqFixture.Recipe("span_corruption", steps: 10);
        var run = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        var (code, stdout, stderr) = Cli("pretrain", "--recipe", recipe, "--out", run, "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.AreEqual(10L, (long)json["steps"]!);
        StringAssert.Contains(File.ReadAllText(Path.Combine(run, "metrics.jsonl")), "span_corruption_accuracy");
        (code, stdout, stderr) = Cli("export", "--recipe", recipe, "--checkpoint", (string)json["checkpoint"]!, "--out", Path.Combine(run, "export"));
        Assert.AreEqual(0, code, stderr);
        foreach (var f in new[] { "encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx", "config.json", "vocab.txt" })
            Assert.IsTrue(File.Exists(Path.Combine(run, "export", f)), f);
        StringAssert.Contains(File.ReadAllText(Path.Combine(run, "export", "config.json")), "BartForConditionalGeneration");
    }

    [TestMethod]
    public void FineTuneSummarization_TinyBart_ExportsGeneratesAndScores()
    {
        var recipe = Training.Tests.Seq2SeqFixture.Recipe("gsg");
        var data = FixtureSummarizationData();
        var outDir = Path.Combine(data, "run");
        var (code, stdout, stderr) = Cli("finetune", "summarization", "--recipe", recipe, "--data", data, "--epochs", "2", "--batch", "4",
            "--max-new-tokens", "12", "--num-beams", "2", "--threads", "1", "--out", outDir);
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.AreEqual(12L, (long)json["fine_tuning"]!["steps"]!);
        var metrics = File.ReadAllText(Path.Combine(outDir, "metrics.jsonl"));
        StringAssert.Contains(metrics, "summary_accuracy");
        Assert.DoesNotContain("gsg_accuracy", metrics, "fine-tuning metrics are named after the task, not the pre-training objective");
        var export = (string)json["fine_tuning"]!["export"]!;
        foreach (var f in new[] { "encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx", "config.json", "vocab.txt", "model.safetensors" })
            Assert.IsTrue(File.Exists(Path.Combine(export, f)), f);
        Assert.HasCount(6, File.ReadAllLines((string)json["generation"]!["predictions"]!));
        Assert.AreEqual(2, (int)json["generation"]!["num_beams"]!);
        Assert.IsGreaterThan(0.0, (double)json["generation"]!["tokens_per_s"]!);
        double r1 = (double)json["systems"]!["predictions"]!["primary"]!["rouge1"]!["f1"]!;
        // Reference: ROUGE-1 F1 of each written prediction against its summary (stemming on), averaged here.
        var summaries = File.ReadAllLines(Path.Combine(data,
            "test.jsonl")).Select(l => JsonNode.Parse(l)!).ToDictionary(n => (string)n["id"]!, n => (string)n["summary"]!);
        double expected = File.ReadAllLines((string)json["generation"]!["predictions"]!).Select(l => JsonNode.Parse(l)!)
            .Average(n => Evaluation.Summarization.Rouge.Score((string)n["prediction"]!, summaries[(string)n["id"]!], stem: true).Rouge1.F1);
        Assert.AreEqual(expected, r1, 1e-9);
        Assert.IsNotNull(json["systems"]!["lead-1"]);
    }

    [TestMethod]
    public void EvaluateSummarization_BothLeadAndPredictions_FailsWithMessage()
    {
        string dir = SmallData();
        try
        {
            var (code, _, stderr) = Cli("evaluate", "summarization", "--data", dir, "--lead", "--predictions", Path.Combine(dir, "pred.jsonl"));
            Assert.AreEqual(1, code);
            StringAssert.Contains(stderr, "exactly one of --predictions");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void EvaluateSummarization_LeadOnAeslcTest_ReportsPrimaryAndReferenceScores()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OnnxPretrain.sln"))) root = root.Parent;
        string data = Path.GetFullPath(Path.Combine(root?.FullName ?? ".", "..", "shared", "data", "summarization", "aeslc"));
        if (!File.Exists(Path.Combine(data, "test.jsonl"))) Assert.Inconclusive($"AESLC data not found at {data} (../shared/data/summarization/aeslc).");
        var (code, stdout, stderr) = Cli("evaluate", "summarization", "--data", data, "--split", "test", "--lead");
        Assert.AreEqual(0, code, stderr);
        JsonObject lead = JsonNode.Parse(stdout)!["systems"]!["lead-1"]!.AsObject();
        Assert.AreEqual(1906, (int)lead["examples_with_references"]!);
        foreach (string part in new[] { "primary", "references_mean", "references_max" })
            Assert.IsTrue((double)lead[part]!["rouge1"]!["f1"]! > 0, part);
    }
}
