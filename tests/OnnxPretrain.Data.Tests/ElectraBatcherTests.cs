using static OnnxPretrain.Data.Tests.BatcherTestData;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class ElectraBatcherTests
{
    private static readonly List<int[]> Sample = Rows(256, seed: 3);
    private static readonly ElectraGeneratorBatcher Batcher = new(new ElectraBatcherOptions { Seed = 11 }, Specials);

    [TestMethod]
    public void Build_LargeSample_SelectionRateAndEightyFiveFifteenSplit()
    {
        var pairs = MaskedLmSelections(Batcher.Build(Sample, 0), Sample, 32);
        AssertBinomial(pairs.Count, Selectable(Sample), 0.15, "selected");
        AssertBinomial(pairs.Count(p => p.Now == Specials.MaskId), pairs.Count, 0.85, "[MASK]");
        Assert.IsTrue(pairs.All(p => p.Now == Specials.MaskId || p.Now == p.Original), "selected tokens are masked or kept, never random");
    }

    [TestMethod]
    public void Build_SamplingNoise_ShapeBPVAndOpenUnitInterval()
    {
        var batch = Batcher.Build(Sample, 0);
        var noise = batch.Arrays[BatcherInputNames.SamplingNoise];
        CollectionAssert.AreEqual(new long[] { Sample.Count, 32, Specials.VocabSize }, noise.Shape);
        float[] u = noise.Floats;
        Assert.AreEqual(Sample.Count * 32 * Specials.VocabSize, u.Length);
        Assert.IsTrue(u.All(x => x > 0f && x < 1f), "noise strictly inside (0, 1)");
        Assert.IsTrue(u.All(x => double.IsFinite(-Math.Log(-Math.Log(x)))), "Gumbel noise finite");
        Assert.AreEqual(0.5, u.Average(), 0.001);
        Assert.AreEqual(1.0 / 12, u.Select(x => (x - 0.5) * (x - 0.5)).Average(), 0.001);
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
    public void Build_NoiseRows_IndependentOfEachOther()
    {
        float[] noise = Batcher.Build(Sample, 0).Arrays[BatcherInputNames.SamplingNoise].Floats;
        int perRow = 32 * Specials.VocabSize;
        Assert.IsFalse(noise.AsSpan(0, perRow).SequenceEqual(noise.AsSpan(perRow, perRow)));
    }
}
