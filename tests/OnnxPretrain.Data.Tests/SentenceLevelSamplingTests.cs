using static OnnxPretrain.Data.Tests.SentenceLevelFixture;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class SentenceLevelSamplingTests
{
    private const int Steps = 60;

    [TestMethod]
    public void Sample_Ssp_LabelsMatchParagraphMembership()
    {
        var samples = Samples(Batcher(SentenceLevelTask.Ssp), Steps);
        bool aBeforeB = false, bBeforeA = false;
        foreach (var sample in samples)
        {
            AssertSpan(sample.A);
            AssertSpan(sample.B);
            switch (sample.Kind)
            {
                case SentenceLevelExampleKind.Positive:
                    Assert.AreEqual(sample.A.Paragraph, sample.B.Paragraph);
                    Assert.IsFalse(sample.A.Sentences.Intersect(sample.B.Sentences).Any(), "spans overlap");
                    aBeforeB |= sample.A.Sentences[0] < sample.B.Sentences[0];
                    bBeforeA |= sample.B.Sentences[0] < sample.A.Sentences[0];
                    break;
                case SentenceLevelExampleKind.HardNegative:
                    Assert.AreEqual(sample.A.Document, sample.B.Document);
                    Assert.AreNotEqual(sample.A.Paragraph, sample.B.Paragraph);
                    break;
                default:
                    Assert.AreNotEqual(sample.A.Document, sample.B.Document);
                    break;
            }
            AssertCommon(sample, minSentences: 2);
        }
        Assert.IsTrue(aBeforeB && bBeforeA, "positives place A before and after B");
        Assert.IsTrue(samples.Any(s => s.Kind == SentenceLevelExampleKind.HardNegative));
    }

    [TestMethod]
    public void Sample_Sp_PositiveBIsAsParagraphWithoutA_NegativesWholeOtherParagraphs()
    {
        var samples = Samples(Batcher(SentenceLevelTask.Sp), Steps);
        foreach (var sample in samples)
        {
            AssertSpan(sample.A);
            List<int> paragraphB = Usable(Standard, sample.B.Paragraph);
            if (sample.Kind == SentenceLevelExampleKind.Positive)
            {
                Assert.AreEqual(sample.A.Paragraph, sample.B.Paragraph);
                Assert.IsNotEmpty(sample.B.Sentences);
                Assert.IsFalse(sample.A.Sentences.Intersect(sample.B.Sentences).Any(), "A is still in B");
                CollectionAssert.AreEqual(paragraphB.Except(sample.A.Sentences).ToList(), sample.B.Sentences.ToList());
            }
            else
            {
                CollectionAssert.AreEqual(paragraphB, sample.B.Sentences.ToList(), "a negative's B is a whole paragraph");
                Assert.AreNotEqual(sample.A.Paragraph, sample.B.Paragraph);
                Assert.AreEqual(sample.Kind == SentenceLevelExampleKind.HardNegative, sample.A.Document == sample.B.Document);
            }
            AssertCommon(sample, minSentences: 2);
        }
    }

    [TestMethod]
    public void Build_Sp_PositiveRowTokensOfANeverInB()
    {
        var batcher = Batcher(SentenceLevelTask.Sp, t: 128);
        for (int step = 0; step < 10; step++)
        {
            Batch batch = batcher.Build(step, 32, out var samples);
            long[] ids = Unmasked(batch), types = batch.Arrays[BatcherInputNames.TokenTypeIds].Int64s;
            for (int b = 0; b < samples.Count; b++)
            {
                var row = Enumerable.Range(b * 128, 128).Where(i => ids[i] >= 1000).ToList();
                var a = row.Where(i => types[i] == 0).Select(i => SentenceOf(ids[i])).ToHashSet();
                var bSentences = row.Where(i => types[i] == 1).Select(i => SentenceOf(ids[i])).ToHashSet();
                Assert.IsFalse(a.Overlaps(bSentences), $"step {step} row {b}: a sentence of A appears in B");
                CollectionAssert.AreEquivalent(samples[b].A.Sentences.ToList(), a.ToList());
            }
        }
    }

    [TestMethod]
    public void Sample_Psd_WholeParagraphsPositiveSameDocumentNegativeOtherDocument()
    {
        var samples = Samples(Batcher(SentenceLevelTask.Psd), Steps);
        foreach (var sample in samples)
        {
            CollectionAssert.AreEqual(Usable(Standard, sample.A.Paragraph), sample.A.Sentences.ToList());
            CollectionAssert.AreEqual(Usable(Standard, sample.B.Paragraph), sample.B.Sentences.ToList());
            Assert.AreNotEqual(SentenceLevelExampleKind.HardNegative, sample.Kind, "PSD has no hard negatives");
            Assert.AreEqual(sample.Kind == SentenceLevelExampleKind.Positive, sample.A.Document == sample.B.Document);
            Assert.AreNotEqual(sample.A.Paragraph, sample.B.Paragraph);
            AssertCommon(sample, minSentences: 1);
        }
    }

    [TestMethod]
    [DataRow(SentenceLevelTask.Ssp, 0.5, 0.25)]
    [DataRow(SentenceLevelTask.Sp, 0.5, 0.25)]
    [DataRow(SentenceLevelTask.Psd, 0.5, 0.25)]
    [DataRow(SentenceLevelTask.Ssp, 0.3, 0.6)]
    [DataRow(SentenceLevelTask.Sp, 0.2, 0.1)]
    public void Sample_ManySteps_KindRatiosWithinBinomialTolerance(SentenceLevelTask task, double positive, double hard)
    {
        var samples = Samples(Batcher(task, positive: positive, hard: hard), 100);
        int n = samples.Count;
        AssertBinomial(samples.Count(s => s.Label == 1), n, positive, "positives");
        AssertBinomial(samples.Count(s => s.Kind == SentenceLevelExampleKind.HardNegative || s.FellBackToEasy), n, hard, "drawn hard");
        AssertBinomial(samples.Count(s => s.Kind == SentenceLevelExampleKind.EasyNegative && !s.FellBackToEasy), n,
            1 - positive - hard, "drawn easy");
        if (task != SentenceLevelTask.Psd)
        {
            // Hard draws whose document has other eligible paragraphs stay hard: 12 of 16 documents here.
            int drawnHard = samples.Count(s => s.Kind == SentenceLevelExampleKind.HardNegative || s.FellBackToEasy);
            Assert.IsGreaterThan(drawnHard / 2, samples.Count(s => s.Kind == SentenceLevelExampleKind.HardNegative));
        }
    }

    [TestMethod]
    [DataRow(SentenceLevelTask.Ssp)]
    [DataRow(SentenceLevelTask.Sp)]
    public void Sample_HardDrawInOneParagraphDocument_FallsBackToEasy(SentenceLevelTask task)
    {
        var samples = Samples(Batcher(task), Steps);
        foreach (var sample in samples.Where(s => s.Kind != SentenceLevelExampleKind.Positive))
        {
            bool single = EligibleParagraphs(Standard, sample.A.Document, 2) == 1;
            if (sample.Kind == SentenceLevelExampleKind.HardNegative) Assert.IsFalse(single, "hard negative from a one-paragraph document");
            if (sample.FellBackToEasy)
            {
                Assert.IsTrue(single, "fell back although a hard negative was possible");
                Assert.AreEqual(SentenceLevelExampleKind.EasyNegative, sample.Kind);
            }
        }
        Assert.IsTrue(samples.Any(s => s.FellBackToEasy));
    }

    [TestMethod]
    public void Sample_OnlyOneParagraphDocuments_EveryHardDrawIsEasy()
    {
        var corpus = Create(8, _ => 1, seed: 11, minSentences: 2);
        var samples = Samples(Batcher(SentenceLevelTask.Ssp, corpus, hard: 0.5), 50);
        Assert.IsFalse(samples.Any(s => s.Kind == SentenceLevelExampleKind.HardNegative));
        Assert.IsTrue(samples.Where(s => s.Label == 0).All(s => s.Kind == SentenceLevelExampleKind.EasyNegative
            && s.FellBackToEasy && s.A.Document != s.B.Document));
        AssertBinomial(samples.Count(s => s.FellBackToEasy), samples.Count, 0.5, "fallbacks");
    }

    [TestMethod]
    public void Sample_OneSentenceParagraphs_NeverUsedForSspOrSp()
    {
        foreach (var task in new[] { SentenceLevelTask.Ssp, SentenceLevelTask.Sp })
        {
            foreach (var sample in Samples(Batcher(task), 20))
            {
                Assert.IsGreaterThanOrEqualTo(2, Usable(Standard, sample.A.Paragraph).Count);
                Assert.IsGreaterThanOrEqualTo(2, Usable(Standard, sample.B.Paragraph).Count);
            }
        }
        Assert.IsTrue(Enumerable.Range(0, Standard.ParagraphCount).Any(p => Usable(Standard, p).Count == 1));
    }

    [TestMethod]
    public void PlaceDisjoint_AllPlacements_UniformAndDisjoint()
    {
        var counts = new Dictionary<(int, int), int>();
        var rng = new MaskingRng(1, 0, 0);
        for (int i = 0; i < 24000; i++)
        {
            var (a, b) = SentenceLevelSampler.PlaceDisjoint(5, 2, 1, rng);
            Assert.IsTrue(a >= 0 && a + 2 <= 5 && b >= 0 && b + 1 <= 5 && (b < a || b >= a + 2), $"({a}, {b})");
            counts[(a, b)] = counts.GetValueOrDefault((a, b)) + 1;
        }
        Assert.HasCount(12, counts, "A at 0-3, B on one of the 3 other sentences: 12 placements");
        foreach (int c in counts.Values) AssertBinomial(c, 24000, 1.0 / 12, "placement");
    }

    /// <summary>Span: 1-3 consecutive non-empty sentences of its paragraph.</summary>
    private static void AssertSpan(SentenceLevelSegment segment)
    {
        Assert.IsTrue(segment.Sentences.Count is >= 1 and <= 3, $"span of {segment.Sentences.Count} sentences");
        List<int> usable = Usable(Standard, segment.Paragraph);
        int first = usable.IndexOf(segment.Sentences[0]);
        Assert.IsGreaterThanOrEqualTo(0, first);
        CollectionAssert.AreEqual(usable.GetRange(first, segment.Sentences.Count), segment.Sentences.ToList(), "not consecutive");
    }

    /// <summary>Sources are consistent with the corpus, labels with kinds.</summary>
    private static void AssertCommon(SentenceLevelSample sample, int minSentences)
    {
        foreach (var segment in new[] { sample.A, sample.B })
        {
            Assert.AreEqual(DocumentOf(Standard, segment.Paragraph), segment.Document);
            List<int> usable = Usable(Standard, segment.Paragraph);
            Assert.IsGreaterThanOrEqualTo(minSentences, usable.Count);
            Assert.IsTrue(segment.Sentences.All(usable.Contains), "sentence outside its paragraph or empty");
            Assert.AreEqual(Tokens(Standard, segment.Sentences).Length, segment.TokenCount);
        }
        Assert.AreEqual(sample.Kind == SentenceLevelExampleKind.Positive ? 1L : 0L, sample.Label);
    }
}
