using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>Output of a prediction head: its summed loss, accuracy and logits.</summary>
/// <param name="LossSum">Cross-entropy summed over labelled positions (scalar; 0 when none is labelled).</param>
/// <param name="Accuracy">Fraction of labelled positions predicted correctly (scalar).</param>
/// <param name="Logits">Head logits: (M, V) for vocabulary heads, (B, T) for token classification.</param>
/// <param name="Predictions">Predicted class per position (int64): (M) or (B, T).</param>
public sealed record HeadOutput(Value LossSum, Value Accuracy, Value Logits, Value Predictions);

/// <summary>The prediction heads and losses shared by the token-level objectives.</summary>
public static class Heads
{
    /// <summary>
    /// Masked-token prediction over the vocabulary at the selected positions only (BERT §3.1, ELECTRA's generator):
    /// hidden (B, T, H) is flattened to (B·T, H) and gathered at <c>masked_lm_positions</c> (M) (flat b·T + t of every
    /// selected token in the batch) BEFORE the vocabulary projection; transform = dense + GELU + LayerNorm; decoder tied
    /// to the word embeddings (V, E) plus a bias (V). Names: <c>{transform}.dense</c>, <c>{transform}.LayerNorm</c>,
    /// <c>{biasName}</c>. Loss: cross-entropy summed over positions whose label is not -100.
    /// </summary>
    public static HeadOutput MaskedLm(Layers L, EncoderConfig c, Value hidden, Value positions, Value labels,
        Value wordEmbeddings, string transform, string biasName)
    {
        var g = L.G;
        int h = c.HiddenSize, e = c.EffectiveEmbeddingSize, v = c.VocabSize;
        var picked = g.Gather(g.Reshape(hidden, -1, h), positions);                                  // (M, H)
        Value x;
        using (g.Scope(transform))
            x = L.LayerNorm("LayerNorm", L.Activation(c.HiddenAct, L.Linear("dense", picked, h, e)), e, c.LayerNormEps); // (M, E)
        var logits = g.Gemm(x, wordEmbeddings, L.Filled(biasName, 0f, v), transB: true);                // (M, V) = x·Eᵀ + bias
        var loss = g.SoftmaxCrossEntropyLoss(logits, labels, reduction: "sum").Loss;                   // scalar
        var predictions = g.ArgMax(logits, -1);                                                        // (M)
        return new HeadOutput(loss, Accuracy(g, predictions, labels), logits, predictions);
    }

    /// <summary>
    /// <see cref="MaskedLm"/> with the layout of the encoder's checkpoint type: <c>bert</c> -> BertForMaskedLM
    /// (<c>cls.predictions.transform.*</c>, <c>cls.predictions.bias</c>), <c>electra</c> -> ElectraForMaskedLM
    /// (<c>generator_predictions.*</c>, <c>generator_lm_head.bias</c>); the decoder is tied to the word embeddings.
    /// </summary>
    public static HeadOutput MaskedLmForModelType(Layers L, EncoderConfig c, Value hidden, Value positions, Value labels)
    {
        var wordEmbeddings = L.G[$"{c.ModelType}.embeddings.word_embeddings.weight"];                   // (V, E)
        return c.ModelType == "bert"
            ? MaskedLm(L, c, hidden, positions, labels, wordEmbeddings, "cls.predictions.transform", "cls.predictions.bias")
            : MaskedLm(L, c, hidden, positions, labels, wordEmbeddings, "generator_predictions", "generator_lm_head.bias");
    }

    /// <summary>
    /// Per-token binary classification (ELECTRA's discriminator, RTS, C-RTS): dense + GELU + dense_prediction (H -> 1)
    /// gives logits (B, T); loss = binary cross-entropy with logits summed over tokens whose label is not -100, computed as a
    /// two-class softmax cross-entropy over [0, z] (identical to BCE with logit z). Names <c>{scope}.dense</c>,
    /// <c>{scope}.dense_prediction</c> (ElectraDiscriminatorPredictions).
    /// </summary>
    public static HeadOutput TokenBinary(Layers L, EncoderConfig c, Value hidden, Value labels, string scope)
    {
        var g = L.G;
        int h = c.HiddenSize;
        Value z;
        using (g.Scope(scope))
            z = L.Linear("dense_prediction", L.Activation(c.HiddenAct, L.Linear("dense", hidden, h, h)), h, 1); // (B, T, 1)
        var logits = g.Squeeze(z, -1);                                                                  // (B, T)
        var twoClass = g.Concat([g.ZerosLike(z), z], -1);                                               // (B, T, 2)
        var loss = g.SoftmaxCrossEntropyLoss(g.Reshape(twoClass, -1, 2), g.Reshape(labels, -1), reduction: "sum").Loss; // scalar
        var predictions = g.Cast(g.Greater(logits, g.Scalar(0, DataType.Float)), DataType.Int64);     // (B, T)
        return new HeadOutput(loss, Accuracy(g, predictions, labels), logits, predictions);
    }

    /// <summary>
    /// Sequence classification on the first token ([CLS]) of each sequence: hidden (B, T, H) -> logits (B, K).
    /// <c>electra</c>: ElectraClassificationHead — dropout, <c>classifier.dense</c> (H, H), GELU, dropout,
    /// <c>classifier.out_proj</c> (K, H). <c>bert</c>: BertForSequenceClassification — <c>bert.pooler.dense</c> (H, H) +
    /// tanh, dropout, <c>classifier</c> (K, H).
    /// </summary>
    public static Value Classification(Layers L, EncoderConfig c, Value hidden, Value ids, int numLabels, bool training)
    {
        var g = L.G;
        int h = c.HiddenSize;
        var cls = g.Gather(g.Reshape(hidden, -1, h), g.FirstTokenRows(ids));                         // (B, H)
        if (c.ModelType == "bert")
        {
            var pooled = g.Tanh(L.Linear("bert.pooler.dense", cls, h, h));                             // (B, H) pooler_output
            return L.Linear("classifier", L.Dropout(pooled, c.HiddenDropoutProb, training), h, numLabels); // (B, K)
        }
        using var scope = g.Scope("classifier");
        var x = L.Activation(c.HiddenAct, L.Linear("dense", L.Dropout(cls, c.HiddenDropoutProb, training), h, h)); // (B, H)
        return L.Linear("out_proj", L.Dropout(x, c.HiddenDropoutProb, training), h, numLabels);         // (B, K)
    }

    /// <summary>
    /// Pairwise margin ranking loss (PROP, Ma et al. 2021 §3.3): <paramref name="pairScores"/> (B, 2) holds each pair's
    /// (positive, negative) scores; loss = sum over pairs of max(0, margin − s_pos + s_neg) (Relu); accuracy = fraction
    /// of pairs with s_pos &gt; s_neg.
    /// </summary>
    public static (Value LossSum, Value Accuracy) PairwiseMargin(Graph g, Value pairScores, float margin)
    {
        var pos = g.Slice(pairScores, [0], [1], [1]);                                                 // (B, 1)
        var neg = g.Slice(pairScores, [1], [2], [1]);                                                 // (B, 1)
        var hinge = g.Relu(g.Add(g.Sub(neg, pos), g.Scalar(margin, DataType.Float)));                // (B, 1)
        var loss = g.ReduceSum(hinge, [], keepDims: false);                                           // scalar
        var accuracy = g.ReduceMean(g.Cast(g.Greater(pos, neg), DataType.Float), [], keepDims: false);
        return (loss, accuracy);
    }

    /// <summary>Fraction of positions with label != -100 whose prediction equals the label (0 when none).</summary>
    public static Value Accuracy(Graph g, Value predictions, Value labels)
    {
        var valid = g.Not(g.Equal(labels, g.Scalar(-100, DataType.Int64)));
        var correct = g.Cast(g.And(valid, g.Equal(predictions, labels)), DataType.Float);
        var count = g.Max(g.ReduceSum(g.Cast(valid, DataType.Float), [], keepDims: false), g.Scalar(1, DataType.Float));
        return g.Div(g.ReduceSum(correct, [], keepDims: false), count);
    }
}
