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
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 0), Sample);
        int n = Selectable(Sample);
        Assert.IsGreaterThan(20000, n);
        AssertBinomial(pairs.Count, n, 0.15, "selected");
    }

    [TestMethod]
    public void Build_LargeSample_SplitIs80MaskTenRandomTenKept()
    {
        var pairs = Enumerable.Range(0, 4).SelectMany(step => MaskedLmSelections(Batcher.Build(Sample, step), Sample)).ToList();
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
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 1), Sample);
        var randoms = pairs.Where(p => p.Now != Specials.MaskId && p.Now != p.Original).ToList();
        Assert.IsGreaterThan(200, randoms.Count);
        Assert.IsTrue(randoms.All(p => vocabulary.IsReplaceable(p.Now) && p.Now is >= 104 and < 990));
    }

    [TestMethod]
    public void Build_ShortRows_FlatPositionsOfEverySelectedTokenNoPadding()
    {
        int[][] rows = [[101, 500, 102], [101, 102], [101, 600, 700, 102]];
        var batcher = new MlmBatcher(new MlmBatcherOptions { SequenceLength = 6, MaskProbability = 1 }, Specials);
        var batch = batcher.Build(rows, 0);
        CollectionAssert.AreEqual(new long[] { 1, 13, 14 }, Get(batch, BatcherInputNames.MaskedLmPositions));
        CollectionAssert.AreEqual(new long[] { 500, 600, 700 }, Get(batch, BatcherInputNames.MaskedLmLabels));
        MaskedLmSelections(batch, rows, t: 6);
    }

    [TestMethod]
    public void Build_SelectAll_MEqualsSelectableCountWithoutDefaultCap()
    {
        var batcher = new MlmBatcher(new MlmBatcherOptions { MaskProbability = 1, Seed = 1 }, Specials);
        var batch = batcher.Build(Sample, 0);
        var pairs = MaskedLmSelections(batch, Sample);
        Assert.AreEqual(Selectable(Sample), pairs.Count, "every selectable token predicted, no per-row cap by default");
        var expected = new List<long>();
        for (int b = 0; b < Sample.Count; b++)
            for (int i = 0; i < Sample[b].Length; i++)
                if (!Specials.IsSpecial(Sample[b][i])) expected.Add((long)b * T + i);
        CollectionAssert.AreEqual(expected, Get(batch, BatcherInputNames.MaskedLmPositions));
        Assert.IsTrue(Enumerable.Range(0, Sample.Count).Any(b => Sample[b].Count(id => !Specials.IsSpecial(id)) > 32));
    }

    [TestMethod]
    public void Build_Positions_ExactlyTheChangedPlusKeptSelectedTokens()
    {
        var batch = Batcher.Build(Sample, 3);
        var pairs = MaskedLmSelections(batch, Sample);
        long[] ids = Get(batch, BatcherInputNames.InputIds), positions = Get(batch, BatcherInputNames.MaskedLmPositions);
        var changed = new List<long>();
        for (int b = 0; b < Sample.Count; b++)
            for (int i = 0; i < Sample[b].Length; i++)
                if (ids[b * T + i] != Sample[b][i]) changed.Add((long)b * T + i);
        var kept = positions.Where(flat => ids[flat] == Sample[(int)(flat / T)][(int)(flat % T)]).ToList();
        CollectionAssert.AreEqual(changed.Concat(kept).Order().ToList(), positions.ToList());
        Assert.AreEqual(pairs.Count, positions.Length);
        Assert.IsGreaterThan(100, kept.Count);
    }

    [TestMethod]
    public void Build_CapSet_RowSelectingMoreKeepsCapAndRestoresTheRest()
    {
        var batcher = new MlmBatcher(new MlmBatcherOptions { MaskProbability = 0.5, MaxPredictionsPerSequence = 3, MaskTokenFraction = 1,
            RandomTokenFraction = 0 }, Specials);
        var batch = batcher.Build(Sample, 5);
        var pairs = MaskedLmSelections(batch, Sample, cap: 3);
        Assert.AreEqual(3 * Sample.Count, pairs.Count, "every row keeps exactly 3");
        long[] positions = Get(batch, BatcherInputNames.MaskedLmPositions);
        for (int b = 0; b < Sample.Count; b++) Assert.AreEqual(3, positions.Count(flat => flat / T == b), $"row {b}");
        Assert.AreEqual(pairs.Count, Get(batch, BatcherInputNames.InputIds).Count(id => id == Specials.MaskId), "only kept positions masked");
    }

    [TestMethod]
    public void Build_CapAboveSelection_SameAsNoCap()
    {
        var capped = new MlmBatcher(new MlmBatcherOptions { Seed = 42, MaxPredictionsPerSequence = T }, Specials);
        AssertIdentical(Batcher.Build(Sample, 2), capped.Build(Sample, 2));
    }

    [TestMethod]
    public void Build_RowResult_IndependentOfOtherRows()
    {
        var full = Batcher.Build(Sample, 7);
        var single = Batcher.Build([Sample[0]], 7);
        long[] fullPositions = Get(full, BatcherInputNames.MaskedLmPositions);
        int n = fullPositions.Count(flat => flat < T);
        CollectionAssert.AreEqual(fullPositions[..n], Get(single, BatcherInputNames.MaskedLmPositions));
        CollectionAssert.AreEqual(Get(full, BatcherInputNames.MaskedLmLabels)[..n], Get(single, BatcherInputNames.MaskedLmLabels));
        CollectionAssert.AreEqual(Get(full, BatcherInputNames.InputIds)[..T], Get(single, BatcherInputNames.InputIds));
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
