using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models;

/// <summary>
/// BART-family encoder-decoder Transformer (Lewis et al. 2020; Vaswani et al. 2017 §3), read top to bottom like
/// nanoGPT's model.py. Shape letters: B batch, S source length, L target length, P cached (past) target length,
/// d model width, N heads, D = d/N head size, F feed-forward size, V vocabulary. Post-LN layers as in BART.
/// Tokens are rows of (B·S, d) / (B·L, d) matrices, so every Linear is one 2-D GEMM; attention reshapes to (B, N, ·, D).
/// Hugging Face <c>BartForConditionalGeneration</c> names: <c>model.shared.weight</c> (V, d) (token embeddings of both
/// stacks and the tied LM head), <c>model.{encoder,decoder}.embed_positions.weight</c> (max_position_embeddings + 2, d),
/// <c>model.{encoder,decoder}.layernorm_embedding</c>, <c>model.encoder.layers.{i}.self_attn.{q,k,v,out}_proj</c>,
/// <c>self_attn_layer_norm</c>, <c>fc1</c>, <c>fc2</c>, <c>final_layer_norm</c>; decoder layers add
/// <c>encoder_attn.{q,k,v,out}_proj</c> and <c>encoder_attn_layer_norm</c>.
/// </summary>
public static class Seq2Seq
{
    /// <summary>Name of the shared token-embedding table (V, d).</summary>
    public const string SharedWeight = "model.shared.weight";

    /// <summary>BART's learned positions start at row 2 (fairseq's padding offset).</summary>
    public const int PositionOffset = 2;

    /// <summary>Additive attention bias for masked keys (as <see cref="Encoder.MaskBias"/>).</summary>
    public const float MaskedBias = -10000f;

    /// <summary>
    /// Token embeddings (x sqrt(d) when <c>scale_embedding</c>) + learned positions from <paramref name="pastLength"/>
    /// on, <c>layernorm_embedding</c>, dropout, under <c>model.{stack}</c>: ids (B, T) -> rows (B·T, d).
    /// </summary>
    /// <param name="L">Layer factory of the graph.</param>
    /// <param name="c">Model hyper-parameters.</param>
    /// <param name="stack"><c>encoder</c> or <c>decoder</c>.</param>
    /// <param name="ids">Token ids (B, T) int64.</param>
    /// <param name="pastLength">Scalar int64 count of earlier target tokens (KV-cache decoding), or null for 0.</param>
    /// <param name="training">Whether dropout is on.</param>
    public static Value Embed(Layers L, Seq2SeqConfig c, string stack, Value ids, Value? pastLength, bool training)
    {
        var g = L.G;
        int d = c.DModel;
        var shared = L.Weight(SharedWeight, c.VocabSize, d);                                              // (V, d)
        using var scope = g.Scope($"model.{stack}");
        var tokens = g.Gather(shared, g.Reshape(ids, -1));                                                 // (B*T, d)
        if (c.ScaleEmbedding) tokens = g.Mul(tokens, g.Scalar(Math.Sqrt(d), DataType.Float));
        var table = L.Weight("embed_positions.weight", c.MaxPositionEmbeddings + PositionOffset, d);       // (Pmax+2, d)
        var positions = g.Add(g.PositionIds(ids, 1), g.Scalar(PositionOffset, DataType.Int64));          // (T)
        if (pastLength is not null) positions = g.Add(positions, pastLength);
        var pos = g.Gather(table, positions);                                                              // (T, d)
        var x = g.Add(g.Reshape(tokens, g.Concat([g.ShapeOf(ids), g.Int64s(d)], 0), new Shape(ids.Shape[0], ids.Shape[1], d)), pos); // (B, T, d)
        x = L.LayerNorm("layernorm_embedding", g.Reshape(x, -1, d), d, c.LayerNormEps);                  // (B*T, d)
        return L.Dropout(x, c.Dropout, training);
    }

    /// <summary>The run-time target [-1, T, N, D] that splits the rows of sequences shaped like <paramref name="ids"/> (B, T) into heads.</summary>
    public static Encoder.HeadLayout HeadsOf(Graph g, Value ids, int heads, int headDim) =>
        new(g.Concat([g.Int64s(-1), g.Slice(g.ShapeOf(ids), [1], [2], [0]), g.Int64s(heads, headDim)], 0),
            new Shape(ids.Shape[0], ids.Shape[1], heads, headDim));

    /// <summary>Projects rows (B·T, d) with <c>{name}</c> (d, d) and splits heads: -> (B, N, T, D).</summary>
    public static Value ProjectHeads(Layers L, string name, Value rows, int d, Encoder.HeadLayout layout) =>
        L.G.Transpose(L.G.Reshape(L.Linear(name, rows, d, d), layout.Target, layout.Shape), 0, 2, 1, 3);

    /// <summary>
    /// Scaled dot-product attention of q (B, N, Tq, D) over k, v (B, N, Tk, D) with an additive bias broadcastable to
    /// (B, N, Tq, Tk), dropout on the probabilities, heads merged: -> rows (B·Tq, N·D).
    /// </summary>
    public static Value Attend(Layers L, Value q, Value k, Value v, Value bias, float dropout, bool training)
    {
        var g = L.G;
        long n = q.Shape[1].Value, headDim = q.Shape[3].Value;
        var scores = g.Mul(g.MatMul(q, g.Transpose(k, 0, 1, 3, 2)), g.Scalar(1 / Math.Sqrt(headDim), DataType.Float)); // (B, N, Tq, Tk)
        var probs = L.Dropout(g.Softmax(g.Add(scores, bias), -1), dropout, training);                    // (B, N, Tq, Tk)
        var context = g.Transpose(g.MatMul(probs, v), 0, 2, 1, 3);                                          // (B, Tq, N, D)
        return g.Reshape(context, -1, n * headDim);                                                         // (B*Tq, d)
    }

    /// <summary>
    /// The causal bias of decoder self-attention: query i (at absolute position P + i) may see keys j &lt;= P + i.
    /// queryIds (B, L) gives L; <paramref name="pastLength"/> (scalar int64, null = 0) gives P. -> (1, 1, L, P + L) of 0 / -10000.
    /// </summary>
    public static Value CausalBias(Graph g, Value queryIds, Value? pastLength)
    {
        var query = g.PositionIds(queryIds, 1);                                                            // (L)
        Value keys = query;                                                                                 // (P+L)
        if (pastLength is not null)
        {
            query = g.Add(query, pastLength);
            keys = g.Range(g.Scalar(0, DataType.Int64), g.Add(pastLength, g.DimOf(queryIds, 1)), g.Scalar(1, DataType.Int64), Dim.Unknown);
        }
        var future = g.Greater(g.Unsqueeze(keys, 0), g.Unsqueeze(query, 1));                              // (L, P+L) bool
        var bias = g.Where(future, g.Scalar(MaskedBias, DataType.Float), g.Scalar(0, DataType.Float));     // (L, P+L)
        return g.Unsqueeze(bias, 0, 1);                                                                     // (1, 1, L, P+L)
    }

    /// <summary>The encoder: input_ids, attention_mask (B, S) -> encoder rows (B·S, d) (its last_hidden_state flattened).</summary>
    public static Value EncoderStack(Layers L, Seq2SeqConfig c, Value ids, Value attentionMask, bool training)
    {
        var g = L.G;
        var x = Embed(L, c, "encoder", ids, null, training);                                               // (B*S, d)
        var layout = HeadsOf(g, ids, c.EncoderAttentionHeads, c.EncoderHeadDim);
        var bias = Encoder.MaskBias(g, attentionMask);                                                     // (B, 1, 1, S)
        for (int i = 0; i < c.EncoderLayers; i++)
        {
            using var scope = g.Scope($"model.encoder.layers.{i}");
            var attended = SelfAttention(L, c, x, layout, bias, training);
            x = L.LayerNorm("self_attn_layer_norm", g.Add(x, attended), c.DModel, c.LayerNormEps);
            x = FeedForward(L, c, x, c.EncoderFfnDim, training);
        }
        return x;
    }

    /// <summary>
    /// The decoder with teacher forcing: decoder_input_ids (B, L) over encoder rows (B·S, d) with the source's
    /// attention_mask (B, S) -> decoder rows (B·L, d).
    /// </summary>
    public static Value DecoderStack(Layers L, Seq2SeqConfig c, Value decoderIds, Value encoderRows, Value sourceIds, Value attentionMask, bool training)
    {
        var g = L.G;
        int heads = c.DecoderAttentionHeads, headDim = c.DModel / heads;
        var x = Embed(L, c, "decoder", decoderIds, null, training);                                        // (B*L, d)
        var layout = HeadsOf(g, decoderIds, heads, headDim);
        var sourceLayout = HeadsOf(g, sourceIds, heads, headDim);
        var causal = CausalBias(g, decoderIds, null);                                                       // (1, 1, L, L)
        var sourceBias = Encoder.MaskBias(g, attentionMask);                                               // (B, 1, 1, S)
        for (int i = 0; i < c.DecoderLayers; i++)
        {
            using var scope = g.Scope($"model.decoder.layers.{i}");
            var attended = SelfAttention(L, c, x, layout, causal, training);
            x = L.LayerNorm("self_attn_layer_norm", g.Add(x, attended), c.DModel, c.LayerNormEps);
            Value k, v;
            using (g.Scope("encoder_attn"))
                (k, v) = (ProjectHeads(L, "k_proj", encoderRows, c.DModel, sourceLayout), ProjectHeads(L, "v_proj", encoderRows, c.DModel, sourceLayout));
            x = CrossAttentionBlock(L, c, x, layout, k, v, sourceBias, training);
            x = FeedForward(L, c, x, c.DecoderFfnDim, training);
        }
        return x;
    }

    /// <summary>
    /// Cross-attention sub-layer on precomputed source keys/values k, v (B, N, S, D) (under the layer's scope, so the
    /// KV-cache export can compute them once): rows (B·L, d) -> <c>encoder_attn_layer_norm</c>(x + attention).
    /// </summary>
    public static Value CrossAttentionBlock(Layers L, Seq2SeqConfig c, Value x, Encoder.HeadLayout layout, Value k, Value v, Value sourceBias, bool training)
    {
        var g = L.G;
        Value attended;
        using (g.Scope("encoder_attn"))
        {
            var q = ProjectHeads(L, "q_proj", x, c.DModel, layout);                                          // (B, N, L, D)
            attended = L.Dropout(L.Linear("out_proj", Attend(L, q, k, v, sourceBias, c.AttentionDropout, training), c.DModel, c.DModel), c.Dropout, training);
        }
        return L.LayerNorm("encoder_attn_layer_norm", g.Add(x, attended), c.DModel, c.LayerNormEps);      // (B*L, d)
    }

    /// <summary>Self-attention sub-layer without the residual: rows (B·T, d) -> projected, dropped-out context (B·T, d).</summary>
    public static Value SelfAttention(Layers L, Seq2SeqConfig c, Value x, Encoder.HeadLayout layout, Value bias, bool training)
    {
        using var scope = L.G.Scope("self_attn");
        var (q, k, v) = (ProjectHeads(L, "q_proj", x, c.DModel, layout), ProjectHeads(L, "k_proj", x, c.DModel, layout),
            ProjectHeads(L, "v_proj", x, c.DModel, layout));
        var context = Attend(L, q, k, v, bias, c.AttentionDropout, training);                             // (B*T, d)
        return L.Dropout(L.Linear("out_proj", context, c.DModel, c.DModel), c.Dropout, training);
    }

    /// <summary>Feed-forward sub-layer with residual and <c>final_layer_norm</c>: rows (B·T, d) -> (B·T, d).</summary>
    public static Value FeedForward(Layers L, Seq2SeqConfig c, Value x, int ffn, bool training)
    {
        var g = L.G;
        var inner = L.Dropout(L.Activation(c.ActivationFunction, L.Linear("fc1", x, c.DModel, ffn)), c.ActivationDropout, training); // (B*T, F)
        var output = L.Dropout(L.Linear("fc2", inner, ffn, c.DModel), c.Dropout, training);                 // (B*T, d)
        return L.LayerNorm("final_layer_norm", g.Add(x, output), c.DModel, c.LayerNormEps);
    }

    /// <summary>The LM head tied to <c>model.shared.weight</c>: rows (R, d) -> logits (R, V).</summary>
    public static Value LmLogits(Graph g, Value rows) => g.MatMul(rows, g.Transpose(g[SharedWeight], 1, 0));
}
