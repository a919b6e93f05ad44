using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Retrieval;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Evaluation.Tests.Retrieval;

[TestClass]
public sealed class DenseRetrieverTests
{
    /// <summary>A feature-extraction model whose last_hidden_state is the one-hot of each token id (H = vocab size), masked.</summary>
    private static string WriteOneHotEncoder(TempDir dir)
    {
        var g = Graph.Create("one-hot-encoder");
        var shape = new Shape("batch", "sequence");
        Value ids = g.Input("input_ids", DataType.Int64, shape);
        Value mask = g.Input("attention_mask", DataType.Int64, shape);
        Value hidden = g.Mul(g.OneHot(ids, As2ScorerTests.Vocab.Length, DataType.Float), g.Unsqueeze(g.Cast(mask, DataType.Float), 2));
        g.Output(hidden, "last_hidden_state");
        string folder = Directory.CreateDirectory(Path.Combine(dir.Path, "encoder")).FullName;
        ModelWriter.Save(g, Path.Combine(folder, "model.onnx"), ParameterLayout.AsInitializers);
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), As2ScorerTests.Vocab);
        return folder;
    }

    private static readonly BeirDocument[] Corpus = [new("long", "", "the sky is blue"), new("green", "", "green"), new("skysky", "", "sky sky")];

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(32)]
    public void Search_OneHotEncoder_RanksByHandComputedCosine(int batchSize)
    {
        // Mean pooling then L2 norm = normalised token counts ([CLS] and [SEP] included). Query "sky": (CLS, sky, SEP)/√3.
        // "sky sky": (CLS 1, sky 2, SEP 1)/√6 -> 4/√18 = 0.942809; "the sky is blue": 6 distinct tokens/√6 -> 3/√18 = 0.707107;
        // "green": (CLS, green, SEP)/√3 -> 2/3. With batch 32 the short rows are padded, which must not change anything.
        using var dir = new TempDir();
        using var dense = new DenseRetriever(BiEncoder.Load(WriteOneHotEncoder(dir), new BiEncoderOptions(BatchSize: batchSize)), Corpus);
        var hits = dense.Search("sky", 10);
        CollectionAssert.AreEqual(new[] { "skysky", "long", "green" }, hits.Select(h => h.DocId).ToArray());
        Assert.AreEqual(0.942809, hits[0].Score, 1e-5);
        Assert.AreEqual(0.707107, hits[1].Score, 1e-5);
        Assert.AreEqual(2.0 / 3, hits[2].Score, 1e-5);
        Assert.AreEqual(2, dense.Search("sky", 2).Count);
    }

    [TestMethod]
    public void Search_NoNormalization_RanksByInnerProductOfMeans()
    {
        // Means: query (1,1,1)/3; "sky sky" (1,2,1)/4 -> 4/12 = 0.333333; "green" (1,1,1 over CLS,green,SEP)/3 -> 2/9 = 0.222222;
        // "the sky is blue" 6 tokens each 1/6 -> 3/18 = 0.166667.
        using var dir = new TempDir();
        using var dense = new DenseRetriever(BiEncoder.Load(WriteOneHotEncoder(dir), new BiEncoderOptions(Normalize: false)), Corpus);
        var hits = dense.Search("sky", 10);
        CollectionAssert.AreEqual(new[] { "skysky", "green", "long" }, hits.Select(h => h.DocId).ToArray());
        Assert.AreEqual(1.0 / 3, hits[0].Score, 1e-6);
        Assert.AreEqual(2.0 / 9, hits[1].Score, 1e-6);
    }

    [TestMethod]
    public void Load_CrossEncoderFolder_ThrowsNamingTheExpectedOutput()
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => BiEncoder.Load(As2ScorerTests.WriteTinyModel(dir)));
        StringAssert.Contains(e.Message, "last_hidden_state");
    }

    [TestMethod]
    public void Search_QueryPrefixFromTheFolder_IsPutBeforeEachQuery()
    {
        // prompts.query = "sky ": the query "green" becomes (CLS, sky, green, SEP)/2. "sky sky": (CLS 1, sky 2, SEP 1)/√6 ->
        // 4/(2√6) = 0.816497; "green": (CLS, green, SEP)/√3 -> 3/(2√3) = 0.866025; "the sky is blue": 6 tokens/√6 -> 3/(2√6) = 0.612372.
        // Without the prefix "green" alone scores 1 and the others 1/3 ("sky sky" 2/√18 = 0.471405).
        using var dir = new TempDir();
        var folder = WriteOneHotEncoder(dir);
        SentenceEmbeddingFiles.Write(folder, As2ScorerTests.Vocab.Length, new SentenceEmbeddingSpec("mean", QueryPrefix: "sky "), modules: false);
        using var dense = new DenseRetriever(BiEncoder.Load(folder), Corpus);
        var hits = dense.Search("green", 10);
        CollectionAssert.AreEqual(new[] { "green", "skysky", "long" }, hits.Select(h => h.DocId).ToArray());
        CollectionAssert.AreEqual(new[] { 0.866025, 0.816497, 0.612372 }, hits.Select(h => Math.Round(h.Score, 6)).ToArray());
        using var none = new DenseRetriever(BiEncoder.Load(folder, new BiEncoderOptions(QueryPrefix: "")), Corpus);
        Assert.AreEqual(0.471405, none.Search("green", 10).Single(h => h.DocId == "skysky").Score, 1e-5);
    }

    [TestMethod]
    public void Load_PoolingFromTheFolder_ClsUnlessOverridden()
    {
        // [CLS] pooling of the one-hot encoder: every text is the one-hot of [CLS] (id 2); mean pooling would differ per text.
        using var dir = new TempDir();
        var folder = WriteOneHotEncoder(dir);
        SentenceEmbeddingFiles.Write(folder, As2ScorerTests.Vocab.Length, new SentenceEmbeddingSpec("cls"), modules: false);
        using var cls = BiEncoder.Load(folder);
        Assert.AreEqual((Pooling.Cls, ""), (cls.Pooling, cls.QueryPrefix));
        var rows = cls.Encode(["sky", "green blue"], out int h);
        var expected = new float[h];
        expected[2] = 1;
        CollectionAssert.AreEqual(expected.Concat(expected).ToArray(), rows);
        using var mean = BiEncoder.Load(folder, new BiEncoderOptions(Pooling: Pooling.Mean));
        Assert.AreEqual(Pooling.Mean, mean.Pooling);
        Assert.AreNotEqual(rows[8], mean.Encode(["sky", "green blue"], out _)[8]);
    }

    [TestMethod]
    public void Load_TransformersJsLayout_FindsOnnxModelOnnx()
    {
        using var dir = new TempDir();
        var folder = WriteOneHotEncoder(dir);
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        File.Move(Path.Combine(folder, "model.onnx"), Path.Combine(folder, "onnx", "model.onnx"));
        using var encoder = BiEncoder.Load(folder);
        Assert.AreEqual(Pooling.Mean, encoder.Pooling);
        Assert.AreEqual(As2ScorerTests.Vocab.Length, encoder.Encode(["sky"], out int h).Length);
        Assert.AreEqual(As2ScorerTests.Vocab.Length, h);
    }

    [TestMethod]
    public void LengthOrder_LongestFirst_TiesInInputOrder() =>
        CollectionAssert.AreEqual(new[] { 1, 2, 0, 3 }, BiEncoder.LengthOrder([3, 5, 5, 1]));
}
