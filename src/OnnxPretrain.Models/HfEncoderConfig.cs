using System.Text.Json.Nodes;

namespace OnnxPretrain.Models;

/// <summary>
/// <see cref="EncoderConfig"/> as Hugging Face's <c>config.json</c> (<c>BertConfig</c> / <c>ElectraConfig</c> keys), both ways:
/// what exports write and what imports read.
/// </summary>
public static class HfEncoderConfig
{
    /// <summary><c>config.json</c> for <c>BertModel</c> / <c>ElectraModel</c>.</summary>
    public static JsonObject ToJson(EncoderConfig c) => new()
    {
        ["architectures"] = new JsonArray(c.ModelType == "bert" ? "BertModel" : "ElectraModel"),
        ["model_type"] = c.ModelType,
        ["vocab_size"] = c.VocabSize,
        ["embedding_size"] = c.EffectiveEmbeddingSize,
        ["hidden_size"] = c.HiddenSize,
        ["num_hidden_layers"] = c.NumHiddenLayers,
        ["num_attention_heads"] = c.NumAttentionHeads,
        ["intermediate_size"] = c.IntermediateSize,
        ["hidden_act"] = c.HiddenAct,
        ["hidden_dropout_prob"] = c.HiddenDropoutProb,
        ["attention_probs_dropout_prob"] = c.AttentionProbsDropoutProb,
        ["max_position_embeddings"] = c.MaxPositionEmbeddings,
        ["type_vocab_size"] = c.TypeVocabSize,
        ["initializer_range"] = c.InitializerRange,
        ["layer_norm_eps"] = c.LayerNormEps,
        ["pad_token_id"] = 0,
        ["position_embedding_type"] = "absolute",
    };

    /// <summary>
    /// Reads a Hugging Face <c>config.json</c> of a BERT or ELECTRA model. Keys we do not model (ids of special tokens,
    /// <c>architectures</c>, <c>transformers_version</c>, ...) are ignored; a value we cannot reproduce is an error.
    /// </summary>
    /// <param name="o">The parsed JSON.</param>
    /// <param name="source">The file, for messages.</param>
    /// <exception cref="InvalidDataException">Unsupported <c>model_type</c>, activation or position embedding type, or an invalid value
    /// (names the key and value).</exception>
    public static EncoderConfig FromJson(JsonObject o, string source)
    {
        string modelType = Text(o, "model_type", source) ?? throw new InvalidDataException($"{source}: 'model_type' is missing; expected 'bert' or 'electra'.");
        if (modelType is not ("bert" or "electra"))
            throw new InvalidDataException($"{source}: model_type is '{modelType}'; only 'bert' and 'electra' encoders can be imported.");
        if (Text(o, "position_embedding_type", source) is { } pos && pos != "absolute")
            throw new InvalidDataException($"{source}: position_embedding_type is '{pos}'; only 'absolute' is supported.");
        var act = Text(o, "hidden_act", source) ?? "gelu";
        var c = new EncoderConfig
        {
            ModelType = modelType,
            VocabSize = Int(o, "vocab_size", source) ?? 30522,
            HiddenSize = Int(o, "hidden_size", source) ?? 768,
            EmbeddingSize = modelType == "electra" ? Int(o, "embedding_size", source) : null,
            NumHiddenLayers = Int(o, "num_hidden_layers", source) ?? 12,
            NumAttentionHeads = Int(o, "num_attention_heads", source) ?? 12,
            IntermediateSize = Int(o, "intermediate_size", source) ?? 3072,
            HiddenAct = act switch
            {
                "gelu" => "gelu",
                "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => "gelu_new",
                _ => throw new InvalidDataException($"{source}: hidden_act is '{act}'; expected gelu, gelu_new or gelu_pytorch_tanh."),
            },
            HiddenDropoutProb = (float)(Number(o, "hidden_dropout_prob", source) ?? 0.1),
            AttentionProbsDropoutProb = (float)(Number(o, "attention_probs_dropout_prob", source) ?? 0.1),
            MaxPositionEmbeddings = Int(o, "max_position_embeddings", source) ?? 512,
            TypeVocabSize = Int(o, "type_vocab_size", source) ?? 2,
            LayerNormEps = (float)(Number(o, "layer_norm_eps", source) ?? 1e-12),
            InitializerRange = (float)(Number(o, "initializer_range", source) ?? 0.02),
        };
        try { return c.Validate(Path.GetFileName(source)); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    private static string? Text(JsonObject o, string key, string source) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var n => throw new InvalidDataException($"{source}: '{key}' is {n.ToJsonString()}; expected a string."),
    };

    private static double? Number(JsonObject o, string key, string source) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        var n => throw new InvalidDataException($"{source}: '{key}' is {n.ToJsonString()}; expected a number."),
    };

    private static int? Int(JsonObject o, string key, string source) => Number(o, key, source) switch
    {
        null => null,
        double d when d == Math.Floor(d) && d is > 0 and <= int.MaxValue => (int)d,
        var d => throw new InvalidDataException($"{source}: '{key}' is {d}; expected a positive integer."),
    };
}
