using static OnnxPretrain.Data.Tests.BatcherTestData;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class MlmBatcherTests
{
    private static readonly List<int[]> Sample = Rows(256);
    private static readonly MlmBatcher Batcher = new(new MlmBatcherOptions { Seed = 42 }, Specials);

    [TestMethod]
    public void Build_LargeSample_SelectionRateWithinFourSigma()
    {
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 0), Sample, 32);
        int n = Selectable(Sample);
        Assert.IsGreaterThan(20000, n);
        AssertBinomial(pairs.Count, n, 0.15, "selected");
    }

    [TestMethod]
    public void Build_LargeSample_SplitIs80MaskTenRandomTenKept()
    {
        var pairs = Enumerable.Range(0, 4).SelectMany(step => MaskedLmSelections(Batcher.Build(Sample, step), Sample, 32)).ToList();
        int masked = pairs.Count(p => p.Now == Specials.MaskId);
        int kept = pairs.Count(p => p.Now == p.Original);
        int random = pairs.Count - masked - kept;
        AssertBinomial(masked, pairs.Count, 0.8, "[MASK]");
        AssertBinomial(random, pairs.Count, 0.1 * (1 - 1.0 / 886), "random");
        AssertBinomial(kept, pairs.Count, 0.1 + 0.1 / 886, "kept");
    }

    [TestMethod]
    public void Build_RandomReplacements_NeverNonReplaceable()
    {
        var vocabulary = new MaskingVocabulary(Specials);
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 1), Sample, 32);
        var randoms = pairs.Where(p => p.Now != Specials.MaskId && p.Now != p.Original).ToList();
        Assert.IsGreaterThan(200, randoms.Count);
        Assert.IsTrue(randoms.All(p => vocabulary.IsReplaceable(p.Now) && p.Now is >= 104 and < 990));
    }

    [TestMethod]
    public void Build_ShortRows_PaddedSlotsAreRowClsAndIgnoreLabel()
    {
        int[][] rows = [[101, 500, 102], [101, 102], [101, 600, 700, 102]];
        var batcher = new MlmBatcher(new MlmBatcherOptions { SequenceLength = 6, MaxPredictionsPerSequence = 4, MaskProbability = 1 }, Specials);
        var batch = batcher.Build(rows, 0);
        CollectionAssert.AreEqual(new long[] { 1, 0, 0, 0, 6, 6, 6, 6, 13, 14, 12, 12 }, Get(batch, BatcherInputNames.MaskedLmPositions));
        CollectionAssert.AreEqual(new long[] { 500, -100, -100, -100, -100, -100, -100, -100, 600, 700, -100, -100 },
            Get(batch, BatcherInputNames.MaskedLmLabels));
        MaskedLmSelections(batch, rows, 4, 6);
    }

    [TestMethod]
    public void Build_RowSelectsMoreThanP_KeepsPAndRestoresTheRest()
    {
        var batcher = new MlmBatcher(new MlmBatcherOptions { MaskProbability = 0.5, MaxPredictionsPerSequence = 3, MaskTokenFraction = 1, RandomTokenFraction = 0 }, Specials);
        var batch = batcher.Build(Sample, 5);
        var pairs = MaskedLmSelections(batch, Sample, 3);
        Assert.AreEqual(3 * Sample.Count, pairs.Count, "every row fills its 3 slots");
        Assert.AreEqual(pairs.Count, Get(batch, BatcherInputNames.InputIds).Count(id => id == Specials.MaskId), "only kept positions masked");
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalBatch() =>
        AssertIdentical(Batcher.Build(Sample, 9), new MlmBatcher(new MlmBatcherOptions { Seed = 42 }, Specials).Build(Sample, 9));

    [TestMethod]
    public void Build_DifferentStepOrSeed_DifferentMasks()
    {
        long[] a = Get(Batcher.Build(Sample, 9), BatcherInputNames.MaskedLmPositions);
        CollectionAssert.AreNotEqual(a, Get(Batcher.Build(Sample, 10), BatcherInputNames.MaskedLmPositions));
        var other = new MlmBatcher(new MlmBatcherOptions { Seed = 43 }, Specials);
        CollectionAssert.AreNotEqual(a, Get(other.Build(Sample, 9), BatcherInputNames.MaskedLmPositions));
    }

    [TestMethod]
    public void Build_Always_ReturnsOnlyTheFiveMlmInputs()
    {
        var names = Batcher.Build(Sample, 0).Arrays.Keys.Order().ToArray();
        CollectionAssert.AreEqual(new[] { "attention_mask", "input_ids", "masked_lm_labels", "masked_lm_positions", "token_type_ids" }, names);
    }
}
