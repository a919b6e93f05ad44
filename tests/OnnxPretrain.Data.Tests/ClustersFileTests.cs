namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class ClustersFileTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateFolder() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "clusters-" + Guid.NewGuid().ToString("N")));

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void TokenClusters_SaveLoad_RoundTripsAndLeavesNoTempFile()
    {
        var clusters = new TokenClusters([2, 0, 0, 1, 2, 2], 4);
        string path = Path.Combine(_dir, "clusters.txt");
        clusters.Save(path);
        clusters.Save(path);
        var loaded = TokenClusters.Load(path);
        CollectionAssert.AreEqual(clusters.Assignments.ToArray(), loaded.Assignments.ToArray());
        Assert.AreEqual(4, loaded.ClusterCount);
        CollectionAssert.AreEqual(new[] { 0, 4, 5 }, loaded.Members(2).ToArray());
        Assert.AreEqual(0, loaded.Members(3).Count);
        CollectionAssert.AreEqual(new[] { "clusters.txt" }, Directory.GetFiles(_dir).Select(Path.GetFileName).ToArray());
        Assert.AreEqual("onnxpretrain-token-clusters 1\nvocab_size 6\nclusters 4\n2\n0\n0\n1\n2\n2\n", File.ReadAllText(path));
    }

    [TestMethod]
    [DataRow("onnxpretrain-token-clusterz 1\nvocab_size 2\nclusters 2\n0\n1\n", "line 1: bad magic")]
    [DataRow("onnxpretrain-token-clusters 2\nvocab_size 2\nclusters 2\n0\n1\n", "line 1: unsupported version")]
    [DataRow("onnxpretrain-token-clusters 1\nvocab 2\nclusters 2\n0\n1\n", "line 2: expected 'vocab_size <n>'")]
    [DataRow("onnxpretrain-token-clusters 1\nvocab_size 2\nclusters 0\n0\n1\n", "line 3: clusters: 0 is outside")]
    [DataRow("onnxpretrain-token-clusters 1\nvocab_size 2\nclusters 2\n0\n2\n", "line 5: cluster of id 1: 2 is outside [0, 1]")]
    [DataRow("onnxpretrain-token-clusters 1\nvocab_size 2\nclusters 2\n0\nx\n", "line 5: cluster of id 1: 'x' is not an integer")]
    [DataRow("onnxpretrain-token-clusters 1\nvocab_size 3\nclusters 2\n0\n1\n", "line 6: unexpected end of file")]
    [DataRow("onnxpretrain-token-clusters 1\nvocab_size 2\nclusters 2\n0\n1\n1\n", "line 6: unexpected extra line")]
    public void TokenClusters_LoadCorruptFile_ThrowsNamingFileAndLine(string text, string problem)
    {
        string path = Path.Combine(_dir, "bad.txt");
        File.WriteAllText(path, text);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TokenClusters.Load(path));
        StringAssert.StartsWith(e.Message, path + ": ");
        StringAssert.Contains(e.Message, problem);
    }

    [TestMethod]
    public void TokenClusters_LoadMissingFile_ThrowsFileNotFound() =>
        Assert.ThrowsExactly<FileNotFoundException>(() => TokenClusters.Load(Path.Combine(_dir, "none.txt")));

    [TestMethod]
    public void TokenClusters_AssignmentOutOfRange_ThrowsNamingId()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new TokenClusters([0, 3], 3));
        StringAssert.Contains(e.Message, "Id 1");
    }

    [TestMethod]
    public void ClusterCounts_SaveLoad_RestoresBitExactValues()
    {
        var counts = new ClusterCounts(3, [1, 0.1, 1.0 / 3, -7, 1e-300, double.MaxValue, 5, 6, Math.PI]);
        string path = Path.Combine(_dir, "counts.txt");
        counts.Save(path);
        CollectionAssert.AreEqual(counts.ToArray(), ClusterCounts.Load(path).ToArray());
        Assert.AreEqual(1, Directory.GetFiles(_dir).Length, "no temporary file left");
    }

    [TestMethod]
    [DataRow("onnxpretrain-cluster-count 1\nclusters 1\n1\n", "line 1: bad magic")]
    [DataRow("onnxpretrain-cluster-counts 1\nclusters 2\n1 1\n1\n", "line 4: row 1 has 1 values, expected 2")]
    [DataRow("onnxpretrain-cluster-counts 1\nclusters 2\n1 1\n1 NaN\n", "line 4: counts[1, 1]: 'NaN' is not a finite number")]
    [DataRow("onnxpretrain-cluster-counts 1\nclusters 2\n1 1\n", "line 4: unexpected end of file, expected row 1")]
    public void ClusterCounts_LoadCorruptFile_ThrowsNamingFileAndLine(string text, string problem)
    {
        string path = Path.Combine(_dir, "bad-counts.txt");
        File.WriteAllText(path, text);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ClusterCounts.Load(path));
        StringAssert.StartsWith(e.Message, path + ": ");
        StringAssert.Contains(e.Message, problem);
    }

    [TestMethod]
    public void ClusterCounts_New_AllOnesAndUniformTargets()
    {
        var counts = new ClusterCounts(5);
        Assert.IsTrue(counts.ToArray().All(x => x == 1));
        Assert.IsTrue(counts.TargetProbabilities(2, 2.0).All(p => Math.Abs(p - 0.2) < 1e-15));
    }

    [TestMethod]
    public void ClusterCounts_TargetProbabilities_SoftmaxOfBetaTimesMinMax()
    {
        var counts = new ClusterCounts(3, [0, 0, 0, -2, 0, 6, 4, 4, 4]);
        // Row 1 = [-2, 0, 6] → minmax [0, 0.25, 1] → softmax(2x) ∝ [1, e^0.5, e^2].
        double z = 1 + Math.Exp(0.5) + Math.Exp(2);
        double[] p = counts.TargetProbabilities(1, 2.0);
        Assert.AreEqual(1 / z, p[0], 1e-12);
        Assert.AreEqual(Math.Exp(0.5) / z, p[1], 1e-12);
        Assert.AreEqual(Math.Exp(2) / z, p[2], 1e-12);
        Assert.IsTrue(counts.TargetProbabilities(2, 2.0).All(x => Math.Abs(x - 1.0 / 3) < 1e-15), "all-equal row is uniform");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => counts.TargetProbabilities(0, -1));
    }
}
