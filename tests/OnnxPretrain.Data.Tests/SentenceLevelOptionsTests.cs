using static OnnxPretrain.Data.Tests.SentenceLevelFixture;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class SentenceLevelOptionsTests
{
    [TestMethod]
    public void Options_Defaults_PaperRatiosAndBertMasking()
    {
        var o = new SentenceLevelBatcherOptions().Validate();
        Assert.AreEqual(SentenceLevelTask.Ssp, o.Task);
        Assert.AreEqual(128, o.SequenceLength);
        Assert.AreEqual(0.5, o.PositiveFraction);
        Assert.AreEqual(0.25, o.HardNegativeFraction);
        Assert.AreEqual(0.25, o.EasyNegativeFraction, 1e-12);
        Assert.AreEqual(0.15, o.MaskProbability);
        Assert.AreEqual(0.8, o.MaskTokenFraction);
        Assert.AreEqual(0.1, o.RandomTokenFraction);
    }

    [TestMethod]
    [DataRow("SequenceLength", "4")]
    [DataRow("PositiveFraction", "-0.1")]
    [DataRow("PositiveFraction", "1.5")]
    [DataRow("HardNegativeFraction", "NaN")]
    [DataRow("HardNegativeFraction", "0.6")]
    [DataRow("MaskProbability", "0")]
    [DataRow("MaskTokenFraction", "2")]
    [DataRow("RandomTokenFraction", "0.3")]
    public void Validate_FieldOutOfRange_ThrowsNamingFieldAndValue(string field, string value)
    {
        double v = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var o = field switch
        {
            "SequenceLength" => new SentenceLevelBatcherOptions { SequenceLength = (int)v },
            "PositiveFraction" => new SentenceLevelBatcherOptions { PositiveFraction = v },
            "HardNegativeFraction" => new SentenceLevelBatcherOptions { HardNegativeFraction = v },
            "MaskProbability" => new SentenceLevelBatcherOptions { MaskProbability = v },
            "MaskTokenFraction" => new SentenceLevelBatcherOptions { MaskTokenFraction = v },
            _ => new SentenceLevelBatcherOptions { RandomTokenFraction = v },
        };
        var e = Assert.ThrowsExactly<ArgumentException>(() => o.Validate());
        Assert.AreEqual(field, e.ParamName);
        StringAssert.Contains(e.Message, value);
        Assert.ThrowsExactly<ArgumentException>(() => new SentenceLevelBatcher(o, Specials, Standard));
    }

    [TestMethod]
    public void Validate_UndefinedTask_ThrowsNamingTask()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new SentenceLevelBatcherOptions { Task = (SentenceLevelTask)7 }.Validate());
        Assert.AreEqual("Task", e.ParamName);
        StringAssert.Contains(e.Message, "7");
    }

    [TestMethod]
    public void Constructor_OneDocumentWithNegatives_ThrowsOnlyPositivesAllowed()
    {
        var corpus = Create(1, _ => 3, seed: 2, minSentences: 2);
        var e = Assert.ThrowsExactly<ArgumentException>(() => Batcher(SentenceLevelTask.Ssp, corpus));
        Assert.AreEqual("corpus", e.ParamName);
        var positives = Batcher(SentenceLevelTask.Ssp, corpus, positive: 1, hard: 0);
        Assert.IsTrue(positives.Sample(0, 16).All(s => s.Kind == SentenceLevelExampleKind.Positive));
    }

    [TestMethod]
    public void Constructor_OnlyOneSentenceParagraphs_SspAndSpThrowPsdWorks()
    {
        var corpus = Create(4, _ => 2, seed: 3, minSentences: 1, maxSentences: 1);
        Assert.AreEqual("corpus", Assert.ThrowsExactly<ArgumentException>(() => Batcher(SentenceLevelTask.Ssp, corpus)).ParamName);
        Assert.AreEqual("corpus", Assert.ThrowsExactly<ArgumentException>(() => Batcher(SentenceLevelTask.Sp, corpus)).ParamName);
        Assert.HasCount(4, Batcher(SentenceLevelTask.Psd, corpus).Sample(0, 4));
    }

    [TestMethod]
    public void Constructor_PsdWithoutMultiParagraphDocument_ThrowsForPositives()
    {
        var corpus = Create(4, _ => 1, seed: 3);
        Assert.AreEqual("corpus", Assert.ThrowsExactly<ArgumentException>(() => Batcher(SentenceLevelTask.Psd, corpus)).ParamName);
        Assert.IsTrue(Batcher(SentenceLevelTask.Psd, corpus, positive: 0).Sample(0, 8).All(s => s.Label == 0));
    }

    [TestMethod]
    public void Constructor_CorpusVocabularyLargerThanSpecials_Throws()
    {
        var corpus = new InMemorySentenceCorpus([[[[1000, 1001], [1002]]], [[[1003], [1004]]]], 6000);
        Assert.AreEqual("corpus", Assert.ThrowsExactly<ArgumentException>(() => Batcher(SentenceLevelTask.Ssp, corpus)).ParamName);
    }

    [TestMethod]
    public void Build_BatchSizeZero_Throws()
    {
        var batcher = Batcher(SentenceLevelTask.Sp);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => batcher.Build(0, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => batcher.Sample(0, -1));
    }
}
