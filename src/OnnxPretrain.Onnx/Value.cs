namespace OnnxPretrain.Onnx;

/// <summary>What a <see cref="Value"/> is in its graph.</summary>
public enum ValueKind
{
    /// <summary>A graph input fed at run time (batch inputs, <c>lazy_reset_grad</c>, ...).</summary>
    Input,
    /// <summary>A model parameter: a graph input in training artifacts, an initializer in inference exports.</summary>
    Parameter,
    /// <summary>A constant stored as an initializer.</summary>
    Constant,
    /// <summary>The output of a node.</summary>
    Intermediate,
}

/// <summary>
/// A named, typed tensor in a <see cref="Graph"/> with a statically tracked (possibly symbolic) <see cref="Shape"/>.
/// </summary>
public sealed class Value
{
    /// <summary>Unique name inside the graph (the ONNX value name).</summary>
    public string Name { get; internal set; }

    /// <summary>Element type.</summary>
    public DataType Type { get; }

    /// <summary>Statically tracked shape.</summary>
    public Shape Shape { get; }

    /// <summary>Role in the graph.</summary>
    public ValueKind Kind { get; }

    /// <summary>The node that computes this value, for <see cref="ValueKind.Intermediate"/> values.</summary>
    public Node? Producer { get; internal set; }

    /// <summary>Index of this value among <see cref="Producer"/>'s outputs.</summary>
    public int OutputIndex { get; internal set; }

    /// <summary>The graph that owns this value.</summary>
    public Graph Graph { get; }

    internal Value(Graph graph, string name, DataType type, Shape shape, ValueKind kind)
    {
        Graph = graph;
        Name = name;
        Type = type;
        Shape = shape;
        Kind = kind;
    }

    /// <summary>Rank of <see cref="Shape"/>.</summary>
    public int Rank => Shape.Rank;

    /// <inheritdoc />
    public override string ToString() => $"'{Name}' {Type}{Shape}";
}
