using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

/// <summary>
/// A gradient rule: given the forward node and its output gradients, returns one gradient per forward input
/// (null = none), in the input's shape or a shape that broadcasts to it (the engine sums broadcast axes away).
/// </summary>
public delegate Value?[] GradientRule(GradientContext c);

/// <summary>
/// The gradient table: ONNX op type (with domain for contrib ops) -> rule. This is the table of contents of what
/// can be differentiated; each rule is a small static method named after its op in the <c>Rules.*.cs</c> files.
/// Backward graphs use only standard ONNX ops and inference contrib ops that the ordinary ORT build loads.
/// </summary>
public static class GradientRegistry
{
    private static readonly Dictionary<string, GradientRule> Table = new()
    {
        // Elementwise (Rules.Elementwise.cs)
        ["Add"] = Rules.Add,
        ["Sub"] = Rules.Sub,
        ["Mul"] = Rules.Mul,
        ["Div"] = Rules.Div,
        ["Neg"] = Rules.Neg,
        ["Sqrt"] = Rules.Sqrt,
        ["Pow"] = Rules.Pow,
        ["Exp"] = Rules.Exp,
        ["Log"] = Rules.Log,
        ["Tanh"] = Rules.Tanh,
        ["Sigmoid"] = Rules.Sigmoid,
        ["Relu"] = Rules.Relu,
        ["Erf"] = Rules.Erf,
        ["com.microsoft.Gelu"] = Rules.Gelu,
        ["com.microsoft.FastGelu"] = Rules.FastGelu,
        ["Where"] = Rules.Where,
        ["Cast"] = Rules.Cast,
        ["Identity"] = Rules.Identity,
        // Matrix products (Rules.Linear.cs)
        ["MatMul"] = Rules.MatMul,
        ["Gemm"] = Rules.Gemm,
        // Reductions (Rules.Reduce.cs)
        ["ReduceSum"] = Rules.ReduceSum,
        ["ReduceMean"] = Rules.ReduceMean,
        // Shape ops (Rules.Shape.cs)
        ["Reshape"] = Rules.Reshape,
        ["Transpose"] = Rules.Transpose,
        ["Unsqueeze"] = Rules.Unsqueeze,
        ["Squeeze"] = Rules.Squeeze,
        ["Concat"] = Rules.Concat,
        ["Split"] = Rules.Split,
        ["Slice"] = Rules.Slice,
        ["Expand"] = Rules.Expand,
        ["Gather"] = Rules.Gather,
        // Neural-network ops and losses (Rules.Nn.cs)
        ["Softmax"] = Rules.Softmax,
        ["LogSoftmax"] = Rules.LogSoftmax,
        ["LayerNormalization"] = Rules.LayerNormalization,
        ["Dropout"] = Rules.Dropout,
        ["SoftmaxCrossEntropyLoss"] = Rules.SoftmaxCrossEntropyLoss,
    };

    /// <summary>Registered keys: the op type, prefixed with <c>domain.</c> for non-default domains.</summary>
    public static IReadOnlyCollection<string> RegisteredOps => Table.Keys;

    /// <summary>The table key for a node: <c>OpType</c> or <c>domain.OpType</c>.</summary>
    public static string KeyOf(Node node) => node.Domain.Length == 0 ? node.OpType : $"{node.Domain}.{node.OpType}";

    /// <summary>The rule for <paramref name="node"/>.</summary>
    /// <exception cref="NotSupportedException">No rule is registered for the node's op; the message names op and node.</exception>
    public static GradientRule For(Node node) => Table.TryGetValue(KeyOf(node), out var rule) ? rule
        : throw new NotSupportedException($"No gradient rule for op '{KeyOf(node)}' (node '{node.Name}'). Registered ops: " +
            $"{string.Join(", ", Table.Keys.Order())}.");

    /// <summary>Ops that do NOT exist in the ordinary ONNX Runtime build and must never appear in a generated graph.</summary>
    public static IReadOnlySet<string> ForbiddenOps { get; } = new HashSet<string>
    {
        "SoftmaxGrad", "SoftmaxGrad_13", "LogSoftmaxGrad", "LogSoftmaxGrad_13", "GeluGrad", "FastGeluGrad", "BiasGeluGrad_dX",
        "BiasFastGeluGrad_dX", "LayerNormalizationGrad", "SimplifiedLayerNormalizationGrad", "GatherGrad", "DropoutGrad",
        "SliceGrad", "TanhGrad", "SigmoidGrad", "ReluGrad", "DivGrad", "SoftmaxCrossEntropyLossGrad", "InPlaceAccumulator",
        "InPlaceAccumulatorV2", "AdamWOptimizer", "AdamOptimizer", "ReduceSumTraining", "Scale", "ZeroGradient",
    };
}
