namespace OnnxPretrain.Models;

/// <summary>
/// Hyper-parameters of a BART-family encoder-decoder (Lewis et al. 2020), named as Hugging Face's <c>BartConfig</c>
/// (<c>d_model</c> -> <see cref="DModel"/>, <c>encoder_layers</c> -> <see cref="EncoderLayers"/>, ...), so an exported
/// <c>config.json</c> loads in <c>BartForConditionalGeneration</c>. Recipes set them under <c>model</c> with
/// <c>"model_type": "bart"</c>.
/// </summary>
public sealed record Seq2SeqConfig
{
    /// <summary>Architecture and parameter layout: <c>bart</c>.</summary>
    public string ModelType { get; init; } = "bart";

    /// <summary>Vocabulary size V, shared by the encoder, the decoder and the tied LM head.</summary>
    public int VocabSize { get; init; } = 30522;

    /// <summary>Model width d (hidden size of both stacks).</summary>
    public int DModel { get; init; } = 256;

    /// <summary>Encoder layers.</summary>
    public int EncoderLayers { get; init; } = 4;

    /// <summary>Decoder layers.</summary>
    public int DecoderLayers { get; init; } = 4;

    /// <summary>Encoder attention heads; must divide <see cref="DModel"/>.</summary>
    public int EncoderAttentionHeads { get; init; } = 4;

    /// <summary>Decoder attention heads (self and cross); must divide <see cref="DModel"/>.</summary>
    public int DecoderAttentionHeads { get; init; } = 4;

    /// <summary>Encoder feed-forward inner size.</summary>
    public int EncoderFfnDim { get; init; } = 1024;

    /// <summary>Decoder feed-forward inner size.</summary>
    public int DecoderFfnDim { get; init; } = 1024;

    /// <summary>Feed-forward activation: <c>gelu</c> (exact) or <c>gelu_new</c> (tanh approximation).</summary>
    public string ActivationFunction { get; init; } = "gelu";

    /// <summary>Dropout on embeddings and sub-layer outputs.</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>Dropout on attention probabilities.</summary>
    public float AttentionDropout { get; init; } = 0f;

    /// <summary>Dropout after the feed-forward activation.</summary>
    public float ActivationDropout { get; init; } = 0f;

    /// <summary>Longest source or target sequence; the learned position tables have this many rows plus BART's offset of 2.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Std of the normal weight initialisation (BART: 0.02).</summary>
    public float InitStd { get; init; } = 0.02f;

    /// <summary>LayerNorm epsilon (BART: 1e-5).</summary>
    public float LayerNormEps { get; init; } = 1e-5f;

    /// <summary>Multiply token embeddings by sqrt(d) (BART: false; PEGASUS: true).</summary>
    public bool ScaleEmbedding { get; init; }

    /// <summary>d / heads of the encoder.</summary>
    public int EncoderHeadDim => DModel / EncoderAttentionHeads;

    /// <summary>Checks every field; <paramref name="path"/> is the JSON path used in messages.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names the JSON path and the values.</exception>
    public Seq2SeqConfig Validate(string path = "model")
    {
        if (ModelType != "bart") throw new ArgumentException($"{path}.model_type is '{ModelType}'; expected 'bart'.");
        foreach (var (v, name) in new[] { (VocabSize, "vocab_size"), (DModel, "d_model"), (EncoderLayers, "encoder_layers"),
            (DecoderLayers, "decoder_layers"), (EncoderAttentionHeads, "encoder_attention_heads"), (DecoderAttentionHeads, "decoder_attention_heads"),
            (EncoderFfnDim, "encoder_ffn_dim"), (DecoderFfnDim, "decoder_ffn_dim"), (MaxPositionEmbeddings, "max_position_embeddings") })
            if (v <= 0) throw new ArgumentException($"{path}.{name} ({v}) must be > 0.");
        if (DModel % EncoderAttentionHeads != 0 || DModel % DecoderAttentionHeads != 0)
            throw new ArgumentException($"{path}.d_model ({DModel}) must be divisible by encoder_attention_heads ({EncoderAttentionHeads}) " +
                $"and decoder_attention_heads ({DecoderAttentionHeads}).");
        if (ActivationFunction is not ("gelu" or "gelu_new")) throw new ArgumentException($"{path}.activation_function is " +
            $"'{ActivationFunction}'; expected 'gelu' or 'gelu_new'.");
        foreach (var (p, name) in new[] { (Dropout, "dropout"), (AttentionDropout, "attention_dropout"), (ActivationDropout, "activation_dropout") })
            if (!(p >= 0 && p < 1)) throw new ArgumentException($"{path}.{name} ({p}) must be in [0, 1).");
        if (!(InitStd > 0)) throw new ArgumentException($"{path}.init_std ({InitStd}) must be > 0.");
        if (!(LayerNormEps > 0)) throw new ArgumentException($"{path}.layer_norm_eps ({LayerNormEps}) must be > 0.");
        return this;
    }
}
