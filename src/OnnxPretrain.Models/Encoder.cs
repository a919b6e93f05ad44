using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models;

/// <summary>
/// BERT/ELECTRA Transformer encoder (Devlin et al. 2019; Clark et al. 2020), read top to bottom like nanoGPT's
/// model.py. Shape letters: B batch, T sequence, E embedding size, H hidden size, N heads, D = H/N head size,
/// I intermediate size, V vocabulary. Post-LN layers: x = LN(x + Attn(x)); x = LN(x + FFN(x)).
/// Parameters carry Hugging Face's names under <c>{prefix}</c> (<c>electra</c> or <c>bert</c>):
/// <c>{prefix}.embeddings.word_embeddings.weight</c> (V, E), <c>{prefix}.encoder.layer.{i}.attention.self.query.weight</c> (H, H), ...
/// </summary>
public static class Encoder
{
    /// <summary>
    /// Word + learned position + token-type embeddings, LayerNorm and dropout: ids (B, T) -> (B, T, E),
    /// under <c>{prefix}.embeddings</c>. Calling it twice with the same prefix shares the weights.
    /// </summary>
    public static Value Embeddings(Layers L, EncoderConfig c, string prefix, Value inputIds, Value tokenTypeIds, bool training)
    {
        var g = L.G;
        int e = c.EffectiveEmbeddingSize;
        using var scope = g.Scope($"{prefix}.embeddings");
        var words = g.Gather(L.Weight("word_embeddings.weight", c.VocabSize, e), inputIds);               // (B, T, E)
        var positionIds = g.Unsqueeze(g.PositionIds(inputIds, 1), 0);                                      // (1, T)
        var positions = g.Gather(L.Weight("position_embeddings.weight", c.MaxPositionEmbeddings, e), positionIds); // (1, T, E)
        var types = g.Gather(L.Weight("token_type_embeddings.weight", c.TypeVocabSize, e), tokenTypeIds);  // (B, T, E)
        var x = L.LayerNorm("LayerNorm", g.Add(g.Add(words, positions), types), e, c.LayerNormEps);       // (B, T, E)
        return L.Dropout(x, c.HiddenDropoutProb, training);
    }

    /// <summary>
    /// The attention-mask bias: attention_mask (B, T) of 1 (attend) / 0 (padding) -> (B, 1, 1, T) of 0 / -10000,
    /// added to the attention scores.
    /// </summary>
    public static Value MaskBias(Graph g, Value attentionMask)
    {
        var keep = g.Cast(attentionMask, DataType.Float);                                                  // (B, T)
        var bias = g.Mul(g.Sub(g.Scalar(1, DataType.Float), keep), g.Scalar(-10000, DataType.Float));     // (B, T)
        return g.Unsqueeze(bias, 1, 2);                                                                    // (B, 1, 1, T)
    }

    /// <summary>
    /// Embedding projection (when E != H) and the N Transformer layers: (B, T, E) -> last_hidden_state (B, T, H),
    /// under <c>{prefix}.embeddings_project</c> and <c>{prefix}.encoder.layer.{i}</c>. Inside, tokens are rows of a
    /// (B·T, ·) matrix, so every Linear is one 2-D GEMM whose bias ONNX Runtime fuses into it; attention reshapes to
    /// (B, N, T, D) with the run-time sequence length.
    /// </summary>
    public static Value Layers(Layers L, EncoderConfig c, string prefix, Value embeddings, Value maskBias, bool training)
    {
        var g = L.G;
        int e = c.EffectiveEmbeddingSize, h = c.HiddenSize, n = c.NumAttentionHeads;
        var shape = g.ShapeOf(embeddings);                                                             // [B, T, E]
        var heads = new HeadLayout(g.Concat([g.Int64s(-1), g.Slice(shape, [1], [2], [0]), g.Int64s(n, h / n)], 0),
            new Shape(embeddings.Shape[0], embeddings.Shape[1], n, h / n));                            // [-1, T, N, D]
        var x = g.Reshape(embeddings, -1, e);                                                          // (B*T, E)
        if (e != h) x = L.Linear($"{prefix}.embeddings_project", x, e, h);                             // (B*T, H)
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            using var scope = g.Scope($"{prefix}.encoder.layer.{i}");
            x = Layer(L, c, x, maskBias, heads, training);
        }
        var outShape = g.Concat([g.Slice(shape, [0], [2], [0]), g.Int64s(h)], 0);                    // [B, T, H]
        return g.Reshape(x, outShape, new Shape(embeddings.Shape[0], embeddings.Shape[1], h));          // (B, T, H)
    }

    /// <summary>The run-time target shape [-1, T, N, D] that splits (B·T, H) rows into heads, and its static form.</summary>
    /// <param name="Target">1-D int64 shape tensor.</param>
    /// <param name="Shape">(batch, sequence, N, D).</param>
    public sealed record HeadLayout(Value Target, Shape Shape);

    /// <summary>One post-LN Transformer layer on token rows: (B·T, H) -> (B·T, H).</summary>
    public static Value Layer(Layers L, EncoderConfig c, Value x, Value maskBias, HeadLayout heads, bool training)
    {
        var g = L.G;
        int h = c.HiddenSize;
        Value attn;
        using (g.Scope("attention"))
        {
            var context = SelfAttention(L, c, x, maskBias, heads, training);                           // (B*T, H)
            var projected = L.Dropout(L.Linear("output.dense", context, h, h), c.HiddenDropoutProb, training);
            attn = L.LayerNorm("output.LayerNorm", g.Add(projected, x), h, c.LayerNormEps);             // (B*T, H)
        }
        var inner = L.Activation(c.HiddenAct, L.Linear("intermediate.dense", attn, h, c.IntermediateSize)); // (B*T, I)
        var output = L.Dropout(L.Linear("output.dense", inner, c.IntermediateSize, h), c.HiddenDropoutProb, training);
        return L.LayerNorm("output.LayerNorm", g.Add(output, attn), h, c.LayerNormEps);                // (B*T, H)
    }

    /// <summary>Multi-head scaled dot-product self-attention (Vaswani et al. 2017 §3.2): (B·T, H) -> (B·T, H).</summary>
    public static Value SelfAttention(Layers L, EncoderConfig c, Value x, Value maskBias, HeadLayout heads, bool training)
    {
        var g = L.G;
        int h = c.HiddenSize, n = c.NumAttentionHeads, d = h / n;
        using var scope = g.Scope("self");
        Value Heads(string name) => g.Transpose(g.Reshape(L.Linear(name, x, h, h), heads.Target, heads.Shape), 0, 2, 1, 3); // (B, N, T, D)
        Value q = Heads("query"), k = Heads("key"), v = Heads("value");
        var scores = g.Mul(g.MatMul(q, g.Transpose(k, 0, 1, 3, 2)), g.Scalar(1 / Math.Sqrt(d), DataType.Float)); // (B, N, T, T)
        var probs = L.Dropout(g.Softmax(g.Add(scores, maskBias), -1), c.AttentionProbsDropoutProb, training); // (B, N, T, T)
        var context = g.Transpose(g.MatMul(probs, v), 0, 2, 1, 3);                                          // (B, T, N, D)
        return g.Reshape(context, -1, h);                                                                    // (B*T, H)
    }
}
