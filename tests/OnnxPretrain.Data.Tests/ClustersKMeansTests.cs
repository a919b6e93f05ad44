namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class ClustersKMeansTests
{
    /// <summary>Gaussian blobs (σ = 0.3) around well-separated centres; returns points and the true blob of each.</summary>
    private static (float[] Points, int[] Truth) Blobs(float[][] centres, int perBlob, int seed)
    {
        var random = new Random(seed);
        int d = centres[0].Length, n = centres.Length * perBlob;
        var points = new float[n * d];
        var truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            int blob = i % centres.Length;
            truth[i] = blob;
            for (int j = 0; j < d; j++)
            {
                double gauss = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                points[i * d + j] = centres[blob][j] + (float)(0.3 * gauss);
            }
        }
        return (points, truth);
    }

    /// <summary>True when the assignments are the truth up to a renaming of the clusters.</summary>
    private static void AssertSamePartition(int[] truth, int[] assignments, int k)
    {
        var map = new Dictionary<int, int>();
        for (int i = 0; i < truth.Length; i++)
        {
            if (!map.TryGetValue(truth[i], out int c)) map[truth[i]] = c = assignments[i];
            Assert.AreEqual(c, assignments[i], $"point {i} of blob {truth[i]}");
        }
        Assert.AreEqual(k, map.Values.Distinct().Count(), "each blob has its own cluster");
    }

    [TestMethod]
    [DataRow(KMeansMetric.Euclidean)]
    [DataRow(KMeansMetric.Cosine)]
    public void Fit_WellSeparatedBlobs_RecoversBlobs(KMeansMetric metric)
    {
        float[][] centres = [[10, 0, 0, 0, 0], [0, 10, 0, 0, 0], [0, 0, 10, 0, 0], [0, 0, 0, 10, 0], [0, 0, 0, 0, 10]];
        var (points, truth) = Blobs(centres, 60, seed: 1);
        for (long seed = 0; seed < 5; seed++)
        {
            var result = KMeans.Fit(points, truth.Length, 5, new KMeansOptions { Clusters = 5, Seed = seed, Metric = metric });
            AssertSamePartition(truth, result.Assignments, 5);
            Assert.IsTrue(result.Converged);
        }
    }

    [TestMethod]
    public void Fit_Euclidean_CentroidsAreBlobMeans()
    {
        float[][] centres = [[-5, -5], [5, 5], [5, -5]];
        var (points, truth) = Blobs(centres, 100, seed: 2);
        var result = KMeans.Fit(points, truth.Length, 2, new KMeansOptions { Clusters = 3, Metric = KMeansMetric.Euclidean });
        for (int c = 0; c < 3; c++)
        {
            int[] members = Enumerable.Range(0, truth.Length).Where(i => result.Assignments[i] == c).ToArray();
            Assert.AreEqual(members.Average(i => points[i * 2]), result.Centroids[c * 2], 1e-4);
            Assert.AreEqual(members.Average(i => points[i * 2 + 1]), result.Centroids[c * 2 + 1], 1e-4);
        }
    }

    [TestMethod]
    public void Fit_SameSeed_IdenticalResult()
    {
        var (points, truth) = Blobs([[0, 0, 1], [1, 0, 0], [0, 1, 0]], 50, seed: 3);
        var options = new KMeansOptions { Clusters = 7, Seed = 9 };
        var a = KMeans.Fit(points, truth.Length, 3, options);
        var b = KMeans.Fit(points, truth.Length, 3, options);
        CollectionAssert.AreEqual(a.Assignments, b.Assignments);
        CollectionAssert.AreEqual(a.Centroids, b.Centroids);
    }

    [TestMethod]
    public void Fit_DuplicatePoints_DoesNotFailAndAssignsAll()
    {
        var points = new float[20];
        Array.Fill(points, 1f);
        var result = KMeans.Fit(points, 10, 2, new KMeansOptions { Clusters = 3, Metric = KMeansMetric.Euclidean });
        Assert.IsTrue(result.Assignments.All(c => c is >= 0 and < 3));
        Assert.AreEqual(0, result.Inertia, 1e-9);
    }

    [TestMethod]
    public void Fit_BadInput_ThrowsArgumentException()
    {
        Assert.ThrowsExactly<ArgumentException>(() => KMeans.Fit(new float[6], 3, 2, new KMeansOptions { Clusters = 4 }));
        Assert.ThrowsExactly<ArgumentException>(() => KMeans.Fit(new float[5], 3, 2, new KMeansOptions { Clusters = 2 }));
        Assert.ThrowsExactly<ArgumentException>(() => KMeans.Fit([0, float.NaN], 1, 2, new KMeansOptions { Clusters = 1 }));
        Assert.AreEqual("MaxIterations", Assert.ThrowsExactly<ArgumentException>(
            () => new KMeansOptions { MaxIterations = 0 }.Validate()).ParamName);
    }

    [TestMethod]
    public void FromEmbeddings_BlobMatrix_ClustersEveryId()
    {
        var (points, truth) = Blobs([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0], [0, 0, 0, 3]], 25, seed: 4);
        var clusters = TokenClusterBuilder.FromEmbeddings(points, truth.Length, 4, new KMeansOptions { Clusters = 4, Seed = 1 });
        Assert.AreEqual(100, clusters.VocabSize);
        AssertSamePartition(truth, clusters.Assignments.ToArray(), 4);
    }
}
