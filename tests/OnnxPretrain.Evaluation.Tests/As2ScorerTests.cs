using OnnxPretrain.Onnx;

namespace OnnxPretrain.Evaluation.Tests;

[TestClass]
public sealed class As2ScorerTests
{
    // ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, what 5, is 6, the 7, sky 8, blue 9, color 10, green 11.
    internal static readonly string[] Vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "what", "is", "the", "sky", "blue", "color", "green"];

    /// <summary>
    /// A model folder whose logits are [0.5 · Σ token_type_ids, Σ (input_ids + 1) · attention_mask] (two classes) or just
    /// the second (one class), so score = Σ (id + 1) · mask − 0.5 · Σ type (two classes). Padding must be masked out:
    /// a [PAD] (id 0) with mask 1 would add 1.
    /// </summary>
    internal static string WriteTinyModel(TempDir dir, bool twoClasses = true, string outputName = "logits")
    {
        var g = Graph.Create("tiny-cross-encoder");
        var shape = new Shape("batch", "sequence");
        Value ids = g.Input("input_ids", DataType.Int64, shape);
        Value mask = g.Input("attention_mask", DataType.Int64, shape);
        Value types = g.Input("token_type_ids", DataType.Int64, shape);
        Value shifted = g.Add(g.Cast(ids, DataType.Float), g.Scalar(1, DataType.Float));
        Value l1 = g.ReduceSum(g.Mul(shifted, g.Cast(mask, DataType.Float)), [1], keepDims: true);
        Value l0 = g.Mul(g.ReduceSum(g.Cast(types, DataType.Float), [1], keepDims: true), g.Scalar(0.5, DataType.Float));
        g.Output(twoClasses ? g.Concat([l0, l1], 1) : g.Identity(l1), outputName);
        string folder = Directory.CreateDirectory(Path.Combine(dir.Path, $"model-{twoClasses}-{outputName}")).FullName;
        ModelWriter.Save(g, Path.Combine(folder, As2Scorer.ModelFileName), ParameterLayout.AsInitializers);
        File.WriteAllLines(Path.Combine(folder, As2Scorer.VocabFileName), Vocab);
        return folder;
    }

    private static readonly (string, string)[] Pairs =
    [
        ("what color is the sky", "the sky is blue"),
        ("what is green", "green"),
        ("what is purple", "the sky"),
    ];

    // [CLS] what color is the sky [SEP] the sky is blue [SEP]: Σ(id+1) = 3+6+11+7+8+9+4+8+9+7+10+4 = 86, 5 type-1 tokens.
    // [CLS] what is green [SEP] green [SEP]: 3+6+7+12+4+12+4 = 48, 2 type-1 tokens.
    // [CLS] what is [UNK] [SEP] the sky [SEP]: 3+6+7+2+4+8+9+4 = 43, 3 type-1 tokens.
    private static readonly double[] Expected = [86 - 2.5, 48 - 1.0, 43 - 1.5];

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(32)]
    public void Score_TwoClassLogits_EqualHandComputation(int batchSize)
    {
        using var dir = new TempDir();
        using As2Scorer scorer = As2Scorer.Load(WriteTinyModel(dir), batchSize: batchSize);
        CollectionAssert.AreEqual(Expected, scorer.Score(Pairs));
    }

    [TestMethod]
    public void Score_OneClassLogit_IsTheLogit()
    {
        using var dir = new TempDir();
        using As2Scorer scorer = As2Scorer.Load(WriteTinyModel(dir, twoClasses: false));
        CollectionAssert.AreEqual(new double[] { 86, 48, 43 }, scorer.Score(Pairs));
    }

    [TestMethod]
    public void Score_MaxLength8_TruncatesLongestFirst()
    {
        // Budget 5 for 5 + 4 tokens: 3 question tokens, 2 candidate tokens.
        // [CLS] what color is [SEP] the sky [SEP]: 3+6+11+7+4+8+9+4 = 52, 3 type-1 tokens.
        using var dir = new TempDir();
        using As2Scorer scorer = As2Scorer.Load(WriteTinyModel(dir), maxLength: 8);
        CollectionAssert.AreEqual(new[] { 52 - 1.5 }, scorer.Score([Pairs[0]]));
    }

    [TestMethod]
    public void Load_FolderWithoutVocab_ThrowsNamingTheFolder()
    {
        using var dir = new TempDir();
        string folder = WriteTinyModel(dir);
        File.Delete(Path.Combine(folder, As2Scorer.VocabFileName));
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => As2Scorer.Load(folder));
        StringAssert.Contains(e.Message, folder);
    }

    [TestMethod]
    public void Load_ModelWithoutLogitsOutput_ThrowsInvalidData()
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => As2Scorer.Load(WriteTinyModel(dir, outputName: "scores")));
        StringAssert.Contains(e.Message, "expected 'logits'");
    }

    [TestMethod]
    public void Load_MissingFolder_ThrowsDirectoryNotFound() =>
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => As2Scorer.Load("/nonexistent/as2-model"));
}
