using Onnx;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Training.Import;

/// <summary>Look-ups over a foreign ONNX graph: who produces and consumes a value, constant values, and the encoder's structural facts.</summary>
internal sealed class OnnxGraphIndex
{
    private readonly Dictionary<string, List<NodeProto>> _consumers = new();
    private readonly Dictionary<string, NodeProto> _producers = new();
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly string _dir;

    public OnnxGraphIndex(ModelProto model, string dir)
    {
        Graph = model.Graph;
        _dir = dir;
        _initializers = Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var n in Graph.Node)
        {
            foreach (var i in n.Input.Where(i => i.Length > 0))
                (_consumers.TryGetValue(i, out var list) ? list : _consumers[i] = []).Add(n);
            foreach (var o in n.Output) _producers[o] = n;
        }
    }

    public GraphProto Graph { get; }

    public IReadOnlyList<NodeProto> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    public bool IsInitializer(string value) => _initializers.ContainsKey(value);

    /// <summary>An initializer's values.</summary>
    public TensorData Tensor(string initializer) => ModelReader.ToTensorData(_initializers[initializer], _dir);

    /// <summary>The value of an initializer or of a <c>Constant</c> node's output, else null.</summary>
    public TensorData? Constant(string value)
    {
        if (_initializers.TryGetValue(value, out var t)) return ModelReader.ToTensorData(t, _dir);
        if (_producers.TryGetValue(value, out var n) && n.OpType == "Constant" && n.Attribute.FirstOrDefault(a => a.Name == "value") is { T: { } v })
            return ModelReader.ToTensorData(v, _dir);
        return null;
    }

    public static long? IntAttribute(NodeProto n, string name) => n.Attribute.FirstOrDefault(a => a.Name == name)?.I;

    /// <summary>
    /// Heads N from the Reshape that splits the query projection (the Add with <paramref name="queryBias"/>) into
    /// (B, T, N, D): the last two known entries of its target shape, a constant or a Concat of constants, with N·D = H.
    /// </summary>
    public int? AttentionHeads(string queryBias, int hidden)
    {
        foreach (var add in Consumers(queryBias).Where(n => n.OpType == "Add"))
            foreach (var reshape in Consumers(add.Output[0]).Where(n => n.OpType == "Reshape"))
            {
                var dims = ShapeEntries(reshape.Input[1]);
                if (dims is { Count: >= 2 } && dims[^2] is long n && dims[^1] is long d && n > 0 && n * d == hidden) return (int)n;
            }
        return null;
    }

    private List<long?>? ShapeEntries(string value)
    {
        if (Constant(value) is { Type: DataType.Int64 } c) return c.AsInt64s().Select(v => (long?)v).ToList();
        if (!_producers.TryGetValue(value, out var concat) || concat.OpType != "Concat") return null;
        return concat.Input.SelectMany(i => Constant(i) is { Type: DataType.Int64 } t ? t.AsInt64s().Select(v => (long?)v) : [(long?)null]).ToList();
    }

    /// <summary>LayerNorm epsilon: a <c>LayerNormalization</c> node's attribute, or the scalar added under the <c>Sqrt</c> of a decomposed LayerNorm.</summary>
    public float? LayerNormEpsilon()
    {
        if (Graph.Node.FirstOrDefault(n => n.OpType == "LayerNormalization") is { } ln)
            return ln.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
        foreach (var sqrt in Graph.Node.Where(n => n.OpType == "Sqrt"))
            if (_producers.TryGetValue(sqrt.Input[0], out var add) && add.OpType == "Add")
                foreach (var input in add.Input)
                    if (Constant(input) is { Type: DataType.Float,
                        ElementCount: 1 } eps && _producers.GetValueOrDefault(add.Input[0] == input ? add.Input[1] : add.Input[0])?.OpType == "ReduceMean")
                        return eps.AsFloats()[0];
        return null;
    }

    /// <summary>The feed-forward activation: exact GELU (<c>Erf</c>, or <c>Gelu</c>) -> <c>gelu</c>; tanh GELU (<c>FastGelu</c>,
    /// <c>Gelu</c> approximate=tanh, or a Tanh beside Pow) -> <c>gelu_new</c>.</summary>
    public string? Activation()
    {
        var ops = Graph.Node.Select(n => n.OpType).ToHashSet();
        if (Graph.Node.FirstOrDefault(n => n.OpType == "Gelu") is { } gelu)
            return gelu.Attribute.FirstOrDefault(a => a.Name == "approximate")?.S.ToStringUtf8() == "tanh" ? "gelu_new" : "gelu";
        if (ops.Contains("Erf")) return "gelu";
        if (ops.Contains("FastGelu") || ops.Contains("Tanh") && ops.Contains("Pow") && Graph.Node.Count(n => n.OpType == "Tanh") > 1) return "gelu_new";
        return null;
    }
}
