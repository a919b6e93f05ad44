namespace OnnxPretrain.Evaluation.Tests;

[TestClass]
public sealed class LexicalBaselinesTests
{
    [TestMethod]
    public void Tokenize_MixedCaseAndWhitespace_LowerCasesAndSplits() =>
        CollectionAssert.AreEqual(new[] { "what", "is", "paris", "?" }, LexicalBaselines.Tokenize(" What  is\tParis ?"));

    [TestMethod]
    public void ContentWords_StopWordsPunctuationAndRepeats_AreDropped() =>
        CollectionAssert.AreEqual(new[] { "capital", "france" },
            LexicalBaselines.ContentWords("what is the capital of france , capital ?").ToArray());

    [TestMethod]
    public void StopWords_English_HasTheNltkList()
    {
        Assert.AreEqual(127, StopWords.English.Count);
        Assert.IsTrue(StopWords.English.Contains("what"));
        Assert.IsFalse(StopWords.English.Contains("capital"));
    }

    [TestMethod]
    public void WordCount_SharedContentWords_CountsEachQuestionWordOnce()
    {
        Assert.AreEqual(2, LexicalBaselines.WordCount("what is the capital of france", "paris is the capital of france , capital ."));
        Assert.AreEqual(0, LexicalBaselines.WordCount("what is it", "it is what it is"));
    }

    [TestMethod]
    public void InverseDocumentFrequencies_ThreeDocuments_AreLogNOverDf()
    {
        var idf = LexicalBaselines.InverseDocumentFrequencies(["a b", "b c c", "b"]);
        Assert.AreEqual(Math.Log(3), idf["a"], 1e-12);
        Assert.AreEqual(0, idf["b"], 1e-12);
        Assert.AreEqual(Math.Log(3), idf["c"], 1e-12);
    }

    [TestMethod]
    public void IdfWeightedWordCount_Overlap_SumsIdfOfSharedQuestionWords()
    {
        var idf = new Dictionary<string, double> { ["capital"] = 0.5, ["france"] = 2.0 };
        Assert.AreEqual(2.5, LexicalBaselines.IdfWeightedWordCount("capital of france ?", "france 's capital", idf), 1e-12);
        Assert.AreEqual(2.0, LexicalBaselines.IdfWeightedWordCount("capital of france", "france", idf), 1e-12);
    }

    [TestMethod]
    public void Baselines_WikiQaTest_ReportTieAwareValuesAndExplainThePublishedOnes()
    {
        As2Dataset data = As2Data.Read(WikiQa.Split("test"));
        double[] wcScores = LexicalBaselines.WordCount(data), idfScores = LexicalBaselines.IdfWeightedWordCount(data);
        RankingScores wc = As2Evaluation.Evaluate(data, wcScores), idf = As2Evaluation.Evaluate(data, idfScores);
        Print("word count, tie-aware (published MAP 0.4891, MRR 0.4924)", wc);
        Print("IDF-weighted word count, tie-aware (published MAP 0.5099, MRR 0.5132)", idf);
        var wcInput = FixedOrder(data, wcScores, reverse: false);
        var wcReverse = FixedOrder(data, wcScores, reverse: true);
        var idfReverse = FixedOrder(data, idfScores, reverse: true);
        Console.WriteLine($"word count, ties by file order (wrong): MAP {wcInput.Map:F4} MRR {wcInput.Mrr:F4} P@1 {wcInput.P1:F4}");
        Console.WriteLine($"word count, ties by reverse file order: MAP {wcReverse.Map:F4} MRR {wcReverse.Mrr:F4} P@1 {wcReverse.P1:F4}");
        Console.WriteLine($"IDF-weighted, ties by reverse file order: MAP {idfReverse.Map:F4} MRR {idfReverse.Mrr:F4} P@1 {idfReverse.P1:F4}");
        Assert.AreEqual(243, wc.Queries);
        Assert.AreEqual(0.5754, wc.MeanAveragePrecision, 0.002);
        Assert.AreEqual(0.5821, idf.MeanAveragePrecision, 0.002);
        // The published values match an unfavourable fixed tie order, not a different baseline.
        Assert.AreEqual(0.4891, wcReverse.Map, 0.015);
        Assert.AreEqual(0.4924, wcReverse.Mrr, 0.015);
        Assert.AreEqual(0.5099, idfReverse.Map, 0.015);
        Assert.AreEqual(0.5132, idfReverse.Mrr, 0.015);
        Assert.IsGreaterThan(wc.MeanAveragePrecision + 0.05, wcInput.Map, "file-order tie-breaking inflates MAP (positives come first)");
    }

    private static (double P1, double Map, double Mrr, double Hr5) FixedOrder(As2Dataset data, double[] scores, bool reverse) =>
        StrictMetrics.InputOrder(data.Questions.Select(q =>
        {
            var c = q.Candidates.Select(p => new ScoredCandidate(scores[p.Row], p.IsPositive)).ToList();
            if (reverse) c.Reverse();
            return (IReadOnlyList<ScoredCandidate>)c;
        }));

    private static void Print(string name, RankingScores s) =>
        Console.WriteLine($"{name}: MAP {s.MeanAveragePrecision:F4} MRR {s.MeanReciprocalRank:F4} P@1 {s.PrecisionAt1:F4} HR@5 " +
            $"{s.HitRateAt5:F4} ({s.Queries} questions)");
}
