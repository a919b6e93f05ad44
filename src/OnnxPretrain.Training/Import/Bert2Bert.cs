using OnnxPretrain.Models;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Training.Import;

/// <summary>
/// Warm start of our BART-family encoder-decoder from a BERT encoder checkpoint (BERT2BERT: Rothe, Narayan and Severyn
/// 2020, "Leveraging Pre-trained Checkpoints for Sequence Generation Tasks"). Both are post-LN Transformers, so the map
/// is name for name, shapes unchanged:
/// <list type="bullet">
/// <item><c>model.shared.weight</c> (tokens of both stacks and the tied LM head) from <c>bert.embeddings.word_embeddings</c>;</item>
/// <item>each stack's <c>embed_positions</c> row 2 + i (BART's offset) = BERT position i + token type 0, so a
/// single-segment input sees exactly what BERT saw (rows 0 and 1 are never read: 0); <c>layernorm_embedding</c> from
/// <c>bert.embeddings.LayerNorm</c>;</item>
/// <item>layer i of the encoder and of the decoder from BERT layer i: <c>self_attn.{q,k,v}_proj</c> from
/// <c>attention.self.{query,key,value}</c>, <c>out_proj</c> from <c>attention.output.dense</c>,
/// <c>self_attn_layer_norm</c> from <c>attention.output.LayerNorm</c>, <c>fc1</c>/<c>fc2</c> from
/// <c>intermediate.dense</c>/<c>output.dense</c>, <c>final_layer_norm</c> from <c>output.LayerNorm</c>;</item>
/// <item>the decoder's cross-attention (<c>encoder_attn.*</c>, <c>encoder_attn_layer_norm</c>) has no counterpart in BERT:
/// with <c>training.warm_start_cross_attention</c> <c>"random"</c> (the default, as Rothe et al.) it keeps the recipe's fresh
/// initialisation (weights N(0, init_std²) truncated at 2σ, biases 0, LayerNorm 1 and 0); with <c>"self_attention"</c> it
/// starts as a copy of the same BERT layer's self-attention (query, key, value, output and its LayerNorm), so it attends
/// over the source from the first step.</item>
/// </list>
/// BERT's pooler and MLM head are not used. The recipe must describe the same network: d_model, heads, FFN size,
/// activation and <c>layer_norm_eps</c> equal to BERT's, <c>scale_embedding</c> off, at most as many layers per stack as
/// BERT has (<see cref="CheckConfig"/>).
/// </summary>
public static class Bert2Bert
{
    private const string Prefix = "bert.";

    /// <summary><c>training.warm_start_cross_attention</c>: fresh weights (the default, as Rothe et al.).</summary>
    public const string RandomCrossAttention = "random";

    /// <summary><c>training.warm_start_cross_attention</c>: copies of the same BERT layer's self-attention.</summary>
    public const string SelfCrossAttention = "self_attention";

    /// <summary>The values of <c>training.warm_start_cross_attention</c>.</summary>
    public static readonly IReadOnlyList<string> CrossAttentionInits = [RandomCrossAttention, SelfCrossAttention];

    /// <summary>True when <paramref name="tensors"/> is a BERT encoder checkpoint (our names).</summary>
    public static bool IsBertEncoder(IReadOnlyDictionary<string, TensorData> tensors) =>
        tensors.ContainsKey("bert.embeddings.word_embeddings.weight") && tensors.ContainsKey("bert.embeddings.position_embeddings.weight");

    /// <summary>
    /// BERT's tensors under the encoder-decoder's names, for every target parameter that has a counterpart; the caller
    /// loads those whose shapes fit and keeps the rest fresh (the cross-attention, unless <paramref name="crossAttention"/> is
    /// <see cref="SelfCrossAttention"/>).
    /// </summary>
    /// <param name="bert">The encoder checkpoint (<c>bert.*</c> names).</param>
    /// <param name="target">The encoder-decoder's parameters (names and shapes).</param>
    /// <param name="crossAttention">One of <see cref="CrossAttentionInits"/>.</param>
    /// <exception cref="InvalidDataException">A BERT tensor the map needs is missing (names it).</exception>
    /// <exception cref="ArgumentException"><paramref name="crossAttention"/> is not one of <see cref="CrossAttentionInits"/>.</exception>
    public static Dictionary<string, TensorData> Map(IReadOnlyDictionary<string, TensorData> bert, IReadOnlyDictionary<string, TensorData> target,
        string crossAttention)
    {
        if (!CrossAttentionInits.Contains(crossAttention))
            throw new ArgumentException($"The cross-attention init is '{crossAttention}'; expected {string.Join(" or ", CrossAttentionInits)}.");
        TensorData Get(string name) => bert.TryGetValue(Prefix + name, out var t) ? t
            : throw new InvalidDataException($"The BERT checkpoint has no '{Prefix}{name}', which the warm start of the encoder-decoder needs.");
        var mapped = new Dictionary<string, TensorData> { [Seq2Seq.SharedWeight] = Get("embeddings.word_embeddings.weight") };
        foreach (var stack in new[] { "encoder", "decoder" })
        {
            var table = $"model.{stack}.embed_positions.weight";
            if (target.TryGetValue(table, out var shape)) mapped[table] = Positions(Get("embeddings.position_embeddings.weight"),
                Get("embeddings.token_type_embeddings.weight"), shape.Shape);
            foreach (var p in new[] { "weight", "bias" }) mapped[$"model.{stack}.layernorm_embedding.{p}"] = Get($"embeddings.LayerNorm.{p}");
            for (int i = 0; target.ContainsKey($"model.{stack}.layers.{i}.fc1.weight"); i++)
                foreach (var (ours, theirs) in stack == "decoder" && crossAttention == SelfCrossAttention ? LayerNames.Concat(CrossFromSelf) : LayerNames)
                    foreach (var p in new[] { "weight", "bias" }) mapped[$"model.{stack}.layers.{i}.{ours}.{p}"] = Get($"encoder.layer.{i}.{theirs}.{p}");
        }
        return mapped;
    }

    private static readonly (string Ours, string Theirs)[] LayerNames =
    [
        ("self_attn.q_proj", "attention.self.query"), ("self_attn.k_proj", "attention.self.key"), ("self_attn.v_proj", "attention.self.value"),
        ("self_attn.out_proj", "attention.output.dense"), ("self_attn_layer_norm", "attention.output.LayerNorm"),
        ("fc1", "intermediate.dense"), ("fc2", "output.dense"), ("final_layer_norm", "output.LayerNorm"),
    ];

    /// <summary>The decoder's cross-attention as a copy of the layer's self-attention (<c>"self_attention"</c>).</summary>
    private static readonly (string Ours, string Theirs)[] CrossFromSelf =
    [
        ("encoder_attn.q_proj", "attention.self.query"), ("encoder_attn.k_proj", "attention.self.key"), ("encoder_attn.v_proj", "attention.self.value"),
        ("encoder_attn.out_proj", "attention.output.dense"), ("encoder_attn_layer_norm", "attention.output.LayerNorm"),
    ];

    /// <summary>The (P + 2, d) table: row 2 + i = BERT position i + token type 0 for i &lt; min(P, BERT's rows); other rows 0.</summary>
    private static TensorData Positions(TensorData positions, TensorData tokenTypes, long[] shape)
    {
        int d = (int)positions.Shape[1];
        if (shape.Length != 2 || shape[1] != d)
            throw new InvalidDataException($"The encoder-decoder's position table is ({string.Join(", ", shape)}); the BERT checkpoint's width is {d}.");
        var (p, t) = (positions.AsFloats(), tokenTypes.AsFloats());
        var table = new float[shape[0] * d];
        long rows = Math.Min(shape[0] - Seq2Seq.PositionOffset, positions.Shape[0]);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < d; j++) table[(i + Seq2Seq.PositionOffset) * d + j] = p[i * d + j] + t[j];
        return TensorData.Create(table, shape);
    }

    /// <summary>
    /// Checks that the seq2seq recipe describes BERT's network (from the checkpoint's <c>config.json</c>): the differences
    /// are listed in one error, each with the recipe key and both values.
    /// </summary>
    /// <exception cref="InvalidDataException">A value differs.</exception>
    public static void CheckConfig(EncoderConfig bert, Seq2SeqConfig c, string source)
    {
        var differences = new (string Key, object Recipe, object Bert)[]
        {
            ("d_model", c.DModel, bert.HiddenSize), ("encoder_attention_heads", c.EncoderAttentionHeads, bert.NumAttentionHeads),
            ("decoder_attention_heads", c.DecoderAttentionHeads, bert.NumAttentionHeads), ("encoder_ffn_dim", c.EncoderFfnDim, bert.IntermediateSize),
            ("decoder_ffn_dim", c.DecoderFfnDim, bert.IntermediateSize), ("activation_function", c.ActivationFunction, bert.HiddenAct),
            ("layer_norm_eps", c.LayerNormEps, bert.LayerNormEps), ("vocab_size", c.VocabSize, bert.VocabSize), ("scale_embedding", c.ScaleEmbedding, false),
        }.Where(d => !d.Recipe.Equals(d.Bert)).Select(d => $"model.{d.Key} is {d.Recipe} in the recipe but {d.Bert} in the BERT checkpoint").ToList();
        if (c.EncoderLayers > bert.NumHiddenLayers) differences.Add($"model.encoder_layers is {c.EncoderLayers}, more than BERT's {bert.NumHiddenLayers}");
        if (c.MaxPositionEmbeddings > bert.MaxPositionEmbeddings)
            differences.Add($"model.max_position_embeddings is {c.MaxPositionEmbeddings}, more than BERT's {bert.MaxPositionEmbeddings}");
        if (c.DecoderLayers > bert.NumHiddenLayers) differences.Add($"model.decoder_layers is {c.DecoderLayers}, more than BERT's {bert.NumHiddenLayers}");
        if (differences.Count > 0)
            throw new InvalidDataException($"training.init_from '{source}' is a BERT encoder, and a BERT2BERT warm start needs the recipe to describe " +
                $"its network: {string.Join("; ", differences)}.");
    }
}
