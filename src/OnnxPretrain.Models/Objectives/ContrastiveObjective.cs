using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// Contrastive bi-encoder pre-training with in-batch negatives (Neelakantan et al. 2022, "Text and Code Embeddings by
/// Contrastive Pre-Training", §2). The batch holds B positive pairs as 2B rows (rows 0 … B − 1 side A, rows B … 2B − 1
/// side B, built by ContrastivePairBatcher in OnnxPretrain.Data) and <c>contrastive_labels</c> (B) int64 = 0 … B − 1.
/// One shared encoder (no extra parameters, so the checkpoint exports as a plain <c>feature-extraction</c> encoder) runs
/// once on all 2B rows; embeddings are pooled (<see cref="ContrastiveConfig.Pooling"/>: <c>mean</c> over attention_mask,
/// default, or <c>cls</c>) and L2-normalised; logits (B, B) = A·Bᵀ / τ (cosine similarities over the temperature
/// <see cref="ContrastiveConfig.Temperature"/>, 0.05); the loss is the InfoNCE cross-entropy with label b for row b,
/// averaged with the B→A direction when <see cref="ContrastiveConfig.SymmetricLoss"/> (default). Metric
/// <c>contrastive_accuracy</c>: rows whose own pair has the largest A→B logit.
/// </summary>
public sealed class ContrastiveObjective : PretrainingObjective
{
    /// <summary>ε added to the squared norm before the square root (L2 normalisation).</summary>
    public const float NormEpsilon = 1e-12f;

    /// <summary>Creates the objective.</summary>
    public ContrastiveObjective(EncoderConfig encoder, ContrastiveConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed) { }

    /// <summary>The objective's settings.</summary>
    public ContrastiveConfig Settings => (ContrastiveConfig)Objective;

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);                                          // (2B, T)
        var labels = g.Input(ContrastiveInputNames.Labels, DataType.Int64, new Shape("pairs"));                          // (B)
        var L = NewLayers(g);
        var hidden = Encode(L, Encoder, Encoder.ModelType, ids, mask, types, training);           // (2B, T, H)
        var pooled = Settings.Pooling == "cls" ? g.Gather(g.Reshape(hidden, -1, Encoder.HiddenSize), g.FirstTokenRows(ids))
            : MeanPool(g, hidden, mask);                                                           // (2B, H)
        var (logits, loss) = InfoNce(g, Normalize(g, pooled), Encoder.HiddenSize, labels, Settings.Temperature, Settings.SymmetricLoss);
        var accuracy = Heads.Accuracy(g, g.ArgMax(logits, -1), labels);
        return new ForwardOutputs([new("contrastive", loss, LossTargets.Labels(ContrastiveInputNames.Labels))], [new("contrastive_accuracy", accuracy)],
            [new("last_hidden_state", hidden), new("embeddings", pooled), new("contrastive_logits", logits)]);
    }

    /// <summary>Mean of hidden (N, T, H) over the positions where mask (N, T) is 1 -> (N, H).</summary>
    public static Value MeanPool(Graph g, Value hidden, Value mask)
    {
        var m = g.Unsqueeze(g.Cast(mask, DataType.Float), -1);                                     // (N, T, 1)
        var sum = g.ReduceSum(g.Mul(hidden, m), [1], keepDims: false);                             // (N, H)
        var count = g.Max(g.ReduceSum(m, [1], keepDims: false), g.Scalar(1, DataType.Float));      // (N, 1)
        return g.Div(sum, count);
    }

    /// <summary>x (N, H) / sqrt(Σ x² + ε) per row -> (N, H).</summary>
    public static Value Normalize(Graph g, Value x)
    {
        var norm = g.Sqrt(g.Add(g.ReduceSum(g.Mul(x, x), [-1], keepDims: true), g.Scalar(NormEpsilon, DataType.Float))); // (N, 1)
        return g.Div(x, norm);
    }

    /// <summary>
    /// InfoNCE over the two halves of <paramref name="embeddings"/> (2B, H) (H = <paramref name="hiddenSize"/>): logits (B, B) = A·Bᵀ / τ, loss = cross-entropy
    /// with <paramref name="labels"/> (B) summed over rows (the mean of both directions when symmetric).
    /// </summary>
    public static (Value Logits, Value Loss) InfoNce(Graph g, Value embeddings, int hiddenSize, Value labels, float temperature, bool symmetric)
    {
        var halves = g.Reshape(embeddings, g.Int64s(2, -1, hiddenSize), new Shape(2, labels.Shape[0], hiddenSize)); // (2, B, H)
        var a = g.Squeeze(g.Slice(halves, [0], [1], [0]), 0);                                      // (B, H)
        var b = g.Squeeze(g.Slice(halves, [1], [2], [0]), 0);                                      // (B, H)
        var logits = g.Div(g.MatMul(a, g.Transpose(b, 1, 0)), g.Scalar(temperature, DataType.Float)); // (B, B)
        var loss = g.SoftmaxCrossEntropyLoss(logits, labels, reduction: "sum").Loss;
        if (symmetric)
            loss = g.Mul(g.Add(loss, g.SoftmaxCrossEntropyLoss(g.Transpose(logits, 1, 0), labels, reduction: "sum").Loss), g.Scalar(0.5, DataType.Float));
        return (logits, loss);
    }
}
