using static OnnxPretrain.Data.Tests.SentenceLevelFixture;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class SentenceLevelBatcherTests
{
    private static readonly SentenceLevelTask[] Tasks = [SentenceLevelTask.Ssp, SentenceLevelTask.Sp, SentenceLevelTask.Psd];

    [TestMethod]
    [DataRow(SentenceLevelTask.Ssp)]
    [DataRow(SentenceLevelTask.Sp)]
    [DataRow(SentenceLevelTask.Psd)]
    public void Build_AnyTask_DocumentedInputsAndShapes(SentenceLevelTask task)
    {
        Batch batch = Batcher(task).Build(0, 8, out var samples);
        string[] expected =
        [
            BatcherInputNames.InputIds, BatcherInputNames.AttentionMask, BatcherInputNames.TokenTypeIds,
            BatcherInputNames.MaskedLmPositions, BatcherInputNames.MaskedLmLabels, SentenceLevelInputNames.SentenceLabels,
        ];
        CollectionAssert.AreEquivalent(expected, batch.Arrays.Keys.ToList());
        foreach (string name in expected.Take(3)) CollectionAssert.AreEqual(new long[] { 8, 32 }, batch.Arrays[name].Shape, name);
        long m = batch.Arrays[BatcherInputNames.MaskedLmPositions].Int64s.Length;
        CollectionAssert.AreEqual(new long[] { m }, batch.Arrays[BatcherInputNames.MaskedLmPositions].Shape);
        CollectionAssert.AreEqual(new long[] { m }, batch.Arrays[BatcherInputNames.MaskedLmLabels].Shape);
        CollectionAssert.AreEqual(new long[] { 8 }, batch.Arrays[SentenceLevelInputNames.SentenceLabels].Shape);
        CollectionAssert.AreEqual(samples.Select(s => s.Label).ToArray(), batch.Arrays[SentenceLevelInputNames.SentenceLabels].Int64s);
        Assert.AreEqual(samples.Sum(s => (long)s.A.KeptTokenCount + s.B.KeptTokenCount + 3), batch.TokenCount);
    }

    [TestMethod]
    [DataRow(SentenceLevelTask.Ssp, 128)]
    [DataRow(SentenceLevelTask.Sp, 128)]
    [DataRow(SentenceLevelTask.Psd, 128)]
    [DataRow(SentenceLevelTask.Sp, 9)]
    public void Build_Rows_ClsASepBSepWithSegmentsZeroThenOne(SentenceLevelTask task, int t)
    {
        var batcher = Batcher(task, t: t);
        for (int step = 0; step < 5; step++)
        {
            Batch batch = batcher.Build(step, 16, out var samples);
            long[] ids = Unmasked(batch), types = batch.Arrays[BatcherInputNames.TokenTypeIds].Int64s;
            long[] mask = batch.Arrays[BatcherInputNames.AttentionMask].Int64s;
            for (int b = 0; b < samples.Count; b++)
            {
                var s = samples[b];
                int[] a = Tokens(Standard, s.A.Sentences)[..s.A.KeptTokenCount], bb = Tokens(Standard, s.B.Sentences)[..s.B.KeptTokenCount];
                long[] expected = [101, .. a, 102, .. bb, 102, .. new long[t - a.Length - bb.Length - 3]];
                CollectionAssert.AreEqual(expected, ids[(b * t)..((b + 1) * t)], $"row {b}");
                for (int i = 0; i < t; i++)
                {
                    Assert.AreEqual(i < a.Length + 2 || i >= a.Length + bb.Length + 3 ? 0L : 1L, types[b * t + i], $"type of row {b} pos {i}");
                    Assert.AreEqual(i < a.Length + bb.Length + 3 ? 1L : 0L, mask[b * t + i]);
                }
                CollectionAssert.AreEqual(expected.TakeWhile((_, i) => i < a.Length + bb.Length + 3).ToArray(),
                    batcher.Assemble(s).Select(x => (long)x).ToArray());
            }
        }
    }

    [TestMethod]
    [DataRow(SentenceLevelTask.Ssp)]
    [DataRow(SentenceLevelTask.Sp)]
    [DataRow(SentenceLevelTask.Psd)]
    public void Build_ShortSequenceLength_LongestFirstKeepsBothSegmentsAndFillsT(SentenceLevelTask task)
    {
        const int t = 8;
        var batcher = Batcher(task, t: t);
        int truncated = 0;
        foreach (var s in Samples(batcher, 20, 32))
        {
            Assert.AreEqual(ReferenceTruncation(s.A.TokenCount, s.B.TokenCount, t - 3), (s.A.KeptTokenCount, s.B.KeptTokenCount));
            Assert.IsTrue(s.A.KeptTokenCount >= 1 && s.B.KeptTokenCount >= 1, "both segments kept");
            int length = batcher.Assemble(s).Length;
            if (s.A.TokenCount + s.B.TokenCount > t - 3)
            {
                truncated++;
                Assert.AreEqual(t, length, "a truncated row fills T exactly");
            }
            else Assert.AreEqual(s.A.TokenCount + s.B.TokenCount + 3, length);
        }
        Assert.IsGreaterThan(100, truncated);
    }

    [TestMethod]
    [DataRow(10, 3, 8, 5, 3)]
    [DataRow(6, 6, 8, 4, 4)]
    [DataRow(7, 6, 8, 4, 4)]
    [DataRow(6, 7, 8, 4, 4)]
    [DataRow(3, 3, 3, 2, 1)]
    [DataRow(1, 100, 2, 1, 1)]
    [DataRow(100, 1, 2, 1, 1)]
    [DataRow(4, 2, 10, 4, 2)]
    public void TruncateLongestFirst_Pairs_MatchesHuggingFace(int a, int b, int budget, int keepA, int keepB)
    {
        Assert.AreEqual((keepA, keepB), SentenceLevelBatcher.TruncateLongestFirst(a, b, budget));
        Assert.AreEqual((keepA, keepB), ReferenceTruncation(a, b, budget));
    }

    [TestMethod]
    public void TruncateLongestFirst_AllSmallCases_EqualsIterativeReference()
    {
        for (int a = 1; a < 30; a++)
            for (int b = 1; b < 30; b++)
                for (int budget = 2; budget < 40; budget++)
                    Assert.AreEqual(ReferenceTruncation(a, b, budget), SentenceLevelBatcher.TruncateLongestFirst(a, b, budget), $"({a}, {b}, {budget})");
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalBatchAcrossInstances()
    {
        foreach (var task in Tasks)
        {
            Batch first = Batcher(task, seed: 9).Build(17, 24, out var samples);
            Batch again = Batcher(task, seed: 9).Build(17, 24, out var samplesAgain);
            AssertIdentical(first, again);
            for (int b = 0; b < samples.Count; b++) AssertSameSample(samples[b], samplesAgain[b]);
            Assert.IsFalse(Same(first, Batcher(task, seed: 9).Build(18, 24)), "another step draws anew");
            Assert.IsFalse(Same(first, Batcher(task, seed: 10).Build(17, 24)), "another seed draws anew");
        }
    }

    [TestMethod]
    public void Sample_RowOfStep_IndependentOfBatchSize()
    {
        var batcher = Batcher(SentenceLevelTask.Ssp);
        var small = batcher.Sample(5, 3);
        var large = batcher.Sample(5, 40);
        for (int b = 0; b < small.Count; b++) AssertSameSample(small[b], large[b]);
    }

    [TestMethod]
    [DataRow(SentenceLevelTask.Ssp)]
    [DataRow(SentenceLevelTask.Sp)]
    [DataRow(SentenceLevelTask.Psd)]
    public void Build_MaskedLm_ExactlyMlmBatcherOnTheAssembledRows(SentenceLevelTask task)
    {
        var batcher = Batcher(task, seed: 4);
        var mlm = new MlmBatcher(new MlmBatcherOptions { SequenceLength = 32, Seed = 4 }, Specials);
        for (int step = 0; step < 3; step++)
        {
            Batch batch = batcher.Build(step, 32, out var samples);
            Batch reference = mlm.Build(samples.Select(batcher.Assemble).ToList(), step);
            foreach (string name in new[] { BatcherInputNames.InputIds, BatcherInputNames.AttentionMask,
                BatcherInputNames.MaskedLmPositions, BatcherInputNames.MaskedLmLabels })
                CollectionAssert.AreEqual(reference.Arrays[name].Int64s, batch.Arrays[name].Int64s, name);
        }
    }

    [TestMethod]
    public void Build_MaskedLm_NeverSelectsClsSepOrPadAndRateIsFifteenPercent()
    {
        const int t = 32;
        var batcher = Batcher(SentenceLevelTask.Ssp, seed: 5);
        long selected = 0, selectable = 0;
        for (int step = 0; step < 20; step++)
        {
            Batch batch = batcher.Build(step, 64, out var samples);
            long[] original = Unmasked(batch), mask = batch.Arrays[BatcherInputNames.AttentionMask].Int64s;
            long[] positions = batch.Arrays[BatcherInputNames.MaskedLmPositions].Int64s;
            foreach (long flat in positions)
            {
                Assert.AreEqual(1L, mask[flat], "padding selected");
                Assert.IsFalse(Specials.IsSpecial((int)original[flat]), $"special {original[flat]} selected at {flat}");
                Assert.AreNotEqual(0L, flat % t, "[CLS] selected");
            }
            selected += positions.Length;
            selectable += samples.Sum(s => (long)s.A.KeptTokenCount + s.B.KeptTokenCount);
        }
        AssertBinomial(selected, selectable, 0.15, "selected");
    }

    [TestMethod]
    public void Build_MaskEverything_EverySegmentTokenPredictedNoSpecial()
    {
        var batcher = new SentenceLevelBatcher(new SentenceLevelBatcherOptions
        {
            Task = SentenceLevelTask.Psd, SequenceLength = 16, MaskProbability = 1, Seed = 2,
        }, Specials, Standard);
        Batch batch = batcher.Build(0, 8, out var samples);
        long[] positions = batch.Arrays[BatcherInputNames.MaskedLmPositions].Int64s;
        var expected = new List<long>();
        for (int b = 0; b < samples.Count; b++)
        {
            int a = samples[b].A.KeptTokenCount, bb = samples[b].B.KeptTokenCount;
            expected.AddRange(Enumerable.Range(1, a).Concat(Enumerable.Range(a + 2, bb)).Select(i => (long)b * 16 + i));
        }
        CollectionAssert.AreEqual(expected, positions);
    }

    private static bool Same(Batch a, Batch b) =>
        a.Arrays.All(kv => b.Arrays[kv.Key].Int64s.SequenceEqual(kv.Value.Int64s));
}
