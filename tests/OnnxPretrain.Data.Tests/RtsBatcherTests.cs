using static OnnxPretrain.Data.Tests.BatcherTestData;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class RtsBatcherTests
{
    private static readonly List<int[]> Sample = Rows(256, seed: 4);
    private static readonly RtsBatcher Batcher = new(new RtsBatcherOptions { Seed = 5 }, Specials);

    [TestMethod]
    public void Build_LargeSample_SelectionRateWithinFourSigmaAndReplaceableIds()
    {
        var batch = Batcher.Build(Sample, 0);
        AssertLayout(batch, Sample);
        long[] labels = Get(batch, BatcherInputNames.Labels), ids = Get(batch, BatcherInputNames.InputIds);
        CollectionAssert.AreEqual(new long[] { Sample.Count, T }, batch.Arrays[BatcherInputNames.Labels].Shape);
        var vocabulary = new MaskingVocabulary(Specials);
        int selected = 0;
        for (int b = 0; b < Sample.Count; b++)
        {
            for (int i = 0; i < T; i++)
            {
                long expected = i >= Sample[b].Length ? -100 : labels[b * T + i];
                Assert.AreEqual(expected, labels[b * T + i], "padding labelled -100");
                if (i >= Sample[b].Length) continue;
                if (labels[b * T + i] == 1)
                {
                    selected++;
                    Assert.IsFalse(Specials.IsSpecial(Sample[b][i]), "special selected");
                    Assert.IsTrue(vocabulary.IsReplaceable((int)ids[b * T + i]), "replacement is replaceable");
                }
                else
                {
                    Assert.AreEqual(0L, labels[b * T + i]);
                    Assert.AreEqual((long)Sample[b][i], ids[b * T + i], "label 0 means unchanged");
                }
            }
        }
        AssertBinomial(selected, Selectable(Sample), 0.15, "substituted");
    }

    [TestMethod]
    public void Build_DrawnIdEqualsOriginal_LabelZero()
    {
        // Only id 5 is replaceable, so every substitute equals the original 5: nothing was replaced, so every label is 0.
        var specials = new SpecialTokens(6, 0, 1, 2, 3, 4, [0, 1, 2, 3, 4]);
        var batcher = new RtsBatcher(new RtsBatcherOptions { SequenceLength = 8, ReplaceProbability = 1 }, specials);
        var batch = batcher.Build([[2, 5, 5, 3, 5, 3], [2, 3]], 0);
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 0, 0, 0, -100, -100, 0, 0, -100, -100, -100, -100, -100, -100 },
            Get(batch, BatcherInputNames.Labels));
        CollectionAssert.AreEqual(new long[] { 2, 5, 5, 3, 5, 3, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0 }, Get(batch, BatcherInputNames.InputIds));
    }

    [TestMethod]
    public void Build_ManySteps_EveryLabelOneIsAChangedToken()
    {
        // With 3 replaceable ids a draw equals the original a third of the time; those positions must be labelled 0.
        var specials = new SpecialTokens(8, 0, 1, 2, 3, 4, [0, 1, 2, 3, 4]);
        var batcher = new RtsBatcher(new RtsBatcherOptions { SequenceLength = 8, ReplaceProbability = 0.5 }, specials);
        int[] row = [2, 5, 6, 7, 5, 6, 7, 3];
        for (long step = 0; step < 200; step++)
        {
            var batch = batcher.Build([row], step);
            long[] ids = Get(batch, BatcherInputNames.InputIds), labels = Get(batch, BatcherInputNames.Labels);
            for (int i = 0; i < row.Length; i++) Assert.AreEqual(ids[i] != row[i] ? 1L : 0L, labels[i], $"step {step}, position {i}");
        }
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalBatch() =>
        AssertIdentical(Batcher.Build(Sample, 6), new RtsBatcher(new RtsBatcherOptions { Seed = 5 }, Specials).Build(Sample, 6));

    [TestMethod]
    public void Build_DifferentStep_DifferentLabels() =>
        CollectionAssert.AreNotEqual(Get(Batcher.Build(Sample, 6), BatcherInputNames.Labels), Get(Batcher.Build(Sample, 7), BatcherInputNames.Labels));
}
