using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Summarization;

namespace OnnxPretrain.Evaluation.Tests.Summarization;

[TestClass]
public sealed class SummarizationEvaluationTests
{
    private const double Tol = 1e-12;

    private static string Split(TempDir dir) => dir.File("test.jsonl",
        "{\"id\": \"e1\", \"document\": \"Meeting moved to Friday. Please confirm.\", \"summary\": \"meeting moved\", " +
        "\"references\": [\"meeting moved to friday\", \"friday meeting\"]}\n");

    [TestMethod]
    public void Run_LeadOnOneExample_GivesHandComputedPrimaryMeanAndMax()
    {
        using var dir = new TempDir();
        Split(dir);
        SummarizationReport report = SummarizationEvaluation.Run(new SummarizationEvalOptions(dir.Path, "test", null, Stem: false));
        SummarizationSystemResult lead = report[LeadBaseline.SystemName];
        // Lead-1 = "Meeting moved to Friday." -> meeting moved to friday (4 tokens).
        // vs summary "meeting moved": R1 2/4, 2/2 -> F 2/3; R2 1 of 3 bigrams, 1 of 1 -> F 0.5; RL LCS 2 -> F 2/3.
        Assert.AreEqual(2.0 / 3, lead.Primary.Rouge1.F1, Tol);
        Assert.AreEqual(0.5, lead.Primary.Rouge2.F1, Tol);
        Assert.AreEqual(2.0 / 3, lead.Primary.RougeL.F1, Tol);
        // ref1 = the lead itself -> all 1. ref2 "friday meeting": R1 2/4, 2/2 -> 2/3; R2 0; RL LCS 1 -> P 1/4, R 1/2, F 1/3.
        // mean: R1 (1 + 2/3)/2 = 5/6, R2 (1 + 0)/2 = 1/2, RL (1 + 1/3)/2 = 2/3; max: 1 everywhere (ref1).
        Assert.AreEqual(5.0 / 6, lead.ReferencesMean!.Rouge1.F1, Tol);
        Assert.AreEqual(0.5, lead.ReferencesMean.Rouge2.F1, Tol);
        Assert.AreEqual(2.0 / 3, lead.ReferencesMean.RougeL.F1, Tol);
        Assert.AreEqual((0.25 + 1) / 2, lead.ReferencesMean.RougeL.Precision, Tol);
        for (int m = 0; m < 3; m++) Assert.AreEqual(1, lead.ReferencesMax![m].F1, Tol);
        Assert.AreEqual(1, lead.ExamplesWithReferences);
    }

    [TestMethod]
    public void Run_Predictions_ScoresThemBesideLeadAndWritesJsonAndMarkdown()
    {
        using var dir = new TempDir();
        Split(dir);
        string predictions = dir.File("p.jsonl", "{\"id\": \"e1\", \"prediction\": \"Meeting moved\"}\n");
        SummarizationReport report = SummarizationEvaluation.Run(new SummarizationEvalOptions(dir.Path, "test", predictions, Stem: true));
        Assert.AreEqual(1, report[SummarizationEvaluation.PredictionsSystem].Primary.Rouge2.F1, Tol);
        JsonObject json = report.ToJson();
        Assert.AreEqual(1.0, (double)json["systems"]!["predictions"]!["primary"]!["rougeL"]!["f1"]!, Tol);
        Assert.IsNotNull(json["systems"]!["lead-1"]!["references_max"]);
        string md = report.ToMarkdown();
        StringAssert.Contains(md, "| predictions | summary | 1 | 100.00 | 100.00 | 100.00 |");
        StringAssert.Contains(md, "| lead-1 | references (mean) | 1 |");
    }

    [TestMethod]
    public void Run_PredictionsMissingAnId_ThrowsNamingTheId()
    {
        using var dir = new TempDir();
        Split(dir);
        string predictions = dir.File("p.jsonl", "{\"id\": \"other\", \"prediction\": \"x\"}\n");
        var e = Assert.ThrowsExactly<CorpusFormatException>(() =>
            SummarizationEvaluation.Run(new SummarizationEvalOptions(dir.Path, "test", predictions)));
        StringAssert.Contains(e.Message, "'e1'");
    }

    [TestMethod]
    public void Run_AeslcTestLead1_MatchesTheReferenceScores()
    {
        string dir = AeslcDir();
        if (!File.Exists(Path.Combine(dir, "test.jsonl"))) Assert.Inconclusive($"AESLC data not found at {dir} (../shared/data/summarization/aeslc).");
        SummarizationReport report = SummarizationEvaluation.Run(new SummarizationEvalOptions(dir, "test"));
        Assert.AreEqual(1906, report.Examples);
        SummarizationSystemResult lead = report[LeadBaseline.SystemName];
        Assert.AreEqual(1906, lead.ExamplesWithReferences);
        // Reference: the scores the README reports for Lead-1 (F1 x 100, stemming on); the ROUGE code itself is checked
        // against hand-computed values above, so this pins the data reading, sentence splitting and averaging end to end.
        double[] primary = [15.37, 6.59, 14.08], mean = [24.03, 11.98, 21.57], max = [34.74, 21.08, 32.08];
        for (int m = 0; m < 3; m++)
        {
            Assert.AreEqual(primary[m], 100 * lead.Primary[m].F1, 0.005, $"ROUGE-{"12L"[m]} F1 against summary");
            Assert.AreEqual(mean[m], 100 * lead.ReferencesMean![m].F1, 0.005, $"ROUGE-{"12L"[m]} F1, mean over references");
            Assert.AreEqual(max[m], 100 * lead.ReferencesMax![m].F1, 0.005, $"ROUGE-{"12L"[m]} F1, max over references");
        }
    }

    /// <summary>../shared/data/summarization/aeslc relative to the repository root (the folder holding OnnxPretrain.sln).</summary>
    internal static string AeslcDir()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "OnnxPretrain.sln"))) d = d.Parent;
        return Path.GetFullPath(Path.Combine(d?.FullName ?? ".", "..", "shared", "data", "summarization", "aeslc"));
    }
}
