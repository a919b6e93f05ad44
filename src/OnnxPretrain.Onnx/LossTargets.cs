namespace OnnxPretrain.Onnx;

/// <summary>How the targets of a loss term are counted on one batch input.</summary>
public enum TargetCounting
{
    /// <summary>Entries other than the ignore index (-100): <c>masked_lm_labels</c>, token labels, target tokens.</summary>
    NotIgnored,

    /// <summary>Entries equal to 1: real tokens of an <c>attention_mask</c> (ELECTRA's discriminator).</summary>
    Ones,

    /// <summary>Rows (leading dim) divided by <see cref="LossTargets.RowsPerTarget"/>: pairs of a ranking loss.</summary>
    Rows,
}

/// <summary>
/// The number of loss targets of one loss term in a batch, counted on one batch input by the same rule in the graph
/// (eval loss = sum / max(count, 1)) and on the host (the trainer's token-weighted accumulation: every micro-batch's
/// summed loss is scaled by 1 / the targets of the whole accumulation window, as Hugging Face's Trainer and torchtune
/// do since 2024), so the two can never disagree.
/// </summary>
/// <param name="Input">Batch input the targets are counted on.</param>
/// <param name="Kind">Counting rule.</param>
/// <param name="RowsPerTarget">For <see cref="TargetCounting.Rows"/>: rows that make one target (2 for (positive, negative) pairs).</param>
public sealed record LossTargets(string Input, TargetCounting Kind, int RowsPerTarget = 1)
{
    /// <summary>Label value that marks "no target here" (PyTorch's and ONNX's default ignore_index).</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Targets = labels of <paramref name="input"/> other than -100.</summary>
    public static LossTargets Labels(string input) => new(input, TargetCounting.NotIgnored);

    /// <summary>The count as a float scalar in the graph, from the batch input <paramref name="input"/>.</summary>
    public Value Count(Graph g, Value input) => Kind switch
    {
        TargetCounting.NotIgnored => Sum(g, g.Not(g.Equal(input, g.Scalar(IgnoreIndex, DataType.Int64)))),
        TargetCounting.Ones => Sum(g, g.Equal(input, g.Scalar(1, DataType.Int64))),
        _ => g.Div(g.Cast(g.DimOf(input, 0), DataType.Float), g.Scalar(RowsPerTarget, DataType.Float)),
    };

    /// <summary>The count on the host, from the batch tensor of <see cref="Input"/>.</summary>
    /// <exception cref="ArgumentException">A counted-by-value input is not int64.</exception>
    public long Count(TensorData input) => Kind switch
    {
        TargetCounting.Rows => input.Shape.Length == 0 ? 0 : input.Shape[0] / RowsPerTarget,
        _ when input.Type != DataType.Int64 => throw new ArgumentException($"Loss targets are counted on '{Input}', which must be int64; it is {input}."),
        TargetCounting.Ones => input.AsInt64s().Count(v => v == 1),
        _ => input.AsInt64s().Count(v => v != IgnoreIndex),
    };

    private static Value Sum(Graph g, Value condition) => g.ReduceSum(g.Cast(condition, DataType.Float), [], keepDims: false);
}
