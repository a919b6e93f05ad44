namespace OnnxPretrain.Onnx;

/// <summary>
/// One operator application in a <see cref="Graph"/>. Attributes are held as <see cref="long"/>, <see cref="float"/>,
/// <see cref="string"/>, <c>long[]</c>, <c>float[]</c> or <see cref="TensorData"/>, as in ONNX's AttributeProto.
/// </summary>
public sealed class Node
{
    /// <summary>Operator type, e.g. <c>MatMul</c>.</summary>
    public string OpType { get; }

    /// <summary>Operator domain: empty for <c>ai.onnx</c>, <c>com.microsoft</c> for ORT contrib ops.</summary>
    public string Domain { get; }

    /// <summary>Unique, readable node name carrying its scope, e.g. <c>encoder.layer.0.attention/MatMul_12</c>.</summary>
    public string Name { get; }

    /// <summary>Inputs; null marks an omitted optional input.</summary>
    public IReadOnlyList<Value?> Inputs { get; }

    /// <summary>Outputs, in order.</summary>
    public IReadOnlyList<Value> Outputs => _outputs;

    /// <summary>Attributes by name.</summary>
    public IReadOnlyDictionary<string, object> Attributes { get; }

    internal readonly List<Value> _outputs = [];

    internal Node(string opType, string domain, string name, IReadOnlyList<Value?> inputs, IReadOnlyDictionary<string, object> attributes)
    {
        OpType = opType;
        Domain = domain;
        Name = name;
        Inputs = inputs;
        Attributes = attributes;
    }

    /// <summary>Input <paramref name="i"/>, which must be present.</summary>
    /// <exception cref="InvalidOperationException">The input is missing.</exception>
    public Value Input(int i) => i < Inputs.Count && Inputs[i] is { } v ? v
        : throw new InvalidOperationException($"Node '{Name}' ({OpType}) has no input {i}.");

    /// <summary>An integer attribute, or <paramref name="fallback"/> when absent.</summary>
    public long GetInt(string name, long fallback) => Attributes.TryGetValue(name, out var v) ? (long)v : fallback;

    /// <summary>A float attribute, or <paramref name="fallback"/> when absent.</summary>
    public float GetFloat(string name, float fallback) => Attributes.TryGetValue(name, out var v) ? (float)v : fallback;

    /// <summary>A string attribute, or <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string fallback) => Attributes.TryGetValue(name, out var v) ? (string)v : fallback;

    /// <summary>An integer-list attribute, or null when absent.</summary>
    public long[]? GetInts(string name) => Attributes.TryGetValue(name, out var v) ? (long[])v : null;

    /// <inheritdoc />
    public override string ToString() => $"{OpType} node '{Name}'";
}
