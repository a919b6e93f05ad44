namespace OnnxPretrain.Models;

/// <summary>
/// Hyper-parameters of a BERT/ELECTRA encoder, named as Hugging Face's <c>BertConfig</c>/<c>ElectraConfig</c>
/// (<c>hidden_size</c> -> <see cref="HiddenSize"/>, ...). Recipes set them under <c>model</c>.
/// </summary>
public sealed record EncoderConfig
{
    /// <summary>Parameter-name prefix and checkpoint layout: <c>electra</c> (ElectraForPreTraining) or <c>bert</c> (BertForMaskedLM).</summary>
    public string ModelType { get; init; } = "electra";

    /// <summary>Vocabulary size V (30,522 for bert-base-uncased).</summary>
    public int VocabSize { get; init; } = 30522;

    /// <summary>Hidden size H.</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>Embedding size E; when it differs from H an <c>embeddings_project</c> (H, E) follows the embeddings (ELECTRA). Null = H.</summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>Number of Transformer layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Attention heads; must divide <see cref="HiddenSize"/>.</summary>
    public int NumAttentionHeads { get; init; } = 4;

    /// <summary>Feed-forward inner size.</summary>
    public int IntermediateSize { get; init; } = 1024;

    /// <summary>Feed-forward activation: <c>gelu</c> (exact) or <c>gelu_new</c> (tanh approximation).</summary>
    public string HiddenAct { get; init; } = "gelu";

    /// <summary>Dropout on embeddings and sub-layer outputs.</summary>
    public float HiddenDropoutProb { get; init; } = 0.1f;

    /// <summary>Dropout on attention probabilities.</summary>
    public float AttentionProbsDropoutProb { get; init; } = 0.1f;

    /// <summary>Rows of the learned position-embedding table (maximum sequence length).</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Token-type (segment) vocabulary size.</summary>
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>LayerNorm epsilon.</summary>
    public float LayerNormEps { get; init; } = 1e-12f;

    /// <summary>Std of the truncated-normal weight initialisation (BERT: 0.02).</summary>
    public float InitializerRange { get; init; } = 0.02f;

    /// <summary>E, the embedding width actually used.</summary>
    public int EffectiveEmbeddingSize => EmbeddingSize ?? HiddenSize;

    /// <summary>Checks every field; <paramref name="path"/> is the JSON path used in messages (e.g. <c>model</c>).</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names the JSON path and the values.</exception>
    public EncoderConfig Validate(string path = "model")
    {
        if (ModelType is not ("electra" or "bert")) throw new ArgumentException($"{path}.model_type is '{ModelType}'; expected 'electra' or 'bert'.");
        Positive(VocabSize, $"{path}.vocab_size");
        Positive(HiddenSize, $"{path}.hidden_size");
        Positive(EffectiveEmbeddingSize, $"{path}.embedding_size");
        Positive(NumHiddenLayers, $"{path}.num_hidden_layers");
        Positive(NumAttentionHeads, $"{path}.num_attention_heads");
        Positive(IntermediateSize, $"{path}.intermediate_size");
        Positive(MaxPositionEmbeddings, $"{path}.max_position_embeddings");
        Positive(TypeVocabSize, $"{path}.type_vocab_size");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentException($"{path}.hidden_size ({HiddenSize}) must be divisible by {path}.num_attention_heads ({NumAttentionHeads}).");
        if (HiddenAct is not ("gelu" or "gelu_new")) throw new ArgumentException($"{path}.hidden_act is '{HiddenAct}'; expected 'gelu' or 'gelu_new'.");
        Probability(HiddenDropoutProb, $"{path}.hidden_dropout_prob");
        Probability(AttentionProbsDropoutProb, $"{path}.attention_probs_dropout_prob");
        if (!(LayerNormEps > 0)) throw new ArgumentException($"{path}.layer_norm_eps ({LayerNormEps}) must be > 0.");
        if (!(InitializerRange > 0)) throw new ArgumentException($"{path}.initializer_range ({InitializerRange}) must be > 0.");
        return this;
    }

    private static void Positive(int value, string path)
    {
        if (value <= 0) throw new ArgumentException($"{path} ({value}) must be > 0.");
    }

    private static void Probability(float value, string path)
    {
        if (!(value >= 0 && value < 1)) throw new ArgumentException($"{path} ({value}) must be in [0, 1).");
    }
}
