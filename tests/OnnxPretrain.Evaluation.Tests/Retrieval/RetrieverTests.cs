using OnnxPretrain.Evaluation.Retrieval;

namespace OnnxPretrain.Evaluation.Tests.Retrieval;

[TestClass]
public sealed class RetrieverTests
{
    [TestMethod]
    public void Bm25_TinyCorpus_RanksTheObviousDocumentFirst()
    {
        using var dir = new TempDir();
        var data = BeirData.Read(RetrievalFixtures.Write(dir));
        using var bm25 = new Bm25Retriever(data.Corpus);
        Assert.AreEqual("d2", bm25.Search("heat conduction in composite slabs", 10)[0].DocId);
        // Query syntax characters are plain text: no parse error, and "shells"/"shell" stem alike.
        var hits = bm25.Search("buckling of cylindrical shell (axial) + compression? AND OR \"", 10);
        Assert.AreEqual("d3", hits[0].DocId);
        Assert.IsTrue(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [TestMethod]
    public void Bm25_StopWordsOnly_ReturnsNothing()
    {
        using var dir = new TempDir();
        using var bm25 = new Bm25Retriever(BeirData.Read(RetrievalFixtures.Write(dir)).Corpus);
        Assert.AreEqual(0, bm25.Search("the of and ?", 10).Count);
        CollectionAssert.AreEqual(new[] { "wing", "slipstream" }, bm25.Analyze("The wings' slipstreams").ToArray());
    }

    [TestMethod]
    public void Bm25Options_OutOfRange_Throws()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Bm25Options(-1, 0.5).Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Bm25Options(1, 1.5).Validate());
    }

    [TestMethod]
    public void Bm25_Cranfield_MatchesTheReferenceScores()
    {
        var data = RetrievalFixtures.Cranfield();
        using var bm25 = new Bm25Retriever(data.Corpus);
        var (run, _) = RetrievalEvaluation.Search(bm25, data, 100);
        var s = RetrievalMetrics.Evaluate(run, data.Qrels);
        // Reference: the README's BM25 row (Lucene.Net EnglishAnalyzer, k1 0.9, b 0.4; published BM25 on Cranfield is
        // around nDCG@10 0.3-0.45). The metric code is checked against trec_eval on hand-made runs; this pins the index.
        Assert.AreEqual(0.351, s.Ndcg10, 0.0005, "nDCG@10");
        Assert.AreEqual(0.510, s.Mrr10, 0.0005, "MRR@10");
        Assert.AreEqual(0.728, s.Recall100, 0.0005, "Recall@100");
    }

    [TestMethod]
    public void TopK_RandomMatrix_EqualsBruteForce()
    {
        var rng = new Random(7);
        const int n = 500, dim = 16;
        var matrix = Enumerable.Range(0, n * dim).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        // Duplicate rows create exact ties, which must come out lower index first.
        Array.Copy(matrix, 0, matrix, 10 * dim, dim);
        var query = Enumerable.Range(0, dim).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        foreach (int k in new[] { 1, 5, 100, 600 })
        {
            var brute = Enumerable.Range(0, n)
                .Select(i => (Index: i, Score: Enumerable.Range(0, dim).Sum(j => matrix[i * dim + j] * query[j])))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(k).ToList();
            var top = DenseRetriever.TopK(matrix, dim, query, k);
            Assert.AreEqual(brute.Count, top.Count);
            for (int i = 0; i < top.Count; i++)
            {
                Assert.AreEqual(brute[i].Index, top[i].Index, $"k={k}, rank {i}");
                Assert.AreEqual(brute[i].Score, top[i].Score, 1e-5f);
            }
        }
    }

    [TestMethod]
    public void Pool_MeanAndCls_MatchHandComputed()
    {
        // B=1, T=3, H=2; states (1,2), (3,4), (100,100) with mask 1,1,0: mean = (2,3); CLS = (1,2).
        float[] hidden = [1, 2, 3, 4, 100, 100];
        long[] mask = [1, 1, 0];
        CollectionAssert.AreEqual(new float[] { 2, 3 }, BiEncoder.Pool(hidden, mask, 1, 3, 2, Pooling.Mean));
        CollectionAssert.AreEqual(new float[] { 1, 2 }, BiEncoder.Pool(hidden, mask, 1, 3, 2, Pooling.Cls));
        float[] rows = [3, 4, 0, 0];
        BiEncoder.NormalizeRows(rows, 2);
        CollectionAssert.AreEqual(new float[] { 0.6f, 0.8f, 0, 0 }, rows);
    }
}
