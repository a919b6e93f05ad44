using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Runtime.Tests;

[TestClass]
public sealed class DropoutMasksTests
{
    [TestMethod]
    public void Fill_KeepsOneMinusPOfTheElements_ScaledByItsInverse()
    {
        // 1,000,001 elements (odd: the last one comes from its own draw); p = 0.1: kept share 0.9 ± 5σ, σ = √(0.09 / n) = 0.0003.
        var mask = new float[1_000_001];
        DropoutMasks.Fill(mask, 0.1f, DropoutMasks.Key(42, 7), site: 3);
        Assert.IsTrue(mask.All(v => v == 0f || v == 1f / 0.9f), "every value is 0 or 1 / (1 - p)");
        double kept = mask.Count(v => v != 0) / (double)mask.Length;
        Assert.AreEqual(0.9, kept, 0.0015);
        // No long-range pattern: each tenth of the mask keeps 0.9 ± 5σ of its own elements (σ = 0.00095).
        for (int part = 0; part < 10; part++)
            Assert.AreEqual(0.9, mask.Skip(part * 100_000).Take(100_000).Count(v => v != 0) / 100_000.0, 0.0048, $"part {part}");
    }

    [TestMethod]
    public void Fill_SameKeyAndSite_SameMask_OtherSiteOrKey_Independent()
    {
        float[] Draw(ulong key, int site)
        {
            var m = new float[100_000];
            DropoutMasks.Fill(m, 0.5f, key, site);
            return m;
        }
        var a = Draw(DropoutMasks.Key(1, 5), 0);
        CollectionAssert.AreEqual(a, Draw(DropoutMasks.Key(1, 5), 0));
        // Two independent p = 0.5 masks disagree on half the elements (± 5σ, σ = 0.0016).
        foreach (var other in new[] { Draw(DropoutMasks.Key(1, 5), 1), Draw(DropoutMasks.Key(1, 6), 0), Draw(DropoutMasks.Key(2, 5), 0),
                     Draw(DropoutMasks.Key(1, 5, rank: 1), 0) })
            Assert.AreEqual(0.5, a.Zip(other).Count(p => p.First != p.Second) / (double)a.Length, 0.008);
    }

    [TestMethod]
    public void Fill_ElementDependsOnlyOnItsIndex_NotOnTheLengthOrTheParallelChunks()
    {
        var full = new float[1_000_001];                                   // many parallel chunks
        DropoutMasks.Fill(full, 0.3f, 77, 2);
        foreach (int n in new[] { 1, 9, 131_073 })                         // one chunk, one chunk, two chunks (odd tail)
        {
            var part = new float[n];
            DropoutMasks.Fill(part, 0.3f, 77, 2);
            CollectionAssert.AreEqual(full.Take(n).ToArray(), part, $"length {n}");
        }
    }

    [TestMethod]
    public void Fill_PZero_KeepsEverything_POne_IsRefused()
    {
        var mask = new float[9];
        DropoutMasks.Fill(mask, 0f, 123, 0);
        CollectionAssert.AreEqual(Enumerable.Repeat(1f, 9).ToArray(), mask);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DropoutMasks.Fill(mask, 1f, 123, 0));
    }

    [TestMethod]
    public void Shape_SymbolicDims_FromTheBatchInputs()
    {
        var specs = new[] { new TensorSpec("input_ids", DataType.Int64, ["batch", "sequence"]), new TensorSpec("labels", DataType.Int64, ["batch"]) };
        var batch = new Dictionary<string, TensorData>
        {
            ["input_ids"] = TensorData.Create(new long[6], 2, 3), ["labels"] = TensorData.Create(new long[2], 2),
        };
        var sizes = DropoutMasks.Bind(specs, batch);
        CollectionAssert.AreEqual(new long[] { 6, 4, 3, 3 },
            DropoutMasks.Shape(new TensorSpec("dropout_mask.0", DataType.Float, ["batch*sequence", "4", "sequence", "3"]), sizes));
        CollectionAssert.AreEqual(new long[] { 12 }, DropoutMasks.Shape(new TensorSpec("dropout_mask.1", DataType.Float, ["2*batch*sequence"]), sizes));
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            DropoutMasks.Shape(new TensorSpec("dropout_mask.2", DataType.Float, ["pairs", "4"]), sizes));
        StringAssert.Contains(e.Message, "'pairs'");
        batch["labels"] = TensorData.Create(new long[3], 3);
        Assert.ThrowsExactly<ArgumentException>(() => DropoutMasks.Bind(specs, batch));
    }
}
