using static OnnxPretrain.Data.Tests.SentenceLevelFixture;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class ContrastivePairBatcherTests
{
    private static ContrastivePairBatcher Batcher(ITokenizedCorpus corpus, IReadOnlyList<int[]?>? titles = null, int t = 32, long seed = 4,
        ContrastivePairSource source = ContrastivePairSource.Auto) =>
        new(new ContrastivePairBatcherOptions { SequenceLength = t, Seed = seed, PairSource = source }, Specials, corpus, titles);

    private static int ParagraphOf(ITokenizedCorpus corpus, int sentence) =>
        Enumerable.Range(0, corpus.ParagraphCount).First(p => corpus.GetParagraphSentences(p).Start <= sentence
            && sentence < corpus.GetParagraphSentences(p).End);

    [TestMethod]
    public void Sample_NoTitles_NeighbouringParagraphsOrSentencesOfOneDocument()
    {
        var corpus = Standard;
        var batcher = Batcher(corpus, t: 64);
        for (int step = 0; step < 10; step++)
        {
            foreach (var s in batcher.Sample(step, 6))
            {
                int lastA = SentenceOf(s.A[^1]), firstB = SentenceOf(s.B[0]);
                var docSentences = corpus.GetDocumentSentences(s.Document);
                Assert.IsTrue(docSentences.Start <= lastA && firstB < docSentences.End, "both sides from the sampled document");
                Assert.IsGreaterThan(lastA, firstB, "A precedes B");
                bool skippedOnlyEmpty = Enumerable.Range(lastA + 1, firstB - lastA - 1).All(x => corpus.GetSentence(x).IsEmpty);
                Assert.IsTrue(skippedOnlyEmpty, $"A ends right before B starts (sentences {lastA}, {firstB})");
                if (s.Kind == ContrastivePairKind.NeighbouringParagraphs)
                    Assert.AreEqual(ParagraphOf(corpus, lastA) + 1, ParagraphOf(corpus, firstB), "consecutive paragraphs");
                else
                {
                    Assert.AreEqual(ContrastivePairKind.NeighbouringSentences, s.Kind);
                    Assert.AreEqual(1, corpus.GetDocumentParagraphs(s.Document).Count);
                }
            }
        }
    }

    [TestMethod]
    public void Sample_Titles_TitleAgainstTextWithoutTheRepeatedTitle()
    {
        var corpus = new InMemorySentenceCorpus([[[[7, 8], [1000, 1001]]], [[[1010]]], [[[1020, 1021]], [[1030]]]], Specials.VocabSize);
        int[]?[] titles = [[7, 8], [9], null];
        var batcher = Batcher(corpus, titles, t: 8);
        var samples = batcher.Sample(0, 3);
        CollectionAssert.AreEquivalent(new[] { 0, 1, 2 }, samples.Select(s => s.Document).ToArray(), "distinct documents");
        var byDoc = samples.ToDictionary(s => s.Document);
        CollectionAssert.AreEqual(new[] { 7, 8 }, byDoc[0].A);
        CollectionAssert.AreEqual(new[] { 1000, 1001 }, byDoc[0].B, "the leading copy of the title is dropped");
        CollectionAssert.AreEqual(new[] { 9 }, byDoc[1].A);
        CollectionAssert.AreEqual(new[] { 1010 }, byDoc[1].B);
        Assert.AreEqual(ContrastivePairKind.NeighbouringParagraphs, byDoc[2].Kind, "no title: neighbouring paragraphs");
        Assert.ThrowsExactly<ArgumentException>(() => Batcher(corpus, [null, [9], null], source: ContrastivePairSource.Title));
    }

    [TestMethod]
    public void Build_Layout_SidesThenLabelsAndTruncationToTMinus2()
    {
        const int t = 6;
        var batcher = Batcher(Standard, t: t);
        Batch batch = batcher.Build(1, 5, out var samples);
        long[] ids = batch.Arrays[BatcherInputNames.InputIds].Int64s, mask = batch.Arrays[BatcherInputNames.AttentionMask].Int64s;
        CollectionAssert.AreEqual(new long[] { 10, t }, batch.Arrays[BatcherInputNames.InputIds].Shape);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4 }, batch.Arrays[ContrastiveInputNames.Labels].Int64s);
        Assert.IsTrue(batch.Arrays[BatcherInputNames.TokenTypeIds].Int64s.All(x => x == 0));
        Assert.AreEqual(5, samples.Select(s => s.Document).Distinct().Count(), "in-batch negatives come from other documents");
        for (int r = 0; r < 10; r++)
        {
            int[] side = r < 5 ? samples[r].A : samples[r - 5].B;
            Assert.IsLessThanOrEqualTo(t - 2, side.Length);
            long[] expected = [101, .. side.Select(x => (long)x), 102, .. new long[t - side.Length - 2]];
            CollectionAssert.AreEqual(expected, ids[(r * t)..((r + 1) * t)], $"row {r}");
            Assert.AreEqual(side.Length + 2, mask[(r * t)..((r + 1) * t)].Sum());
        }
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalAndStepsDiffer()
    {
        var a = Batcher(Standard, seed: 8).Build(2, 6);
        var b = Batcher(Standard, seed: 8).Build(2, 6);
        var c = Batcher(Standard, seed: 8).Build(3, 6);
        foreach (var (name, array) in a.Arrays) CollectionAssert.AreEqual(array.Int64s, b.Arrays[name].Int64s, name);
        CollectionAssert.AreNotEqual(a.Arrays[BatcherInputNames.InputIds].Int64s, c.Arrays[BatcherInputNames.InputIds].Int64s);
    }

    [TestMethod]
    public void Sample_BatchLargerThanUsableDocuments_RepeatsTheSampleCyclically()
    {
        var batcher = Batcher(Standard);
        var samples = batcher.Sample(0, batcher.UsableDocumentCount + 3);
        for (int b = 0; b < 3; b++) Assert.AreEqual(samples[b].Document, samples[batcher.UsableDocumentCount + b].Document);
    }
}
