using static OnnxPretrain.Data.Tests.BatcherTestData;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class SlmBatcherTests
{
    private static readonly List<int[]> Sample = Rows(256, seed: 2);
    private static readonly SlmBatcher Batcher = new(new SlmBatcherOptions { Seed = 3 }, Specials);

    [TestMethod]
    public void Build_LargeSample_SelectionRateWithinFourSigma()
    {
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 0), Sample);
        AssertBinomial(pairs.Count, Selectable(Sample), 0.15, "selected");
    }

    [TestMethod]
    public void Build_Selected_AllSwappedForReplaceableIdsNeverMask()
    {
        var vocabulary = new MaskingVocabulary(Specials);
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 1), Sample);
        Assert.IsTrue(pairs.All(p => vocabulary.IsReplaceable(p.Now)), "swapped ids are replaceable (never [MASK])");
        int unchanged = pairs.Count(p => p.Now == p.Original);
        Assert.IsLessThan(20, unchanged, "only chance collisions (1/886) leave an id unchanged");
    }

    [TestMethod]
    public void Build_Positions_ExactlyTheSwappedTokensInOrder()
    {
        int[][] rows = [[101, 500, 102, 501, 102], [101, 102], [101, 600, 990, 102]];
        var batcher = new SlmBatcher(new SlmBatcherOptions { SequenceLength = 5, MaskProbability = 1 }, Specials);
        var batch = batcher.Build(rows, 0);
        CollectionAssert.AreEqual(new long[] { 1, 3, 11, 12 }, Get(batch, BatcherInputNames.MaskedLmPositions));
        CollectionAssert.AreEqual(new long[] { 500, 501, 600, 990 }, Get(batch, BatcherInputNames.MaskedLmLabels));
        MaskedLmSelections(batch, rows, t: 5);
    }

    [TestMethod]
    public void Build_CapSet_AtMostCapPerRow()
    {
        var batcher = new SlmBatcher(new SlmBatcherOptions { Seed = 3, MaskProbability = 0.5, MaxPredictionsPerSequence = 5 }, Specials);
        var pairs = MaskedLmSelections(batcher.Build(Sample, 0), Sample, cap: 5);
        Assert.AreEqual(5 * Sample.Count, pairs.Count);
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalBatch() =>
        AssertIdentical(Batcher.Build(Sample, 4), new SlmBatcher(new SlmBatcherOptions { Seed = 3 }, Specials).Build(Sample, 4));

    [TestMethod]
    public void Build_DifferentStep_DifferentMasks() =>
        CollectionAssert.AreNotEqual(Get(Batcher.Build(Sample, 4), BatcherInputNames.InputIds), Get(Batcher.Build(Sample, 5), BatcherInputNames.InputIds));
}
