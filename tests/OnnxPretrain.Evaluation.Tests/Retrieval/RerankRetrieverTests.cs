using OnnxPretrain.Evaluation.Retrieval;

namespace OnnxPretrain.Evaluation.Tests.Retrieval;

[TestClass]
public sealed class RerankRetrieverTests
{
    [TestMethod]
    public void Search_TinyCrossEncoder_RescoresOnlyBm25Candidates()
    {
        // BM25 finds d1 and d2 (they share "sky"); d3 shares no term and is never re-scored.
        // The tiny cross-encoder scores Σ(id + 1)·mask − 0.5·Σ token_type (see As2ScorerTests):
        // d2: [CLS] what is the sky [SEP] the sky is blue [SEP] = 3+6+7+8+9+4 + 8+9+7+10+4 = 75, 5 type-1 tokens -> 72.5
        // d1: [CLS] what is the sky [SEP] sky [SEP] = 3+6+7+8+9+4 + 9+4 = 50, 2 type-1 tokens -> 49
        BeirDocument[] corpus = [new("d1", "", "sky"), new("d2", "the sky", "is blue"), new("d3", "", "green")];
        using var dir = new TempDir();
        using var rerank = new RerankRetriever(new Bm25Retriever(corpus), As2Scorer.Load(As2ScorerTests.WriteTinyModel(dir)), corpus);
        var hits = rerank.Search("what is the sky", 10);
        CollectionAssert.AreEqual(new ScoredDoc[] { new("d2", 72.5), new("d1", 49) }, hits.ToArray());
        Assert.AreEqual(2L, rerank.PairsScored);
        Assert.AreEqual(1, rerank.Search("what is the sky", 1).Count);
    }
}
