using System.Text.Json.Nodes;
using OnnxPretrain.Training.Tests;

namespace OnnxPretrain.Cli.Tests;

/// <summary>MSPP pre-training and joint AS2 fine-tuning end to end through the CLI on the tiny fixtures.</summary>
[TestClass]
public sealed class JointAs2CliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args) => CliProcess.Run(args);

    /// <summary>The fixture recipe turned into MSPP: k = 3 candidates of 16 tokens (T = 64), 4 token types.</summary>
    private static string MsppRecipe()
    {
        var path = Fixture.Create(steps: 2);
        var text = File.ReadAllText(path)
            .Replace("\"objective\": { \"type\": \"mlm\"  }",
                "\"objective\": { \"type\": \"mspp\", \"head\": \"ie_k\", \"candidates\": 3, \"segment_length\": 16 }")
            .Replace("\"sequence_length\": 32", "\"sequence_length\": 64")
            .Replace("\"max_position_embeddings\": 64,", "\"max_position_embeddings\": 64, \"type_vocab_size\": 4,");
        StringAssert.Contains(text, "mspp");
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void PretrainMspp_ThenJointFinetune_ExportScoresEveryCandidateAndReportsItsMap()
    {
        var recipe = MsppRecipe();
        var root = Path.GetDirectoryName(recipe)!;
        var (code, stdout, stderr) = Cli("pretrain", "--recipe", recipe, "--out", Path.Combine(root, "pre"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var last = JsonNode.Parse(File.ReadLines(Path.Combine(root, "pre", "metrics.jsonl")).Last(l => l.Contains("\"train\"")))!;
        Assert.IsTrue(double.IsFinite((double)last["loss"]!) && (double)last["candidate_accuracy"]! >= 0, last.ToJsonString());
        var data = As2Fixture.Write(root);
        (code, stdout, stderr) = Cli("finetune", "as2", "--recipe", recipe, "--data", data, "--init", Path.Combine(root, "pre", "checkpoint-2"),
            "--joint", "ie_k", "--candidates", "2", "--segment-length", "16", "--epochs", "2", "--batch", "4", "--out", Path.Combine(root, "ft"),
            "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "rows 0-2 copied, rows 3-3 dropped", "the MSPP table has 4 types, k = 2 needs 3");
        var report = stderr.Split('\n').Single(l => l.StartsWith("Initialised from", StringComparison.Ordinal));
        StringAssert.Contains(report, "newly initialised 0", "the joint head and every body weight come from the MSPP checkpoint");
        var export = Path.Combine(root, "ft", "export");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(export, "config.json")))!;
        Assert.AreEqual(2, (int)config["joint_candidates"]!["candidates"]!);
        Assert.AreEqual(3, (int)config["type_vocab_size"]!);
        // Reference: the export's own scores, ranked here (one positive per question, so AP = 1 / its rank).
        var test = Evaluation.As2Data.Read(Path.Combine(data, "test.tsv"));
        using var scorer = Evaluation.As2JointScorer.TryLoad(export)!;
        var scores = scorer.Score(test);
        double expected = test.Questions.Average(q => 1.0 / (1 + q.Candidates.Count(c => scores[c.Row] > scores[q.Candidates.Single(p => p.IsPositive).Row])));
        Assert.AreEqual(expected, (double)JsonNode.Parse(stdout)!["systems"]!["model"]!["map"]!, 1e-9);
        var onnx = JsonNode.Parse(Cli("inspect", Path.Combine(export, "model.onnx")).Out)!.AsObject();
        Assert.AreEqual("logits", (string)onnx["outputs"]![0]!["name"]!);
    }

    [TestMethod]
    public void JointFinetune_FromTwoTypeCheckpoint_GrowsTheTypeTableAndEvaluateReadsTheExport()
    {
        var recipe = Fixture.Create(steps: 2);
        var root = Path.GetDirectoryName(recipe)!;
        Assert.AreEqual(0, Cli("pretrain", "--recipe", recipe, "--out", Path.Combine(root, "pre"), "--threads", "1").Code);
        var data = As2Fixture.Write(root);
        var (code, stdout, stderr) = Cli("finetune", "as2", "--recipe", recipe, "--data", data, "--init", Path.Combine(root, "pre", "checkpoint-2"),
            "--joint", "ae_k", "--candidates", "3", "--segment-length", "12", "--segment-pooling", "mean", "--epochs", "1", "--batch", "2",
            "--out", Path.Combine(root, "ft"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "2 token types in the source, 4 in the model; rows 0-1 copied, rows 2-3 newly initialised.");
        StringAssert.Contains(stderr, "Joint AS2 (ae_k, mean pooling, k = 3, segments of 12)");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "ft", "export", "config.json")))!;
        Assert.AreEqual("mean", (string)config["joint_candidates"]!["pooling"]!);
        var again = Cli("evaluate", "as2", "--data", data, "--model", Path.Combine(root, "ft", "export"));
        Assert.AreEqual(0, again.Code, again.Err);
        Assert.AreEqual((double)JsonNode.Parse(stdout)!["systems"]!["model"]!["map"]!, (double)JsonNode.Parse(again.Out)!["systems"]!["model"]!["map"]!, 1e-12);
        (code, _, stderr) = Cli("finetune", "as2", "--recipe", recipe, "--data", data, "--joint", "ae_1", "--out", Path.Combine(root, "bad"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "needs --candidates 1 (got 5)");
        (code, _, stderr) = Cli("finetune", "as2", "--recipe", recipe, "--data", data, "--segment-pooling", "mean", "--out", Path.Combine(root, "bad"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "--segment-pooling mean applies to the joint model only");
    }

    [TestMethod]
    public void ContextPairPretrain_ThenContextualFinetune_ExportFeedsNeighboursAndEvaluateAgrees()
    {
        var recipe = Fixture.Create(steps: 2);
        File.WriteAllText(recipe, File.ReadAllText(recipe)
            .Replace("\"objective\": { \"type\": \"mlm\"  }", "\"objective\": { \"type\": \"context_pair\" }")
            .Replace("\"max_position_embeddings\": 64,", "\"max_position_embeddings\": 64, \"type_vocab_size\": 3,"));
        var root = Path.GetDirectoryName(recipe)!;
        var (code, _, stderr) = Cli("pretrain", "--recipe", recipe, "--out", Path.Combine(root, "pre"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var data = As2Fixture.Write(root);
        string stdout;
        (code, stdout, stderr) = Cli("finetune", "as2", "--recipe", recipe, "--data", data, "--init", Path.Combine(root, "pre", "checkpoint-2"),
            "--context", "--max-length", "48", "--epochs", "1", "--batch", "4", "--out", Path.Combine(root, "ft"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var export = Path.Combine(root, "ft", "export");
        Assert.IsTrue((bool)JsonNode.Parse(File.ReadAllText(Path.Combine(export, "config.json")))!["contextual_as2"]!);
        using var scorer = Evaluation.As2Scorer.Load(export, maxLength: 48);
        Assert.IsTrue(scorer.Contextual);
        var test = Evaluation.As2Data.Read(Path.Combine(data, "test.tsv"));
        var scores = scorer.Score(test);
        var plain = scorer.Score(test.Pairs.Select(p => (p.Question, p.Candidate)).ToList());
        Assert.IsTrue(scores.Zip(plain).Any(x => Math.Abs(x.First - x.Second) > 1e-6), "the neighbours change the scores");
        double expected = test.Questions.Average(q => 1.0 / (1 + q.Candidates.Count(c => scores[c.Row] > scores[q.Candidates.Single(p => p.IsPositive).Row])));
        Assert.AreEqual(expected, (double)JsonNode.Parse(stdout)!["systems"]!["model"]!["map"]!, 1e-9);
        (code, _, stderr) = Cli("finetune", "as2", "--recipe", recipe, "--data", data, "--context", "--joint", "ie_k", "--out", Path.Combine(root, "bad"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "--context and --joint cannot be combined");
    }
}
