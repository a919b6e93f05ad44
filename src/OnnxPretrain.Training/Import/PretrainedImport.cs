using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training.Import;

/// <summary>Settings of <c>import</c>.</summary>
/// <param name="From">A Hugging Face folder (<c>config.json</c> + <c>model.safetensors</c>), an ONNX inference model
/// (<c>.onnx</c> file, or a folder holding <c>model.onnx</c>), or a named model (<see cref="NamedModels.Names"/>).</param>
/// <param name="OutDir">Checkpoint folder to write; replaced atomically when it exists.</param>
/// <param name="Cache">Where named models are fetched and cached; null for the defaults.</param>
/// <param name="Name">The recipe name written beside the checkpoint; null = the output folder's name.</param>
/// <param name="Replace">Replace an earlier import in <paramref name="OutDir"/> (never another kind of folder); false keeps
/// a complete earlier import and discards the new copy (a concurrent first use).</param>
public sealed record ImportOptions(string From, string OutDir, DataCacheOptions? Cache = null, string? Name = null, bool Replace = true);

/// <summary>
/// <c>import</c>: a published BERT/ELECTRA encoder into one of our checkpoint folders, which <c>training.init_from</c>,
/// <c>finetune ... --init</c> and <c>export --checkpoint</c> accept:
/// <list type="bullet">
/// <item><c>model.safetensors</c>: the encoder under our names (<c>bert.encoder.layer.0.attention.self.query.weight</c>, ...) and any task
/// heads the source has;</item>
/// <item><c>recipe.json</c>: the model's shape (a continued-pre-training MLM recipe that starts from this folder);</item>
/// <item><c>config.json</c>, <c>vocab.txt</c>, <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c>;</item>
/// <item><c>import_report.json</c>: source, loaded / newly initialised / head / unused tensors, pooling;</item>
/// <item>when the source's pooling is known, sentence-transformers' <c>1_Pooling/config.json</c> and
/// <c>config_sentence_transformers.json</c> (pooling and query prefix, <see cref="SentenceEmbeddingFiles"/>), which exports carry on.</item>
/// </list>
/// </summary>
public static class PretrainedImport
{
    /// <summary>The file name of the recipe written beside an imported checkpoint.</summary>
    public const string RecipeFile = "recipe.json";

    /// <summary>The file name of the import report.</summary>
    public const string ReportFile = "import_report.json";

    /// <summary>Reads the source, maps and checks every tensor, and writes the folder (staged, then moved into place).</summary>
    /// <exception cref="FileNotFoundException">The source does not exist and is not a named model.</exception>
    /// <exception cref="InvalidDataException">The source is corrupt, a shape or config disagrees, or a weight cannot be mapped (all named).</exception>
    public static ImportReport Run(ImportOptions o, TextWriter log)
    {
        var full = Path.GetFullPath(o.OutDir).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        CheckReplaceable(full, o.From);
        var encoder = Read(o.From, o.Cache, log);
        var (tensors, report) = MapToParameters(encoder);
        Write(full, o.Name ?? Path.GetFileName(full), encoder, tensors, report, o.Replace);
        log.WriteLine($"Imported {encoder.Source} -> {o.OutDir}: {report.Summary()}");
        return report;
    }

    /// <summary>
    /// The sentence embedding (pooling, query prefix) a checkpoint inherits: its own folder's sentence-transformers files (an
    /// import), else those of the recipe's <c>training.init_from</c> (a named model, or an imported folder); null when none says.
    /// </summary>
    /// <exception cref="InvalidDataException">A sentence-transformers file is corrupt.</exception>
    public static SentenceEmbeddingSpec? InheritedSentenceEmbedding(Recipe recipe, string checkpointDir)
    {
        if (SentenceEmbeddingFiles.Read(checkpointDir) is { } own) return own;
        if (recipe.Training.InitFrom is not { } init) return null;
        var source = Pretraining.InitSource(recipe, init);
        if (!Path.Exists(source) && NamedModels.TryGet(source) is { } m) return new SentenceEmbeddingSpec(m.Pooling, QueryPrefix: m.QueryPrefix);
        return Directory.Exists(source) ? SentenceEmbeddingFiles.Read(source) : null;
    }

    /// <summary>Reads a source of any supported kind; an existing path wins over a named model of the same name.</summary>
    public static PretrainedEncoder Read(string from, DataCacheOptions? cache, TextWriter log)
    {
        if (!Path.Exists(from) && NamedModels.TryGet(from) is { } named) return NamedModels.Read(named, cache, log);
        if (File.Exists(from) && from.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return OnnxEncoderReader.Read(from);
        if (Directory.Exists(from))
        {
            if (File.Exists(Path.Combine(from, "config.json")) && File.Exists(Path.Combine(from, "model.safetensors"))) return HfFolderReader.Read(from);
            if (File.Exists(Path.Combine(from, "model.onnx"))) return OnnxEncoderReader.Read(Path.Combine(from, "model.onnx"));
            throw new FileNotFoundException($"'{from}' holds neither config.json + model.safetensors (a Hugging Face folder) nor model.onnx.", from);
        }
        throw new FileNotFoundException($"import source '{from}' is not a folder, an .onnx file or a named model " +
            $"({string.Join(", ", NamedModels.Names)}).", from);
    }

    /// <summary>
    /// Renames the source tensors to our parameters and checks them against the encoder that <see cref="PretrainedEncoder.Config"/>
    /// describes: every encoder parameter must be present with its shape (the BERT pooler may be absent); other tensors
    /// are kept as heads, buffers are reported unused.
    /// </summary>
    /// <exception cref="InvalidDataException">An encoder parameter is missing or has another shape (names all of them with both shapes).</exception>
    public static (Dictionary<string, TensorData> Tensors, ImportReport Report) MapToParameters(PretrainedEncoder encoder)
    {
        var c = encoder.Config;
        CheckVocabulary(encoder);
        var expected = EncoderParameters(c);
        var mapped = new Dictionary<string, TensorData>();
        var (heads, unused, problems) = (new List<string>(), new List<string>(), new List<string>());
        foreach (var (source, tensor) in encoder.Tensors)
        {
            var name = tensor.Type == DataType.Float ? HfNames.ToParameter(source, c.ModelType) : null;
            if (name is null) { unused.Add(source); continue; }
            if (expected.TryGetValue(name, out var shape) && !shape.SequenceEqual(tensor.Shape))
                problems.Add($"'{source}' is [{string.Join(", ", tensor.Shape)}] but {name} needs [{string.Join(", ", shape)}]");
            if (!mapped.TryAdd(name, tensor)) problems.Add($"'{source}' maps to {name}, which another tensor already filled");
            if (!expected.ContainsKey(name)) heads.Add(name);
        }
        var missing = expected.Keys.Where(k => !mapped.ContainsKey(k)).ToList();
        var fatal = missing.Where(k => !k.StartsWith($"{c.ModelType}.pooler.", StringComparison.Ordinal)).ToList();
        if (fatal.Count > 0) problems.Add($"missing {fatal.Count} encoder parameter(s): {string.Join(", ", fatal)}");
        if (problems.Count > 0)
            throw new InvalidDataException($"{encoder.Source} does not match a {c.ModelType} encoder with hidden_size {c.HiddenSize}, " +
                $"{c.NumHiddenLayers} layers: {string.Join("; ", problems)}.");
        var loaded = mapped.Keys.Where(expected.ContainsKey).ToList();
        return (mapped, new ImportReport(loaded, missing, heads, unused));
    }

    private static void CheckVocabulary(PretrainedEncoder e)
    {
        if (e.Vocabulary.Count != e.Config.VocabSize)
            throw new InvalidDataException($"{e.Source}: the vocabulary has {e.Vocabulary.Count} tokens but vocab_size is " +
                $"{e.Config.VocabSize}; they must be equal.");
        var missing = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }.Except(e.Vocabulary).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{e.Source}: the vocabulary lacks {string.Join(", ", missing)}; a BERT " +
            $"WordPiece vocabulary is expected.");
    }

    /// <summary>An existing output folder may only be an earlier import, never the source or another folder.</summary>
    private static void CheckReplaceable(string full, string from)
    {
        if (Path.GetFileName(full).Length == 0) throw new ArgumentException($"--out '{full}' names no folder.");
        if (Path.Exists(from) && Path.GetFullPath(from).TrimEnd(Path.DirectorySeparatorChar) == full)
            throw new ArgumentException($"--out '{full}' is the import source; choose another folder.");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, ReportFile)))
            throw new IOException($"--out '{full}' exists and is not an earlier import (no {ReportFile}); refusing to replace it.");
    }

    /// <summary>Every parameter of the inference encoder (with the BERT pooler) and its shape, from the model definition itself.</summary>
    public static Dictionary<string, long[]> EncoderParameters(EncoderConfig c)
    {
        var g = Graph.Create("shape");
        var bt = new Shape("batch", "sequence");
        var ids = g.Input(BatcherInputNames.InputIds, DataType.Int64, bt);
        var L = new Layers(g, 0, c.InitializerRange);
        var hidden = Encoder.Layers(L, c, c.ModelType,
            Encoder.Embeddings(L, c, c.ModelType, ids, g.Input(BatcherInputNames.TokenTypeIds, DataType.Int64, bt), false),
            Encoder.MaskBias(g, g.Input(BatcherInputNames.AttentionMask, DataType.Int64, bt)), false);
        if (c.ModelType == "bert") L.Linear("bert.pooler.dense", g.Reshape(hidden, -1, c.HiddenSize), c.HiddenSize, c.HiddenSize);
        return g.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial.Shape);
    }

    /// <summary>Writes the folder into a staging folder, then swaps it in: the old import is renamed aside first and deleted last.</summary>
    private static void Write(string full, string name, PretrainedEncoder encoder, Dictionary<string, TensorData> tensors, ImportReport report, bool replace)
    {
        var staging = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            Directory.CreateDirectory(staging);
            var ordered = new OrderedDictionary<string, TensorData>();
            foreach (var (k, v) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal)) ordered.Add(k, v);
            Safetensors.Write(Path.Combine(staging, Checkpoint.ModelFile), ordered, new Dictionary<string, string> { ["format"] = "pt" });
            File.WriteAllLines(Path.Combine(staging, "vocab.txt"), encoder.Vocabulary);
            WriteJson(Path.Combine(staging, "config.json"), HfEncoderConfig.ToJson(encoder.Config));
            BertTokenizerFiles.WriteConfig(staging);
            BertTokenizerFiles.WriteTokenizerJson(staging, encoder.Vocabulary);
            WriteJson(Path.Combine(staging, RecipeFile), ContinuedPretrainingRecipe(name, encoder.Config));
            WriteJson(Path.Combine(staging, ReportFile), ReportJson(encoder, report));
            if (encoder.Pooling is { } pooling)
                SentenceEmbeddingFiles.Write(staging, encoder.Config.HiddenSize, new SentenceEmbeddingSpec(pooling, QueryPrefix: encoder.QueryPrefix),
                    modules: false);
            if (!replace && File.Exists(Path.Combine(full, ReportFile))) return;   // a complete import is already there
            var old = $"{full}.old-{Guid.NewGuid():N}";
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(staging, full);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// The recipe written beside an import: MLM continued pre-training from this folder (<c>training.init_from: "."</c>)
    /// with the continued-pre-training defaults (peak lr 5e-5, 10% warmup, linear decay), the folder's vocabulary.
    /// </summary>
    public static JsonObject ContinuedPretrainingRecipe(string name, EncoderConfig c) => new()
    {
        ["name"] = string.IsNullOrWhiteSpace(name) ? "imported" : name,
        ["description"] = "Imported published encoder; MLM continued pre-training from this folder.",
        ["model"] = RecipeModel(c),
        ["objective"] = new JsonObject { ["type"] = "mlm" },
        ["data"] = new JsonObject { ["sequence_length"] = Math.Min(128, c.MaxPositionEmbeddings), ["tokenizer"] = "bert-base-uncased",
            ["vocab"] = "vocab.txt", ["corpus"] = "default" },
        ["training"] = new JsonObject
        {
            ["batch_size"] = 16, ["steps"] = 1000, ["learning_rate"] = 5e-5, ["warmup_steps"] = 100, ["schedule"] = "linear",
            ["weight_decay"] = 0.01, ["max_grad_norm"] = 1.0, ["eval_every"] = 250, ["checkpoint_every"] = 250, ["init_from"] = ".", ["seed"] = 42,
        },
    };

    private static JsonObject RecipeModel(EncoderConfig c)
    {
        var o = JsonSerializer.SerializeToNode(c, Recipe.JsonOptions)!.AsObject();
        o.Remove("effective_embedding_size");
        return o;
    }

    private static JsonObject ReportJson(PretrainedEncoder e, ImportReport r) => new()
    {
        ["source"] = e.Source,
        ["model_type"] = e.Config.ModelType,
        ["pooling"] = e.Pooling,
        ["query_prefix"] = e.QueryPrefix,
        ["loaded"] = new JsonArray(r.Loaded.Select(n => (JsonNode)n).ToArray()),
        ["newly_initialised"] = new JsonArray(r.NewlyInitialised.Select(n => (JsonNode)n).ToArray()),
        ["heads"] = new JsonArray(r.Heads.Select(n => (JsonNode)n).ToArray()),
        ["unused"] = new JsonArray(r.Unused.Select(n => (JsonNode)n).ToArray()),
    };

    private static void WriteJson(string path, JsonObject o) => File.WriteAllText(path,
        o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}
