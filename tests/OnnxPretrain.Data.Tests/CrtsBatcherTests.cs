using static OnnxPretrain.Data.Tests.BatcherTestData;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class CrtsBatcherTests
{
    /// <summary>Four clusters: cluster of id = id mod 4.</summary>
    private static readonly TokenClusters ModFour = new(Enumerable.Range(0, 1000).Select(id => id % 4).ToArray(), 4);

    private static readonly List<int[]> Sample = Rows(256, seed: 5);

    /// <summary>Rows whose words all lie in cluster 0 (multiples of 4).</summary>
    private static List<int[]> ClusterZeroRows() =>
        Rows(256, seed: 6).Select(r => r.Select(id => Specials.IsSpecial(id) ? id : id & ~3).ToArray()).ToList();

    [TestMethod]
    public void Build_LargeSample_LabelsAsRtsAndSwapsMatchSubstitutions()
    {
        var batcher = new CrtsBatcher(new CrtsBatcherOptions { Seed = 1 }, Specials, ModFour, new ClusterCounts(4));
        var crts = batcher.Build(Sample, 0);
        AssertLayout(crts.Batch, Sample);
        long[] labels = Get(crts.Batch, BatcherInputNames.Labels), ids = Get(crts.Batch, BatcherInputNames.InputIds);
        var flat = Enumerable.Range(0, labels.Length).Where(i => labels[i] == 1).ToArray();
        CollectionAssert.AreEqual(flat, crts.Swaps.Select(s => s.FlatPosition).ToArray());
        var vocabulary = new MaskingVocabulary(Specials);
        foreach (var swap in crts.Swaps)
        {
            int b = swap.FlatPosition / T, t = swap.FlatPosition % T;
            Assert.IsFalse(Specials.IsSpecial(Sample[b][t]));
            Assert.AreEqual(Sample[b][t] % 4, swap.SourceCluster);
            Assert.AreEqual((int)ids[swap.FlatPosition] % 4, swap.TargetCluster, "substitute belongs to the target cluster");
            Assert.IsTrue(vocabulary.IsReplaceable((int)ids[swap.FlatPosition]));
        }
        for (int b = 0; b < Sample.Count; b++)
            for (int t = Sample[b].Length; t < T; t++) Assert.AreEqual(-100L, labels[b * T + t]);
        AssertBinomial(crts.Swaps.Count, Selectable(Sample), 0.15, "substituted");
    }

    [TestMethod]
    public void Build_SkewedCounts_TargetClustersFollowSoftmaxOfMinMax()
    {
        // Row 0 = [1, 3, 5, 9] → minmax [0, 0.25, 0.5, 1] → softmax(2·x) ∝ [1, e^0.5, e, e²].
        double[] values = [1, 3, 5, 9, .. Enumerable.Repeat(1.0, 12)];
        var batcher = new CrtsBatcher(new CrtsBatcherOptions { Seed = 2 }, Specials, ModFour, new ClusterCounts(4, values));
        var rows = ClusterZeroRows();
        var observed = new double[4];
        for (int step = 0; step < 4; step++)
            foreach (var swap in batcher.Build(rows, step).Swaps) observed[swap.TargetCluster]++;
        double[] weights = [1, Math.Exp(0.5), Math.E, Math.Exp(2)];
        double n = observed.Sum(), chi2 = 0;
        for (int c = 0; c < 4; c++)
        {
            double expected = n * weights[c] / weights.Sum();
            chi2 += (observed[c] - expected) * (observed[c] - expected) / expected;
        }
        Assert.IsGreaterThan(10000, n);
        Assert.IsLessThan(16.27, chi2, $"chi-square (df 3, p = 0.001) of [{string.Join(", ", observed)}]");
    }

    [TestMethod]
    public void Build_TargetClusterWithoutReplaceableIds_FallsBackToUniformReplaceable()
    {
        // Cluster 3 holds only specials and 990-999 (non-replaceable); counts push almost every draw towards it.
        var assignment = Enumerable.Range(0, 1000).Select(id => id < 104 || id >= 990 ? 3 : id % 3).ToArray();
        var clusters = new TokenClusters(assignment, 4);
        double[] values = [.. Enumerable.Repeat(1.0, 16)];
        for (int c = 0; c < 4; c++) values[c * 4 + 3] = 2;
        var batcher = new CrtsBatcher(new CrtsBatcherOptions { Seed = 3, Beta = 8 }, Specials, clusters, new ClusterCounts(4, values));
        var crts = batcher.Build(Sample, 0);
        long[] ids = Get(crts.Batch, BatcherInputNames.InputIds);
        var vocabulary = new MaskingVocabulary(Specials);
        Assert.IsTrue(crts.Swaps.All(s => s.TargetCluster != 3 && vocabulary.IsReplaceable((int)ids[s.FlatPosition])));
        Assert.IsTrue(crts.Swaps.All(s => assignment[ids[s.FlatPosition]] == s.TargetCluster), "swap records the substitute's cluster");
        for (int c = 0; c < 3; c++) AssertBinomial(crts.Swaps.Count(s => s.TargetCluster == c), crts.Swaps.Count, 1.0 / 3, $"fallback cluster {c}");
    }

    [TestMethod]
    public void Update_LongPredictions_PlusOneWhenFooledMinusOneWhenCaught()
    {
        var counts = new ClusterCounts(3);
        var batch = new CrtsBatch(new Batch(new Dictionary<string, BatchArray>
        {
            [BatcherInputNames.InputIds] = new(new long[8], [1, 8]),
        }, 8), [new ClusterSwap(1, 0, 2), new ClusterSwap(5, 1, 1), new ClusterSwap(6, 0, 2)]);
        counts.Update(batch, new long[] { 1, 0, 1, 1, 1, 1, 0, 1 });
        double[] expected = [1, 1, 3, 1, 0, 1, 1, 1, 1];
        CollectionAssert.AreEqual(expected, counts.ToArray());
        counts.Update(batch, new float[] { 0, 0.6f, 0, 0, 0, 0.5f, 0.9f, 0 });
        CollectionAssert.AreEqual(new double[] { 1, 1, 1, 1, 1, 1, 1, 1, 1 }, counts.ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => counts.Update(batch, new long[7]));
        Assert.ThrowsExactly<ArgumentException>(() => counts.Update(batch, new long[] { 0, 2, 0, 0, 0, 0, 0, 0 }));
    }

    [TestMethod]
    public void Update_AfterBuild_DiscriminatorAlwaysRightDecrementsEveryUsedPair()
    {
        var counts = new ClusterCounts(4);
        var crts = new CrtsBatcher(new CrtsBatcherOptions(), Specials, ModFour, counts).Build(Sample, 0);
        long[] predictions = Get(crts.Batch, BatcherInputNames.Labels).Select(l => l == 1 ? 1L : 0L).ToArray();
        counts.Update(crts, predictions);
        double[] after = counts.ToArray();
        for (int c = 0; c < 4; c++)
            for (int d = 0; d < 4; d++)
                Assert.AreEqual(1 - crts.Swaps.Count(s => s.SourceCluster == c && s.TargetCluster == d), after[c * 4 + d]);
    }

    [TestMethod]
    public void Build_SameSeedStepAndCounts_IdenticalBatchAndSwaps_EvenAfterSaveLoad()
    {
        var counts = new ClusterCounts(4, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -16]);
        string path = Path.Combine(Path.GetTempPath(), $"crts-{Guid.NewGuid():N}.txt");
        try
        {
            counts.Save(path);
            var a = new CrtsBatcher(new CrtsBatcherOptions { Seed = 4 }, Specials, ModFour, counts).Build(Sample, 3);
            var b = new CrtsBatcher(new CrtsBatcherOptions { Seed = 4 }, Specials, ModFour, ClusterCounts.Load(path)).Build(Sample, 3);
            AssertIdentical(a.Batch, b.Batch);
            CollectionAssert.AreEqual(a.Swaps.ToArray(), b.Swaps.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Build_DifferentStep_DifferentLabels()
    {
        var batcher = new CrtsBatcher(new CrtsBatcherOptions(), Specials, ModFour, new ClusterCounts(4));
        CollectionAssert.AreNotEqual(Get(batcher.Build(Sample, 0).Batch, BatcherInputNames.Labels),
            Get(batcher.Build(Sample, 1).Batch, BatcherInputNames.Labels));
    }

    [TestMethod]
    public void Constructor_MismatchedVocabularyOrClusterCount_Throws()
    {
        var small = new TokenClusters(new int[999], 1);
        Assert.ThrowsExactly<ArgumentException>(() => new CrtsBatcher(new CrtsBatcherOptions(), Specials, small, new ClusterCounts(1)));
        Assert.ThrowsExactly<ArgumentException>(() => new CrtsBatcher(new CrtsBatcherOptions(), Specials, ModFour, new ClusterCounts(3)));
    }
}
