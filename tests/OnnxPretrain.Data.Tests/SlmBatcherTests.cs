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
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 0), Sample, 32);
        AssertBinomial(pairs.Count, Selectable(Sample), 0.15, "selected");
    }

    [TestMethod]
    public void Build_Selected_AllSwappedForReplaceableIdsNeverMask()
    {
        var vocabulary = new MaskingVocabulary(Specials);
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 1), Sample, 32);
        Assert.IsTrue(pairs.All(p => vocabulary.IsReplaceable(p.Now)), "swapped ids are replaceable (never [MASK])");
        int unchanged = pairs.Count(p => p.Now == p.Original);
        Assert.IsLessThan(20, unchanged, "only chance collisions (1/886) leave an id unchanged");
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalBatch() =>
        AssertIdentical(Batcher.Build(Sample, 4), new SlmBatcher(new SlmBatcherOptions { Seed = 3 }, Specials).Build(Sample, 4));

    [TestMethod]
    public void Build_DifferentStep_DifferentMasks() =>
        CollectionAssert.AreNotEqual(Get(Batcher.Build(Sample, 4), BatcherInputNames.InputIds), Get(Batcher.Build(Sample, 5), BatcherInputNames.InputIds));
}
