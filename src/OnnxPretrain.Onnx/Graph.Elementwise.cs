namespace OnnxPretrain.Onnx;

// Elementwise ops: numpy broadcasting for binary ops, same shape for unary ones.
public sealed partial class Graph
{
    /// <summary>The name the next node of <paramref name="op"/> will get (for error messages).</summary>
    private string PendingName(string op) => (CurrentScope.Length == 0 ? "" : CurrentScope + "/") + op + "_" + _counter;

    /// <summary>Throws a <see cref="ShapeMismatchException"/> naming the op, the node and the shapes.</summary>
    internal ShapeMismatchException ShapeError(string op, string what, params Value[] values) =>
        new($"{op} node '{PendingName(op)}': {what}; inputs: {string.Join(", ", values.Select(v => v.ToString()))}.");

    private Value Binary(string op, Value a, Value b, DataType? outType = null)
    {
        if (a.Type != b.Type) throw ShapeError(op, $"element types differ ({a.Type} vs {b.Type})", a, b);
        var shape = Shape.TryBroadcast(a.Shape, b.Shape) ?? throw ShapeError(op, $"shapes {a.Shape} and {b.Shape} do not broadcast", a, b);
        return AddNode(op, [a, b], [new(outType ?? a.Type, shape)])[0];
    }

    private Value Unary(string op, Value x, string domain = "", IReadOnlyDictionary<string, object>? attrs = null) =>
        AddNode(op, [x], [new(x.Type, x.Shape)], attrs, domain)[0];

    /// <summary>a + b with broadcasting.</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Add(Value a, Value b) => Binary("Add", a, b);

    /// <summary>a - b with broadcasting.</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Sub(Value a, Value b) => Binary("Sub", a, b);

    /// <summary>a * b with broadcasting.</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Mul(Value a, Value b) => Binary("Mul", a, b);

    /// <summary>a / b with broadcasting.</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Div(Value a, Value b) => Binary("Div", a, b);

    /// <summary>a ^ b with broadcasting (gradients need a constant exponent).</summary>
    /// <exception cref="ShapeMismatchException">Shapes do not broadcast.</exception>
    public Value Pow(Value a, Value b)
    {
        var shape = Shape.TryBroadcast(a.Shape, b.Shape) ?? throw ShapeError("Pow", $"shapes {a.Shape} and {b.Shape} do not broadcast", a, b);
        return AddNode("Pow", [a, b], [new(a.Type, shape)])[0];
    }

    /// <summary>Elementwise minimum of two tensors.</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Min(Value a, Value b) => Binary("Min", a, b);

    /// <summary>Elementwise maximum of two tensors.</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Max(Value a, Value b) => Binary("Max", a, b);

    /// <summary>a == b (bool output).</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Equal(Value a, Value b) => Binary("Equal", a, b, DataType.Bool);

    /// <summary>a &gt; b (bool output).</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Greater(Value a, Value b) => Binary("Greater", a, b, DataType.Bool);

    /// <summary>a &lt; b (bool output).</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value Less(Value a, Value b) => Binary("Less", a, b, DataType.Bool);

    /// <summary>Logical and of bool tensors.</summary>
    /// <exception cref="ShapeMismatchException">Types differ or shapes do not broadcast.</exception>
    public Value And(Value a, Value b) => Binary("And", a, b);

    /// <summary>Logical not of a bool tensor.</summary>
    public Value Not(Value x) => Unary("Not", x);

    /// <summary>-x.</summary>
    public Value Neg(Value x) => Unary("Neg", x);

    /// <summary>sqrt(x).</summary>
    public Value Sqrt(Value x) => Unary("Sqrt", x);

    /// <summary>exp(x).</summary>
    public Value Exp(Value x) => Unary("Exp", x);

    /// <summary>Natural log.</summary>
    public Value Log(Value x) => Unary("Log", x);

    /// <summary>tanh(x).</summary>
    public Value Tanh(Value x) => Unary("Tanh", x);

    /// <summary>1 / (1 + exp(-x)).</summary>
    public Value Sigmoid(Value x) => Unary("Sigmoid", x);

    /// <summary>max(x, 0).</summary>
    public Value Relu(Value x) => Unary("Relu", x);

    /// <summary>Gauss error function.</summary>
    public Value Erf(Value x) => Unary("Erf", x);

    /// <summary>|x|.</summary>
    public Value Abs(Value x) => Unary("Abs", x);

    /// <summary>Identity copy of x.</summary>
    public Value Identity(Value x) => Unary("Identity", x);

    /// <summary>Exact GELU, x·Φ(x) (Hendrycks and Gimpel 2016), ORT contrib op <c>com.microsoft.Gelu</c>.</summary>
    public Value Gelu(Value x) => Unary("Gelu", x, MsDomain);

    /// <summary>
    /// Tanh-approximated GELU, 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), ORT contrib op <c>com.microsoft.FastGelu</c>.
    /// </summary>
    public Value FastGelu(Value x) => Unary("FastGelu", x, MsDomain);

    /// <summary>Casts to <paramref name="to"/>.</summary>
    public Value Cast(Value x, DataType to) =>
        AddNode("Cast", [x], [new(to, x.Shape)], new Dictionary<string, object> { ["to"] = (long)to })[0];

    /// <summary>cond ? a : b with three-way broadcasting.</summary>
    /// <exception cref="ShapeMismatchException">cond is not bool, a and b types differ, or shapes do not broadcast.</exception>
    public Value Where(Value cond, Value a, Value b)
    {
        if (cond.Type != DataType.Bool) throw ShapeError("Where", $"condition must be Bool, got {cond.Type}", cond, a, b);
        if (a.Type != b.Type) throw ShapeError("Where", $"branch types differ ({a.Type} vs {b.Type})", cond, a, b);
        var s = Shape.TryBroadcast(a.Shape, b.Shape) is { } ab ? Shape.TryBroadcast(cond.Shape, ab) : null;
        if (s is null) throw ShapeError("Where", "shapes do not broadcast", cond, a, b);
        return AddNode("Where", [cond, a, b], [new(a.Type, s)])[0];
    }
}
