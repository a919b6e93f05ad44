using OnnxPretrain.Tools.BuildClusters;
using System.Buffers.Binary;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class ClustersCooccurrenceTests
{
    /// <summary>
    /// Corpus [1 2 1 3 1], [2 3 3], [4 1 2] with V = 6, window 1, 3 contexts. Frequencies 1:4, 2:3, 3:3, 4:1, so the
    /// contexts are [1, 2, 3] (ties to the lower id). Window counts n(w, c):
    /// w1: c2 = 3, c3 = 2 (row 5); w2: c1 = 3, c3 = 1 (row 4); w3: c1 = 2, c2 = 1, c3 = 2 (row 5); w4: c1 = 1 (row 1);
    /// total 15; column sums c1 = 6, c2 = 4, c3 = 5. PMI = ln(n·15 / (row·col)):
    /// w1: c2 ln(45/20) = ln 2.25, c3 ln(30/25) = ln 1.2; w2: c1 ln(45/24) = ln 1.875, c3 ln(15/20) &lt; 0 → 0;
    /// w3: c1 ln(30/30) = 0, c2 ln(15/20) &lt; 0, c3 ln 1.2; w4: c1 ln(15/6) = ln 2.5. Ids 0 and 5 never occur.
    /// </summary>
    private static readonly int[][] Corpus = [[1, 2, 1, 3, 1], [2, 3, 3], [4, 1, 2]];

    private string _dir = "";

    [TestInitialize]
    public void CreateFolder() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "cooc-" + Guid.NewGuid().ToString("N")));

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Build_TinyCorpus_MatchesHandComputedPpmi()
    {
        var f = Cooccurrence.Build(Corpus, 6, new CooccurrenceOptions { Window = 1, ContextSize = 3 });
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, f.ContextIds);
        CollectionAssert.AreEqual(new long[] { 0, 4, 3, 3, 1, 0 }, f.Frequencies);
        double a = Math.Log(2.25), b = Math.Log(1.2), norm = Math.Sqrt(a * a + b * b);
        float[] expected =
        [
            0, 0, 0,
            0, (float)(a / norm), (float)(b / norm),
            1, 0, 0,
            0, 0, 1,
            1, 0, 0,
            0, 0, 0,
        ];
        Assert.AreEqual(3, f.Dimension);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], f.Vectors[i], 1e-6, $"vector value {i}");
        CollectionAssert.AreEqual(new[] { false, true, true, true, true, false }, Enumerable.Range(0, 6).Select(f.IsSeen).ToArray());
    }

    [TestMethod]
    public void Build_WindowTwo_CountsFartherNeighboursButNotAcrossSequences()
    {
        // [1 2 3] and [2 2]: with window 2, 1 and 3 co-occur in the first sequence; contexts by frequency = 2, 1, 3.
        var f = Cooccurrence.Build([[1, 2, 3], [2, 2]], 4, new CooccurrenceOptions { Window = 2, ContextSize = 8 });
        CollectionAssert.AreEqual(new[] { 2, 1, 3 }, f.ContextIds);
        Assert.AreNotEqual(0f, f.Vectors[1 * 3 + 2], "1 sees 3 two positions away");
        var near = Cooccurrence.Build([[1, 2, 3], [2, 2]], 4, new CooccurrenceOptions { Window = 1, ContextSize = 8 });
        Assert.AreEqual(0f, near.Vectors[1 * 3 + 2], "window 1 does not reach");
    }

    [TestMethod]
    public void Build_IdOutsideVocabulary_ThrowsNamingSequence()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Cooccurrence.Build([[1], [1, 7]], 5, new CooccurrenceOptions()));
        StringAssert.Contains(e.Message, "Sequence 1, position 1");
    }

    [TestMethod]
    public void FromCooccurrence_UnseenIds_GoToDedicatedLastCluster()
    {
        // Two topics: 10-19 only next to each other, 20-29 likewise; ids 0-9 and 30-39 never occur.
        var random = new Random(5);
        var corpus = Enumerable.Range(0, 400).Select(i => Enumerable.Range(0, 12).Select(_ => random.Next(10) + (i % 2 == 0 ? 10 : 20)).ToArray()).ToList();
        var features = Cooccurrence.Build(corpus, 40, new CooccurrenceOptions { Window = 3, ContextSize = 64 });
        var clusters = TokenClusterBuilder.FromCooccurrence(features, new KMeansOptions { Clusters = 3, Seed = 1 });
        Assert.AreEqual(3, clusters.ClusterCount);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Concat(Enumerable.Range(30, 10)).ToArray(), clusters.Members(2).ToArray());
        Assert.AreEqual(1, Enumerable.Range(10, 10).Select(clusters.ClusterOf).Distinct().Count(), "topic A together");
        Assert.AreEqual(1, Enumerable.Range(20, 10).Select(clusters.ClusterOf).Distinct().Count(), "topic B together");
        Assert.AreNotEqual(clusters.ClusterOf(10), clusters.ClusterOf(20));
    }

    [TestMethod]
    public void ReadEmbeddings_LittleEndianFile_RoundTripsAndChecksSize()
    {
        string path = Path.Combine(_dir, "emb.bin");
        float[] values = [1.5f, -2f, 0.25f, 3e-5f, 7f, -0f];
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        File.WriteAllBytes(path, bytes);
        CollectionAssert.AreEqual(values, ClusterInputs.ReadEmbeddings(path, 3, 2));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ClusterInputs.ReadEmbeddings(path, 2, 2));
        StringAssert.Contains(e.Message, "24 bytes, expected");
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8), float.NaN);
        File.WriteAllBytes(path, bytes);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ClusterInputs.ReadEmbeddings(path, 3, 2)).Message, "byte offset 8");
    }

    [TestMethod]
    public void ReadIdSequences_BadWord_ThrowsNamingLine()
    {
        string path = Path.Combine(_dir, "ids.txt");
        File.WriteAllText(path, "1 2 3\n\n4\t5\n6 x\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ClusterInputs.ReadIdSequences(path, 10).ToList());
        StringAssert.Contains(e.Message, "line 4, word 2: 'x'");
        File.WriteAllText(path, "1 2 3\n\n4\t5\n");
        var sequences = ClusterInputs.ReadIdSequences(path, 10);
        Assert.AreEqual(2, sequences.Count());
        Assert.AreEqual(2, sequences.Count(), "re-enumerable");
        Assert.ThrowsExactly<InvalidDataException>(() => ClusterInputs.ReadIdSequences(path, 5).ToList());
    }

    [TestMethod]
    public void Command_FromIds_WritesClusterFile()
    {
        string ids = Path.Combine(_dir, "ids.txt"), output = Path.Combine(_dir, "clusters.txt");
        File.WriteAllLines(ids, Corpus.Select(s => string.Join(' ', s)));
        var stdout = new StringWriter();
        int rc = BuildClustersCommand.Run(["--from-ids", ids, "--vocab-size", "6", "--clusters", "3", "--window", "1", "--out", output],
            stdout, new StringWriter());
        Assert.AreEqual(0, rc, stdout.ToString());
        var clusters = TokenClusters.Load(output);
        Assert.AreEqual(6, clusters.VocabSize);
        CollectionAssert.AreEqual(new[] { 0, 5 }, clusters.Members(2).ToArray(), "unseen ids in the last cluster");
    }

    [TestMethod]
    public void Command_FromEmbeddings_WritesClusterFile()
    {
        string emb = Path.Combine(_dir, "emb.bin"), output = Path.Combine(_dir, "clusters.txt");
        float[] values = [1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f];
        File.WriteAllBytes(emb, values.SelectMany(v => BitConverter.GetBytes(v)).ToArray());
        int rc = BuildClustersCommand.Run(["--from-embeddings", emb, "--vocab-size", "4", "--dim", "2", "--clusters", "2", "--metric",
            "euclidean", "--out", output], new StringWriter(), new StringWriter());
        Assert.AreEqual(0, rc);
        var a = TokenClusters.Load(output).Assignments;
        Assert.IsTrue(a[0] == a[1] && a[2] == a[3] && a[0] != a[2]);
    }

    [TestMethod]
    [DataRow("--vocab-size 4 --out x")]
    [DataRow("--from-ids a --from-embeddings b --vocab-size 4 --out x")]
    [DataRow("--from-embeddings b --vocab-size 4 --out x")]
    [DataRow("--from-ids a --vocab-size four --out x")]
    [DataRow("--from-ids a --vocab-size 4 --out x --metric manhattan")]
    [DataRow("--from-ids a --vocab-size 4 --out x --bogus 1")]
    public void Command_UsageError_ReturnsTwoAndPrintsUsage(string line)
    {
        var stderr = new StringWriter();
        Assert.AreEqual(2, BuildClustersCommand.Run(line.Split(' '), new StringWriter(), stderr));
        StringAssert.Contains(stderr.ToString(), "usage: build-clusters");
    }

    [TestMethod]
    public void Command_MissingInputFile_ReturnsOne()
    {
        var stderr = new StringWriter();
        Assert.AreEqual(1, BuildClustersCommand.Run(["--from-ids", Path.Combine(_dir, "none.txt"), "--vocab-size", "4", "--out",
            Path.Combine(_dir, "o.txt")], new StringWriter(), stderr));
        StringAssert.Contains(stderr.ToString(), "none.txt");
    }
}
