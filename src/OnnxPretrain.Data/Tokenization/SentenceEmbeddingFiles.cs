using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Data;

/// <summary>How a model folder's encoder turns token states into one embedding per text (sentence-transformers' settings).</summary>
/// <param name="Pooling"><c>mean</c> (over attention_mask) or <c>cls</c> (the first token's state).</param>
/// <param name="Normalize">Whether embeddings are L2-normalised (a <c>2_Normalize</c> module).</param>
/// <param name="MaxSeqLength">Tokens per text.</param>
/// <param name="QueryPrefix">Text put before retrieval queries (sentence-transformers' <c>prompts["query"]</c>), or null for none.</param>
public sealed record SentenceEmbeddingSpec(string Pooling = "mean", bool Normalize = true, int MaxSeqLength = 256, string? QueryPrefix = null)
{
    /// <summary>Checks the pooling name and the length.</summary>
    /// <exception cref="ArgumentException">Pooling is not mean or cls, or MaxSeqLength &lt; 2.</exception>
    public SentenceEmbeddingSpec Validate()
    {
        if (Pooling is not ("mean" or "cls")) throw new ArgumentException($"Sentence pooling is '{Pooling}'; expected mean or cls.", nameof(Pooling));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSeqLength, 2, nameof(MaxSeqLength));
        return this;
    }
}

/// <summary>
/// sentence-transformers' files that describe a folder's sentence embedding, as the published models ship them:
/// <c>1_Pooling/config.json</c> (the pooling mode), <c>sentence_bert_config.json</c> (max_seq_length),
/// <c>config_sentence_transformers.json</c> (<c>prompts</c>: the query prefix under <c>"query"</c>, e.g. arctic-embed's
/// "Represent this sentence for searching relevant passages: ") and, for the sentence-transformers layout, <c>modules.json</c>
/// with its <c>2_Normalize</c> folder. Export writes them; dense retrieval and import read them, so a model's pooling and
/// query prefix travel with it.
/// </summary>
public static class SentenceEmbeddingFiles
{
    /// <summary>The pooling config, relative to the folder.</summary>
    public static readonly string PoolingConfig = Path.Combine("1_Pooling", "config.json");

    /// <summary>The file with the prompts.</summary>
    public const string PromptsConfig = "config_sentence_transformers.json";

    /// <summary>Writes the files for <paramref name="s"/>; <paramref name="modules"/> adds <c>modules.json</c> (and <c>2_Normalize</c>).</summary>
    /// <exception cref="ArgumentException">An invalid spec.</exception>
    public static void Write(string dir, int hiddenSize, SentenceEmbeddingSpec s, bool modules)
    {
        s.Validate();
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        WriteJson(Path.Combine(dir, PoolingConfig), new JsonObject
        {
            ["word_embedding_dimension"] = hiddenSize, ["pooling_mode_cls_token"] = s.Pooling == "cls", ["pooling_mode_mean_tokens"] = s.Pooling == "mean",
            ["pooling_mode_max_tokens"] = false, ["pooling_mode_mean_sqrt_len_tokens"] = false, ["pooling_mode_weightedmean_tokens"] = false,
            ["pooling_mode_lasttoken"] = false, ["include_prompt"] = true,
        });
        WriteJson(Path.Combine(dir, "sentence_bert_config.json"), new JsonObject { ["max_seq_length"] = s.MaxSeqLength, ["do_lower_case"] = false });
        var prompts = new JsonObject();
        if (s.QueryPrefix is { } prefix) prompts["query"] = prefix;
        WriteJson(Path.Combine(dir, PromptsConfig), new JsonObject
        {
            ["prompts"] = prompts, ["default_prompt_name"] = null, ["similarity_fn_name"] = s.Normalize ? "cosine" : "dot",
        });
        if (!modules) return;
        var list = new JsonArray(
            new JsonObject { ["idx"] = 0, ["name"] = "0", ["path"] = "", ["type"] = "sentence_transformers.models.Transformer" },
            new JsonObject { ["idx"] = 1, ["name"] = "1", ["path"] = "1_Pooling", ["type"] = "sentence_transformers.models.Pooling" });
        if (s.Normalize)
            list.Add(new JsonObject { ["idx"] = 2, ["name"] = "2", ["path"] = "2_Normalize", ["type"] = "sentence_transformers.models.Normalize" });
        File.WriteAllText(Path.Combine(dir, "modules.json"), list.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (s.Normalize) Directory.CreateDirectory(Path.Combine(dir, "2_Normalize"));
    }

    /// <summary>
    /// The pooling (from <c>1_Pooling/config.json</c>) and query prefix (from <c>config_sentence_transformers.json</c>'s
    /// <c>prompts.query</c>) of <paramref name="dir"/>; null when the folder has no pooling config.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is not JSON, or the pooling config selects neither mean nor [CLS] pooling.</exception>
    public static SentenceEmbeddingSpec? Read(string dir)
    {
        var path = Path.Combine(dir, PoolingConfig);
        if (!File.Exists(path)) return null;
        var pool = Parse(path);
        string pooling = Flag(pool, "pooling_mode_cls_token") ? "cls" : Flag(pool, "pooling_mode_mean_tokens") ? "mean"
            : throw new InvalidDataException($"'{path}' sets neither pooling_mode_cls_token nor pooling_mode_mean_tokens; expected one of them " +
                "(other pooling modes are not supported).");
        var prompts = Path.Combine(dir, PromptsConfig);
        string? prefix = File.Exists(prompts) ? (string?)Parse(prompts)["prompts"]?["query"] : null;
        var bert = Path.Combine(dir, "sentence_bert_config.json");
        int max = File.Exists(bert) && Parse(bert)["max_seq_length"] is JsonValue v ? v.GetValue<int>() : 256;
        return new SentenceEmbeddingSpec(pooling, MaxSeqLength: max, QueryPrefix: string.IsNullOrEmpty(prefix) ? null : prefix);
    }

    private static bool Flag(JsonObject o, string key) => o[key] is JsonValue v && v.GetValue<bool>();

    private static JsonObject Parse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    private static void WriteJson(string path, JsonObject o) =>
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}
