using System.Text.Json.Nodes;
using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Tests;

[TestClass]
public sealed class As2EvaluationTests
{
    private const string Split =
        "qid\tquestion\tcandidate\tlabel\n" +
        "q1\twhat color is the sky\tthe sky is blue\t1\n" +
        "q1\twhat color is the sky\tgreen is a color\t0\n" +
        "q2\twhat is green\tgreen\t1\n" +
        "q2\twhat is green\tthe sky\t0\n" +
        "q3\twhat is blue\tthe sky\t0\n";

    private static string WithScores(params string[] scores)
    {
        string[] lines = Split.TrimEnd('\n').Split('\n');
        lines[0] += "\tscore";
        for (int i = 1; i < lines.Length; i++) lines[i] += "\t" + scores[i - 1];
        return string.Join('\n', lines) + "\n";
    }

    [TestMethod]
    public void Run_ScoresFile_ReportsModelAndBothBaselines()
    {
        using var dir = new TempDir();
        // q1 ranks the positive second (AP 0.5); q2 ties both (expected AP 0.75); q3 has no positive.
        string scores = dir.File("scores.tsv", WithScores("0.1", "0.9", "2", "2", "5"));
        As2Report report = As2Evaluation.Run(new As2EvalOptions(ScoresFile: scores));
        CollectionAssert.AreEqual(new[] { As2Report.ModelSystem, As2Report.WordCountSystem, As2Report.IdfWordCountSystem },
            report.Systems.Select(s => s.System).ToArray());
        RankingScores m = report[As2Report.ModelSystem].Scores;
        Assert.AreEqual(2, m.Queries);
        Assert.AreEqual(1, m.ExcludedQueries);
        Assert.AreEqual((0.5 + 0.75) / 2, m.MeanAveragePrecision, 1e-12);
        Assert.AreEqual(0.25, m.PrecisionAt1, 1e-12);
        // Word count: in q1 both candidates share one word ({sky} and {color}): a tie, expected AP 0.75; q2: 1 vs 0 -> AP 1.
        Assert.AreEqual(0.875, report[As2Report.WordCountSystem].Scores.MeanAveragePrecision, 1e-12);
    }

    [TestMethod]
    public void Run_IncludeAllQuestions_CountsQuestionWithoutPositiveAsZero()
    {
        using var dir = new TempDir();
        string scores = dir.File("scores.tsv", WithScores("0.1", "0.9", "2", "2", "5"));
        As2Report report = As2Evaluation.Run(new As2EvalOptions(ScoresFile: scores, IncludeAllQuestions: true));
        RankingScores m = report[As2Report.ModelSystem].Scores;
        Assert.AreEqual(3, m.Queries);
        Assert.AreEqual((0.5 + 0.75) / 3, m.MeanAveragePrecision, 1e-12);
    }

    [TestMethod]
    public void Run_ModelDir_ScoresTheSplitWithTheModel()
    {
        using var dir = new TempDir();
        string data = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        File.WriteAllText(Path.Combine(data, "dev.tsv"), Split);
        string model = As2ScorerTests.WriteTinyModel(dir);
        As2Report report = As2Evaluation.Run(new As2EvalOptions(DataDir: data, Split: "dev", ModelDir: model, BatchSize: 2));
        // Tiny-model scores (As2ScorerTests): q1 positive 83.5 > negative 81.5 ("a" is [UNK]) -> AP 1;
        // q2 positive 47 < negative 51.5 -> AP 0.5.
        Assert.AreEqual(model, report.ModelSource);
        Assert.AreEqual(5, report.Pairs);
        Assert.AreEqual(2, report[As2Report.ModelSystem].Scores.Queries);
        Assert.AreEqual(0.75, report[As2Report.ModelSystem].Scores.MeanAveragePrecision, 1e-12);
        Assert.AreEqual(0.5, report[As2Report.ModelSystem].Scores.PrecisionAt1, 1e-12);
    }

    [TestMethod]
    public void Run_ScoresFileMisalignedWithSplit_ThrowsNamingTheRow()
    {
        using var dir = new TempDir();
        string data = Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName;
        File.WriteAllText(Path.Combine(data, "test.tsv"), Split.Replace("q3\t", "q4\t"));
        string scores = dir.File("scores.tsv", WithScores("1", "2", "3", "4", "5"));
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => As2Evaluation.Run(new As2EvalOptions(DataDir: data, ScoresFile: scores)));
        StringAssert.Contains(e.Message, "line 6");
        StringAssert.Contains(e.Message, "qid 'q4'");
    }

    [TestMethod]
    public void Run_ScoresFileWithoutScoreColumn_Throws()
    {
        using var dir = new TempDir();
        string scores = dir.File("scores.tsv", Split);
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => As2Evaluation.Run(new As2EvalOptions(ScoresFile: scores)));
        StringAssert.Contains(e.Message, "no 'score' column");
    }

    [TestMethod]
    [DataRow(null, null)]
    [DataRow("model", "scores.tsv")]
    public void Run_NotExactlyOneScoreSource_Throws(string? model, string? scores)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => As2Evaluation.Run(new As2EvalOptions(DataDir: "data", ModelDir: model, ScoresFile: scores)));
        StringAssert.Contains(e.Message, "exactly one");
    }

    [TestMethod]
    public void Run_ModelWithoutDataDir_Throws() =>
        Assert.ThrowsExactly<ArgumentException>(() => As2Evaluation.Run(new As2EvalOptions(ModelDir: "model")));

    [TestMethod]
    public void Evaluate_ScoreCountDiffersFromRows_Throws()
    {
        using var dir = new TempDir();
        As2Dataset data = As2Data.Read(dir.File("d.tsv", Split));
        Assert.ThrowsExactly<ArgumentException>(() => As2Evaluation.Evaluate(data, [1.0, 2.0]));
    }

    [TestMethod]
    public void Evaluate_NaNScore_ThrowsNamingLineAndQid()
    {
        using var dir = new TempDir();
        As2Dataset data = As2Data.Read(dir.File("d.tsv", Split));
        var e = Assert.ThrowsExactly<ArgumentException>(() => As2Evaluation.Evaluate(data, [1.0, 2.0, double.NaN, 0, 0]));
        StringAssert.Contains(e.Message, "line 4 (qid 'q2')");
    }

    [TestMethod]
    public void Report_JsonAndMarkdown_ListEverySystem()
    {
        var s = new RankingScores(0.5, 0.625, 0.75, 1, 2, 1);
        var report = new As2Report("d.tsv", "m", false, 5,
            [new(As2Report.ModelSystem, s), new(As2Report.WordCountSystem, s), new(As2Report.IdfWordCountSystem, s)]);
        JsonObject json = report.ToJson();
        Assert.AreEqual("as2", (string)json["task"]!);
        Assert.AreEqual("with-positive", (string)json["questions"]!);
        Assert.AreEqual(0.625, (double)json["systems"]![As2Report.WordCountSystem]!["map"]!);
        Assert.AreEqual(2, (int)json["systems"]![As2Report.ModelSystem]!["questions"]!);
        Assert.AreEqual(0.75, (double)JsonNode.Parse(report.ToJsonString())!["systems"]!["model"]!["mrr"]!);
        string[] lines = report.ToMarkdown().TrimEnd().Split('\n');
        Assert.HasCount(5, lines);
        Assert.AreEqual("| System | Questions | P@1 | MAP | MRR | HR@5 |", lines[0]);
        Assert.AreEqual("| word-count | 2 | 0.5000 | 0.6250 | 0.7500 | 1.0000 |", lines[3]);
    }
}
