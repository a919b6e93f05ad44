namespace OnnxPretrain.Onnx;

/// <summary>A model parameter registered in a <see cref="Graph"/>: its value, initial data and whether it is trained.</summary>
/// <param name="Value">The graph value (kind <see cref="ValueKind.Parameter"/>), named with its full dotted scope.</param>
/// <param name="Initial">Initial data, same shape as the value.</param>
/// <param name="Trainable">Whether gradients and optimizer state are produced for it.</param>
public sealed record Parameter(Value Value, TensorData Initial, bool Trainable);

/// <summary>
/// A typed builder and object model for one ONNX graph (opset 17 plus <c>com.microsoft</c> 1). Ops are methods
/// (<c>g.MatMul(a, b)</c>, see the partial files by family) that check and infer shapes as they add nodes; named
/// scopes (<see cref="Scope"/>) give every node and parameter a readable, stable, Hugging Face style name.
/// Nodes are kept in insertion order, which is a topological order.
/// </summary>
public sealed partial class Graph
{
    /// <summary>The ONNX opset version of the default domain used by every graph.</summary>
    public const int OnnxOpset = 17;

    /// <summary>Domain name of ONNX Runtime's contrib ops.</summary>
    public const string MsDomain = "com.microsoft";

    private readonly List<Node> _nodes = [];
    private readonly List<Value> _inputs = [];
    private readonly List<Value> _trailingInputs = [];
    private readonly List<Value> _outputs = [];
    private readonly List<Parameter> _parameters = [];
    private readonly Dictionary<string, TensorData> _constants = [];
    private readonly Dictionary<string, Value> _values = [];
    private readonly List<string> _scopes = [];
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Graph name written to the ONNX file.</summary>
    public string Name { get; }

    /// <summary>Nodes in insertion (topological) order.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Runtime inputs in declaration order (parameters excluded).</summary>
    public IReadOnlyList<Value> Inputs => _inputs;

    /// <summary>Runtime inputs written after the parameters (accumulation buffers, <c>lazy_reset_grad</c>).</summary>
    public IReadOnlyList<Value> TrailingInputs => _trailingInputs;

    /// <summary>Graph outputs in declaration order.</summary>
    public IReadOnlyList<Value> Outputs => _outputs;

    /// <summary>Parameters in registration order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Constant initializers by value name.</summary>
    public IReadOnlyDictionary<string, TensorData> Constants => _constants;

    /// <summary>Key/value notes written as the model's ONNX <c>metadata_props</c> (e.g. a dropout mask's probability).</summary>
    public IDictionary<string, string> Metadata => _metadata;

    /// <summary>The current dotted scope, e.g. <c>encoder.layer.0.attention</c>; empty at top level.</summary>
    public string CurrentScope => string.Join(".", _scopes);

    private Graph(string name) => Name = name;

    /// <summary>Creates an empty graph.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static Graph Create(string name = "main")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new Graph(name);
    }

    /// <summary>Enters a named scope until the returned handle is disposed; scopes nest with dots.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public IDisposable Scope(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _scopes.Add(name);
        int depth = _scopes.Count;
        return new ScopeHandle(() =>
        {
            if (_scopes.Count != depth) throw new InvalidOperationException($"Scope '{name}' closed out of order.");
            _scopes.RemoveAt(_scopes.Count - 1);
        });
    }

    /// <summary>Looks a value up by name.</summary>
    /// <exception cref="KeyNotFoundException">No value has that name.</exception>
    public Value this[string name] => _values.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"Graph '{Name}' has no value named '{name}'.");

    /// <summary>True when a value of that name exists.</summary>
    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>Declares a runtime input (not scoped: batch inputs keep their plain names such as <c>input_ids</c>).</summary>
    /// <exception cref="ArgumentException">The name is already used.</exception>
    public Value Input(string name, DataType type, Shape shape)
    {
        var v = Register(new Value(this, name, type, shape, ValueKind.Input));
        _inputs.Add(v);
        return v;
    }

    /// <summary>Declares a runtime input that the written model lists after the parameters.</summary>
    /// <exception cref="ArgumentException">The name is already used.</exception>
    public Value TrailingInput(string name, DataType type, Shape shape)
    {
        var v = Register(new Value(this, name, type, shape, ValueKind.Input));
        _trailingInputs.Add(v);
        return v;
    }

    /// <summary>Registers a parameter named <c>{scope}.{name}</c> (e.g. <c>encoder.layer.0.attention.self.query.weight</c>).</summary>
    /// <exception cref="ArgumentException">The name is already used.</exception>
    public Value Parameter(string name, TensorData initial, bool trainable = true)
    {
        ArgumentNullException.ThrowIfNull(initial);
        var full = CurrentScope.Length == 0 ? name : $"{CurrentScope}.{name}";
        var shape = new Shape(initial.Shape.Select(Dim.Of).ToArray());
        var v = Register(new Value(this, full, initial.Type, shape, ValueKind.Parameter));
        _parameters.Add(new Parameter(v, initial, trainable));
        return v;
    }

    /// <summary>Adds a constant initializer; the name is generated from the scope unless given.</summary>
    public Value Constant(TensorData data, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        name ??= NextName("Constant");
        var v = Register(new Value(this, name, data.Type, new Shape(data.Shape.Select(Dim.Of).ToArray()), ValueKind.Constant));
        _constants[name] = data;
        return v;
    }

    /// <summary>A scalar constant of type <paramref name="type"/> (float or double; int64 for integers).</summary>
    /// <exception cref="ArgumentException">The type is not Float, Double or Int64.</exception>
    public Value Scalar(double value, DataType type) => type switch
    {
        DataType.Float => Constant(TensorData.Create(new[] { (float)value })),
        DataType.Double => Constant(TensorData.Create(new[] { value })),
        DataType.Int64 => Constant(TensorData.Create(new[] { (long)value })),
        _ => throw new ArgumentException($"Scalar constants of type {type} are not supported.", nameof(type)),
    };

    /// <summary>A 1-D int64 constant, as used for shapes and axes.</summary>
    public Value Int64s(params long[] values) => Constant(TensorData.Create(values, values.Length));

    /// <summary>The data of a constant value, or null when the value is not a constant.</summary>
    public TensorData? ConstantData(Value? v) => v is not null && _constants.TryGetValue(v.Name, out var t) ? t : null;

    /// <summary>
    /// Marks <paramref name="v"/> as a graph output under <paramref name="name"/>. A node output that is not yet a
    /// graph output is renamed in place (no copy); otherwise an Identity is inserted.
    /// </summary>
    /// <exception cref="ArgumentException">Another value or output already has that name.</exception>
    public Value Output(Value v, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (name is not null && name != v.Name)
        {
            if (v.Kind == ValueKind.Intermediate && !_outputs.Contains(v) && !_values.ContainsKey(name))
            {
                _values.Remove(v.Name);
                v.Name = name;
                _values[name] = v;
            }
            else v = AddNode("Identity", [v], [new(v.Type, v.Shape)], outputNames: [name])[0];
        }
        if (_outputs.Any(o => o.Name == v.Name)) throw new ArgumentException($"Graph '{Name}' already has an output '{v.Name}'.", nameof(name));
        _outputs.Add(v);
        return v;
    }

    /// <summary>Type and shape of one output of a node being added.</summary>
    /// <param name="Type">Element type.</param>
    /// <param name="Shape">Inferred shape.</param>
    public readonly record struct OutputSpec(DataType Type, Shape Shape);

    /// <summary>
    /// Adds a node. Op methods call this after inferring shapes; use it directly for ops without a method.
    /// </summary>
    /// <returns>The node's output values.</returns>
    /// <exception cref="ArgumentException">An input belongs to another graph, or an output name is taken.</exception>
    public Value[] AddNode(string opType, IReadOnlyList<Value?> inputs, IReadOnlyList<OutputSpec> outputs,
        IReadOnlyDictionary<string, object>? attributes = null, string domain = "", IReadOnlyList<string>? outputNames = null)
    {
        foreach (var i in inputs)
            if (i is not null && !ReferenceEquals(i.Graph, this))
                throw new ArgumentException($"{opType}: input {i} belongs to graph '{i.Graph.Name}', not '{Name}'.", nameof(inputs));
        var nodeName = NextName(opType);
        var node = new Node(opType, domain, nodeName, inputs.ToArray(), attributes ?? new Dictionary<string, object>());
        for (int k = 0; k < outputs.Count; k++)
        {
            var name = outputNames?[k] ?? (outputs.Count == 1 ? $"{nodeName}_output" : $"{nodeName}_output_{k}");
            var v = Register(new Value(this, name, outputs[k].Type, outputs[k].Shape, ValueKind.Intermediate));
            v.Producer = node;
            v.OutputIndex = k;
            node._outputs.Add(v);
        }
        _nodes.Add(node);
        return node._outputs.ToArray();
    }

    private string NextName(string op)
    {
        var scope = CurrentScope;
        return (scope.Length == 0 ? "" : scope + "/") + op + "_" + _counter++;
    }

    private Value Register(Value v)
    {
        if (!_values.TryAdd(v.Name, v)) throw new ArgumentException($"Graph '{Name}' already has a value named '{v.Name}'.");
        return v;
    }

    private sealed class ScopeHandle(Action close) : IDisposable
    {
        private Action? _close = close;

        public void Dispose()
        {
            _close?.Invoke();
            _close = null;
        }
    }
}
