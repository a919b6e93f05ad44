using System.Diagnostics;
using System.Text.Json.Nodes;
using OnnxPretrain.Training;
using OnnxPretrain.Training.Tests;

namespace OnnxPretrain.Cli.Tests;

[TestClass]
public sealed class CliTests
{
    private static Process Start(params string[] args) => CliProcess.Start(args);

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliProcess.Run(args);

    [TestMethod]
    public void Run_TinyFixtureRecipe_TrainsExportsAndReportsWhereEverythingIs()
    {
        var recipe = Fixture.Create(steps: 4);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        var (code, stdout, stderr) = Cli("run", "--recipe", recipe, "--out", dir, "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.AreEqual(4, (long)json["steps"]!);
        foreach (var key in new[] { "exported_encoder", "report", "loss_curve", "checkpoint", "metrics" })
            Assert.IsTrue(File.Exists((string)json[key]!) || Directory.Exists((string)json[key]!), $"{key}: {json[key]}");
        StringAssert.Contains(File.ReadAllText((string)json["report"]!), "held-out loss");
        StringAssert.Contains(stderr, "step 4/4");
    }

    [TestMethod]
    public void Pretrain_KilledMidRun_ResumesToTheUninterruptedLosses()
    {
        var recipe = Fixture.Create(steps: 40, checkpointEvery: 5);
        var root = Path.GetDirectoryName(recipe)!;
        var straight = Path.Combine(root, "straight");
        Assert.AreEqual(0, Cli("pretrain", "--recipe", recipe, "--out", straight, "--threads", "1").Code);

        var killed = Path.Combine(root, "killed");
        using (var p = Start("pretrain", "--recipe", recipe, "--out", killed, "--threads", "1"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (Trainer.Checkpoints(killed).Count == 0 && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(20);
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        var valid = Trainer.Checkpoints(killed);
        Assert.IsNotEmpty(valid, "the run was killed before its first checkpoint");
        var (code, _, stderr) = Cli("pretrain", "--recipe", recipe, "--out", killed, "--threads", "1", "--resume");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "Resuming from");
        var a = Fixture.TrainLosses(straight);
        var b = Fixture.TrainLosses(killed);
        CollectionAssert.AreEqual(a.Keys.ToArray(), b.Keys.ToArray());
        foreach (var step in a.Keys) Assert.AreEqual(a[step], b[step], 0.0, $"step {step}");
    }

    [TestMethod]
    public void Tokenize_WithVocab_PrintsWhatTheModelSees()
    {
        var recipe = Fixture.Create();
        var vocab = Path.Combine(Path.GetDirectoryName(recipe)!, "vocab.txt");
        var (code, stdout, stderr) = Cli("tokenize", "--text", "Cat sat.", "--text-pair", "a dog", "--vocab", vocab);
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        var tokens = json["tokens"]!.AsArray().Select(t => (string)t!).ToArray();
        CollectionAssert.AreEqual(new[] { "[CLS]", "c", "##a", "##t", "s", "##a", "##t", ".", "[SEP]", "a", "d", "##o", "##g", "[SEP]" }, tokens);
        var types = json["token_type_ids"]!.AsArray().Select(t => (int)t!).ToArray();
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 }, types);
        Assert.AreEqual(2, (int)json["input_ids"]![0]!);   // [CLS] is line 3 of the fixture vocab
    }

    [TestMethod]
    public void Tokenize_FileLineByLine_PrintsReadableUtf8Json()
    {
        var recipe = Fixture.Create();
        var dir = Path.GetDirectoryName(recipe)!;
        var vocab = Path.Combine(dir, "vocab.txt");
        File.WriteAllLines(vocab, File.ReadAllLines(vocab).Append("é").Append("我"));
        var lines = Path.Combine(dir, "lines.txt");
        File.WriteAllText(lines, "Cat\nsat 我\n");
        var (code, stdout, stderr) = Cli("tokenize", "--file", lines, "--vocab", vocab);
        Assert.AreEqual(0, code, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, rows, "one JSON object per input line");
        CollectionAssert.AreEqual(new[] { "[CLS]", "c", "##a", "##t", "[SEP]" },
            JsonNode.Parse(rows[0])!["tokens"]!.AsArray().Select(t => (string)t!).ToArray());
        StringAssert.Contains(rows[1], "\"我\"", "non-ASCII tokens are printed as UTF-8, not \\uXXXX");
        Assert.DoesNotContain("\\u", stdout);
        var both = Cli("tokenize", "--file", lines, "--text", "x", "--vocab", vocab);
        Assert.AreEqual(1, both.Code);
        StringAssert.Contains(both.Err, "exactly one of --text");
    }

    [TestMethod]
    public void Artifacts_ThenInspect_DescribesModelsAndCheckpoint()
    {
        var recipe = Fixture.Create();
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "arts");
        Assert.AreEqual(0, Cli("artifacts", "--recipe", recipe, "--out", dir).Code);
        var folder = JsonNode.Parse(Cli("inspect", dir).Out)!.AsObject();
        Assert.AreEqual("fixture", (string)folder["model_name"]!);
        var onnx = JsonNode.Parse(Cli("inspect", Path.Combine(dir, "training_model.onnx")).Out)!.AsObject();
        Assert.AreEqual("input_ids", (string)onnx["inputs"]![0]!["name"]!);
        Assert.AreEqual("batch", (string)onnx["inputs"]![0]!["shape"]![0]!);
        var st = JsonNode.Parse(Cli("inspect", Path.Combine(dir, "checkpoint", "model.safetensors")).Out)!.AsObject();
        Assert.AreEqual((long)folder["parameter_count"]!, (long)st["element_count"]!);
    }

    [TestMethod]
    public void BadInput_UnknownRecipeKeyAndMissingFile_ExitOneWithClearMessage()
    {
        var recipe = Fixture.Create();
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("\"seed\": 5", "\"seed\": 5, \"sede\": 6"));
        var (code, _, stderr) = Cli("artifacts", "--recipe", recipe);
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "unknown key at training.sede");
        var missing = Cli("inspect", "/nonexistent/model.onnx");
        Assert.AreEqual(1, missing.Code);
        StringAssert.Contains(missing.Err, "/nonexistent/model.onnx");
    }

    [TestMethod]
    public void EvaluateAs2_Scores_ReportsTieAwareMetricsAndBaselines()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-as2-").FullName;
        var tsv = Path.Combine(dir, "scores.tsv");
        File.WriteAllText(tsv, "qid\tquestion\tcandidate\tlabel\tscore\n" +
            "q1\twho wrote hamlet\tshakespeare wrote hamlet\t1\t0.5\n" +
            "q1\twho wrote hamlet\tit rained\t0\t0.5\n" +
            "q2\twhere is paris\tparis is in france\t1\t0.9\n" +
            "q2\twhere is paris\tberlin is big\t0\t0.1\n");
        var (code, stdout, stderr) = Cli("evaluate", "as2", "--scores", tsv);
        Assert.AreEqual(0, code, stderr);
        var model = JsonNode.Parse(stdout)!["systems"]!["model"]!;
        Assert.AreEqual(0.875, (double)model["map"]!, 1e-9);      // q1: tie of 1 positive in 2 -> E[AP] = (1 + 1/2) / 2 = 0.75; q2: 1
        Assert.AreEqual(0.75, (double)model["p_at_1"]!, 1e-9);
        StringAssert.Contains(stderr, "word-count");
    }

    [TestMethod]
    public void FinetuneAs2_FromPretrainedFixture_ExportsCrossEncoderAndReportsTest()
    {
        var recipe = Fixture.Create(steps: 2);
        var root = Path.GetDirectoryName(recipe)!;
        Assert.AreEqual(0, Cli("pretrain", "--recipe", recipe, "--out", Path.Combine(root, "pre"), "--threads", "1").Code);
        var data = As2Fixture.Write(root);
        var (code, stdout, stderr) = Cli("finetune", "as2", "--recipe", recipe, "--data", data, "--init", Path.Combine(root, "pre", "checkpoint-2"),
            "--epochs", "2", "--batch", "4", "--max-length", "48", "--out", Path.Combine(root, "ft"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        var map = (double)json["systems"]!["model"]!["map"]!;
        // Reference: the exported model's own scores, ranked here: one positive per question, so AP = 1 / its rank.
        using var scorer = Evaluation.As2Scorer.Load(Path.Combine(root, "ft", "export"), maxLength: 48);
        var test = File.ReadAllLines(Path.Combine(data, "test.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        var scores = scorer.Score(test.Select(f => (f[1], f[2])).ToList());
        double expected = test.Select((f, i) => (Qid: f[0], Positive: f[3] == "1", Score: scores[i])).GroupBy(x => x.Qid)
            .Average(q => 1.0 / (1 + q.Count(x => x.Score > q.Single(p => p.Positive).Score)));
        Assert.AreEqual(expected, map, 1e-9, "the report's MAP is the MAP of the exported model's scores");
        StringAssert.Contains(stderr, "Initialised");
        var onnx = JsonNode.Parse(Cli("inspect", Path.Combine(root, "ft", "export", "model.onnx")).Out)!.AsObject();
        Assert.AreEqual("logits", (string)onnx["outputs"]![0]!["name"]!);
        Assert.IsTrue(File.Exists(Path.Combine(root, "ft", "as2_report.md")));
    }

    [TestMethod]
    public void Export_WeightsOnly_WritesBesideTheCheckpoint_AndAMissingFolderIsNamed()
    {
        var recipe = Fixture.Create(steps: 2);
        var root = Path.GetDirectoryName(recipe)!;
        Assert.AreEqual(0, Cli("pretrain", "--recipe", recipe, "--out", Path.Combine(root, "pre"), "--threads", "1").Code);
        var checkpoint = Path.Combine(root, "pre", "checkpoint-2");
        File.Delete(Path.Combine(checkpoint, "optimizer.safetensors"));                 // an export needs the weights only
        File.Delete(Path.Combine(checkpoint, "trainer_state.json"));
        var (code, _, stderr) = Cli("export", "--recipe", recipe, "--checkpoint", checkpoint);
        Assert.AreEqual(0, code, stderr);
        Assert.IsTrue(File.Exists(Path.Combine(root, "pre", "export", "model.onnx")), "default --out is <checkpoint>/../export, as its help says");
        var missing = Path.Combine(root, "nonexistent");
        (code, _, stderr) = Cli("export", "--recipe", recipe, "--checkpoint", missing);
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, $"Checkpoint folder '{missing}' does not exist");
    }

    [TestMethod]
    public void Bench_EveryObjectiveKind_PrintsOneJsonLine()
    {
        var recipe = Fixture.Create();
        foreach (var objective in new[] { "mlm", "electra", "crts", "ssp", "as2" })
        {
            var (code, stdout, stderr) = Cli("bench", "--recipe", recipe, "--objective", objective, "--steps", "2", "--warmup", "1", "--threads", "1");
            Assert.AreEqual(0, code, $"{objective}: {stderr}");
            var json = JsonNode.Parse(stdout.Trim())!.AsObject();
            Assert.AreEqual(objective, (string)json["objective"]!);
            Assert.IsGreaterThan(0.0, (double)json["ms_per_step_median"]!);
            Assert.IsGreaterThan(0.0, (double)json["model_gflop_per_step"]!);
        }
    }

    [TestMethod]
    public void Help_EveryCommand_DescribesItself()
    {
        foreach (var command in new[] { "run", "pretrain", "artifacts", "bench", "tokenize", "inspect", "evaluate as2", "finetune as2", "export" })
        {
            var (code, stdout, _) = Cli([.. command.Split(' '), "--help"]);
            Assert.AreEqual(0, code, command);
            StringAssert.Contains(stdout, "Usage:", command);
            Assert.IsGreaterThan(100, stdout.Length, command);
        }
    }
}
