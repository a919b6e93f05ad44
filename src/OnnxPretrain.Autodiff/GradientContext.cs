using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

/// <summary>
/// What a gradient rule sees: the forward node, its inputs and outputs, the gradients flowing into its outputs,
/// which inputs need a gradient, and the graph to add backward nodes to.
/// </summary>
public sealed class GradientContext
{
    private readonly Value?[] _outputGrads;
    private readonly bool[] _needs;

    /// <summary>The graph backward nodes are added to (the forward graph itself).</summary>
    public Graph G { get; }

    /// <summary>The forward node being differentiated.</summary>
    public Node Node { get; }

    internal GradientContext(Graph g, Node node, Value?[] outputGrads, bool[] needs)
    {
        G = g;
        Node = node;
        _outputGrads = outputGrads;
        _needs = needs;
    }

    /// <summary>Forward input <paramref name="i"/>.</summary>
    public Value X(int i) => Node.Input(i);

    /// <summary>Forward output <paramref name="i"/>.</summary>
    public Value Y(int i) => Node.Outputs[i];

    /// <summary>Number of forward inputs (omitted optional inputs included).</summary>
    public int InputCount => Node.Inputs.Count;

    /// <summary>Gradient of the loss with respect to output <paramref name="i"/>, or null when none flows there.</summary>
    public Value? DyOrNull(int i) => _outputGrads[i];

    /// <summary>Gradient with respect to output 0; the only output most rules differentiate through.</summary>
    /// <exception cref="NotSupportedException">Only another output carries a gradient.</exception>
    public Value Dy => _outputGrads[0] ?? throw new NotSupportedException(
        $"Gradient through output(s) other than 0 of {Node.OpType} node '{Node.Name}' is not supported.");

    /// <summary>True when input <paramref name="i"/> needs a gradient (rules may skip work for the others).</summary>
    public bool Needs(int i) => i < _needs.Length && _needs[i];

    /// <summary>A scalar constant of the same floating type as <paramref name="like"/>.</summary>
    public Value Scalar(double value, Value like) => G.Scalar(value, like.Type);

    /// <summary>The constant data behind input <paramref name="i"/>.</summary>
    /// <exception cref="NotSupportedException">The input is not a constant initializer.</exception>
    public TensorData ConstantInput(int i, string what) => G.ConstantData(Node.Inputs.ElementAtOrDefault(i))
        ?? throw new NotSupportedException($"{Node.OpType} node '{Node.Name}': {what} (input {i}) must be a constant for its gradient.");

    /// <summary>A gradient array for this node: <paramref name="first"/> for input 0, none for the other inputs.</summary>
    public Value?[] First(Value? first)
    {
        var grads = new Value?[InputCount];
        grads[0] = first;
        return grads;
    }

    /// <summary>Throws a <see cref="NotSupportedException"/> naming the op and node.</summary>
    public NotSupportedException Unsupported(string what) => new($"{Node.OpType} node '{Node.Name}': gradient not supported: {what}.");
}
