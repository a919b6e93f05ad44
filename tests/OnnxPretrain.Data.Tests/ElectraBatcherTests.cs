using static OnnxPretrain.Data.Tests.BatcherTestData;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class ElectraBatcherTests
{
    private const ulong NoiseStreamBase = 1UL << 63;
    private static readonly List<int[]> Sample = Rows(256, seed: 3);
    private static readonly ElectraGeneratorBatcher Batcher = new(new ElectraBatcherOptions { Seed = 11 }, Specials);

    [TestMethod]
    public void Build_LargeSample_SelectionRateAndEightyFiveFifteenSplit()
    {
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 0), Sample);
        AssertBinomial(pairs.Count, Selectable(Sample), 0.15, "selected");
        AssertBinomial(pairs.Count(p => p.Now == Specials.MaskId), pairs.Count, 0.85, "[MASK]");
        Assert.IsTrue(pairs.All(p => p.Now == Specials.MaskId || p.Now == p.Original), "selected tokens are masked or kept, never random");
    }

    [TestMethod]
    public void Build_SamplingNoise_ShapeMVAndOpenUnitInterval()
    {
        var batch = Batcher.Build(Sample, 0);
        int m = Get(batch, BatcherInputNames.MaskedLmPositions).Length;
        Assert.IsGreaterThan(1000, m);
        var noise = batch.Arrays[BatcherInputNames.SamplingNoise];
        CollectionAssert.AreEqual(new long[] { m, Specials.VocabSize }, noise.Shape);
        float[] u = noise.Floats;
        Assert.AreEqual(m * Specials.VocabSize, u.Length);
        Assert.IsTrue(u.All(x => x > 0f && x < 1f), "noise strictly inside (0, 1)");
        Assert.IsTrue(u.All(x => double.IsFinite(-Math.Log(-Math.Log(x)))), "Gumbel noise finite");
        Assert.AreEqual(0.5, u.Average(), 0.001);
        Assert.AreEqual(1.0 / 12, u.Select(x => (x - 0.5) * (x - 0.5)).Average(), 0.001);
    }

    [TestMethod]
    public void Build_NoiseOfEachRow_ComesFromThatRowsOwnStream()
    {
        const long step = 4;
        var batch = Batcher.Build(Sample, step);
        long[] positions = Get(batch, BatcherInputNames.MaskedLmPositions);
        float[] noise = batch.Arrays[BatcherInputNames.SamplingNoise].Floats;
        int v = Specials.VocabSize, start = 0;
        for (int b = 0; b < Sample.Count; b++)
        {
            int count = positions.Count(flat => flat / T == b);
            var expected = new float[count * v];
            new MaskingRng(11, step, NoiseStreamBase + (ulong)b).FillOpenUnitFloats(expected);
            Assert.IsTrue(noise.AsSpan(start * v, count * v).SequenceEqual(expected), $"row {b}");
            start += count;
        }
        Assert.AreEqual(positions.Length, start);
    }

    [TestMethod]
    public void Build_RowResult_IndependentOfOtherRowsIncludingNoise()
    {
        var full = Batcher.Build(Sample, 6);
        var single = Batcher.Build([Sample[0]], 6);
        int n = Get(single, BatcherInputNames.MaskedLmPositions).Length, v = Specials.VocabSize;
        CollectionAssert.AreEqual(Get(full, BatcherInputNames.MaskedLmPositions)[..n], Get(single, BatcherInputNames.MaskedLmPositions));
        Assert.IsTrue(full.Arrays[BatcherInputNames.SamplingNoise].Floats.AsSpan(0, n * v)
            .SequenceEqual(single.Arrays[BatcherInputNames.SamplingNoise].Floats));
    }

    [TestMethod]
    public void Build_CapSet_NoiseRowsFollowCappedSlots()
    {
        var batcher = new ElectraGeneratorBatcher(new ElectraBatcherOptions { Seed = 11, MaskProbability = 0.5, MaxPredictionsPerSequence = 2 }, Specials);
        var batch = batcher.Build(Sample, 0);
        Assert.HasCount(2 * Sample.Count, MaskedLmSelections(batch, Sample, cap: 2));
        CollectionAssert.AreEqual(new long[] { 2 * Sample.Count, Specials.VocabSize }, batch.Arrays[BatcherInputNames.SamplingNoise].Shape);
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalBatchIncludingNoise() =>
        AssertIdentical(Batcher.Build(Sample, 2), new ElectraGeneratorBatcher(new ElectraBatcherOptions { Seed = 11 }, Specials).Build(Sample, 2));

    [TestMethod]
    public void Build_DifferentStep_DifferentMasksAndNoise()
    {
        var a = Batcher.Build(Sample, 2);
        var b = Batcher.Build(Sample, 3);
        CollectionAssert.AreNotEqual(Get(a, BatcherInputNames.MaskedLmPositions), Get(b, BatcherInputNames.MaskedLmPositions));
        Assert.IsFalse(a.Arrays[BatcherInputNames.SamplingNoise].Floats.AsSpan(0, 1000)
            .SequenceEqual(b.Arrays[BatcherInputNames.SamplingNoise].Floats.AsSpan(0, 1000)));
    }

    [TestMethod]
    public void Build_NoiseRowsOfDifferentBatchRows_Differ()
    {
        var batch = Batcher.Build(Sample, 0);
        long[] positions = Get(batch, BatcherInputNames.MaskedLmPositions);
        float[] noise = batch.Arrays[BatcherInputNames.SamplingNoise].Floats;
        int v = Specials.VocabSize, first = positions.Count(flat => flat < T);
        Assert.IsTrue(first >= 1 && positions.Length > first, "rows 0 and 1 both select something");
        Assert.IsFalse(noise.AsSpan(0, v).SequenceEqual(noise.AsSpan(first * v, v)), "row 1's first noise row differs from row 0's");
    }
}
