using System.Text.Json.Nodes;
using OnnxPretrain.Training.Tests;
using OnnxPretrain.Training.Tests.Import;

namespace OnnxPretrain.Cli.Tests;

/// <summary>
/// The path a user takes from a published encoder: <c>import</c>, then <c>export</c> / <c>finetune as2 --init</c> without
/// <c>--recipe</c> (the recipe.json beside the import gives the shape and vocabulary), then <c>evaluate as2 --bi-encoder</c>.
/// </summary>
[TestClass]
public sealed class ImportCliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args) => CliProcess.Run(args);

    [TestMethod]
    public void Import_ThenExportAndFineTuneWithoutRecipe_UseTheImportedModel()
    {
        var root = Directory.CreateTempSubdirectory("onnxpretrain-import-cli-").FullName;
        var imported = Path.Combine(root, "imported");
        var (code, stdout, stderr) = Cli("import", "--from", ImportFixture.HfFolder(), "--out", imported);
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.AreEqual(39, (int)json["loaded"]!);              // 5 embeddings + 2 x 16 per layer + 2 pooler
        StringAssert.Contains(stderr, "unused 1 (embeddings.position_ids)");

        (code, _, stderr) = Cli("export", "--checkpoint", imported, "--out", Path.Combine(root, "export"));
        Assert.AreEqual(0, code, stderr);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "export", "config.json")))!;
        Assert.AreEqual(16, (int)config["hidden_size"]!);
        CollectionAssert.AreEqual(Fixture.VocabTokens(), File.ReadAllLines(Path.Combine(root, "export", "vocab.txt")));

        (code, stdout, stderr) = Cli("finetune", "as2", "--init", imported, "--data", As2Fixture.Write(root), "--epochs", "1", "--batch", "4",
            "--max-length", "32", "--evals-per-epoch", "2", "--out", Path.Combine(root, "ft"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "loaded 39 parameters; newly initialised 2 (classifier.weight, classifier.bias)");
        StringAssert.Contains(stderr, "step 3/5: train loss");                  // 5 steps, 2 evaluations: after 3 (half an epoch) and 5
        Assert.AreEqual(2, System.Text.RegularExpressions.Regex.Matches(stderr, "dev MAP").Count, stderr);
    }

    [TestMethod]
    public void Import_UnknownSource_FailsNamingItAndTheNamedModels()
    {
        var (code, _, stderr) = Cli("import", "--from", "no-such-model", "--out", Path.Combine(Path.GetTempPath(), "never-written"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "'no-such-model'");
        StringAssert.Contains(stderr, "minilm, arctic-xs");
    }

    [TestMethod]
    public void EvaluateAs2_BiEncoder_RanksACandidateEqualToTheQuestionFirst()
    {
        // A candidate identical to its question has cosine 1 with it, the maximum, whatever the weights: P@1 must be 1.
        var root = Directory.CreateTempSubdirectory("onnxpretrain-biencoder-").FullName;
        var imported = Path.Combine(root, "imported");
        Assert.AreEqual(0, Cli("import", "--from", ImportFixture.HfFolder(), "--out", imported).Code);
        Assert.AreEqual(0, Cli("export", "--checkpoint", imported, "--out", Path.Combine(root, "export")).Code);
        var data = Directory.CreateDirectory(Path.Combine(root, "as2")).FullName;
        var lines = new List<string> { "qid\tquestion\tcandidate\tlabel" };
        for (int q = 0; q < 5; q++)
        {
            var question = $"the {Fixture.Words[q]} sat on a {Fixture.Words[q + 5]}";
            lines.Add($"q{q}\t{question}\t{Fixture.Words[q + 10]} and {Fixture.Words[q + 1]} ran\t0");
            lines.Add($"q{q}\t{question}\t{question}\t1");
            lines.Add($"q{q}\t{question}\twe saw a big {Fixture.Words[q + 2]}\t0");
        }
        File.WriteAllLines(Path.Combine(data, "test.tsv"), lines);
        var (code, stdout, stderr) = Cli("evaluate", "as2", "--model", Path.Combine(root, "export"), "--bi-encoder", "mean", "--data", data);
        Assert.AreEqual(0, code, stderr);
        Assert.AreEqual(1.0, (double)JsonNode.Parse(stdout)!["systems"]!["model"]!["p_at_1"]!, 1e-9);
    }
}
