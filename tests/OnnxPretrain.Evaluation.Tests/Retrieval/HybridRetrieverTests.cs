using OnnxPretrain.Evaluation.Retrieval;

namespace OnnxPretrain.Evaluation.Tests.Retrieval;

[TestClass]
public sealed class HybridRetrieverTests
{
    private static readonly ScoredDoc[] Bm25 = [new("d1", 9), new("d2", 7), new("d3", 5)];
    private static readonly ScoredDoc[] Dense = [new("d3", 0.9), new("d1", 0.8), new("d4", 0.7)];

    [TestMethod]
    public void Fuse_K60_HandComputedReciprocalRanks()
    {
        // d1: 1/61 + 1/62 = 0.0325225; d3: 1/63 + 1/61 = 0.0322665; d2: 1/62 = 0.0161290; d4: 1/63 = 0.0158730.
        var fused = HybridRetriever.Fuse([Bm25, Dense], 60, 10);
        CollectionAssert.AreEqual(new[] { "d1", "d3", "d2", "d4" }, fused.Select(d => d.DocId).ToArray());
        CollectionAssert.AreEqual(new[] { 0.0325225, 0.0322665, 0.0161290, 0.0158730 }, fused.Select(d => Math.Round(d.Score, 7)).ToArray());
        CollectionAssert.AreEqual(new[] { "d1", "d3" }, HybridRetriever.Fuse([Bm25, Dense], 60, 2).Select(d => d.DocId).ToArray());
    }

    [TestMethod]
    public void Fuse_K0_TopRanksDominate_TiesByDocumentId()
    {
        // k = 0: d1 1 + 1/2 = 1.5; d3 1/3 + 1 = 1.333; d2 1/2; d4 1/3. "x"/"y" swap ranks: both 1 + 1/2, the lower id first.
        CollectionAssert.AreEqual(new[] { 1.5, 4.0 / 3, 0.5, 1.0 / 3 }, HybridRetriever.Fuse([Bm25, Dense], 0, 10).Select(d => d.Score).ToArray());
        var tie = HybridRetriever.Fuse([[new("y", 1), new("x", 0)], [new("x", 1), new("y", 0)]], 60, 10);
        CollectionAssert.AreEqual(new[] { "x", "y" }, tie.Select(d => d.DocId).ToArray());
        Assert.AreEqual(tie[0].Score, tie[1].Score);
    }

    [TestMethod]
    public void Search_FusesEachRetrieversTopDepth()
    {
        using var dir = new TempDir();
        var data = BeirData.Read(RetrievalFixtures.Write(dir));
        using var a = new Bm25Retriever(data.Corpus);
        using var b = new Bm25Retriever(data.Corpus, new Bm25Options(1.2, 0.75));
        const string query = "heat conduction in composite slabs";
        var expected = HybridRetriever.Fuse([a.Search(query, 2), b.Search(query, 2)], 60, 10);
        using var hybrid = new HybridRetriever(new Bm25Retriever(data.Corpus), new Bm25Retriever(data.Corpus, new Bm25Options(1.2, 0.75)), depth: 2);
        CollectionAssert.AreEqual(expected.Select(d => (d.DocId, d.Score)).ToArray(), hybrid.Search(query, 10).Select(d => (d.DocId, d.Score)).ToArray());
    }
}
