namespace OnnxPretrain.Onnx;

// Reductions (opset 17: ReduceSum takes axes as an input, the others as an attribute).
public sealed partial class Graph
{
    /// <summary>Sum over <paramref name="axes"/> (all axes when empty); reduced dims kept as 1 when <paramref name="keepDims"/>.</summary>
    public Value ReduceSum(Value x, long[] axes, bool keepDims)
    {
        var shape = ReducedShape(x, axes, keepDims);
        var attrs = new Dictionary<string, object> { ["keepdims"] = keepDims ? 1L : 0L };
        return AddNode("ReduceSum", axes.Length == 0 ? [x] : [x, Int64s(axes)], [new(x.Type, shape)], attrs)[0];
    }

    /// <summary>Mean over <paramref name="axes"/> (all axes when empty).</summary>
    public Value ReduceMean(Value x, long[] axes, bool keepDims) => ReduceWithAttr("ReduceMean", x, axes, keepDims);

    /// <summary>Sum of squares over <paramref name="axes"/> (all axes when empty); forward only (no gradient rule).</summary>
    public Value ReduceSumSquare(Value x, long[] axes, bool keepDims) => ReduceWithAttr("ReduceSumSquare", x, axes, keepDims);

    /// <summary>Maximum over <paramref name="axes"/> (all axes when empty); forward only (no gradient rule).</summary>
    public Value ReduceMax(Value x, long[] axes, bool keepDims) => ReduceWithAttr("ReduceMax", x, axes, keepDims);

    private Value ReduceWithAttr(string op, Value x, long[] axes, bool keepDims)
    {
        var attrs = new Dictionary<string, object> { ["keepdims"] = keepDims ? 1L : 0L };
        if (axes.Length > 0) attrs["axes"] = axes;
        return AddNode(op, [x], [new(x.Type, ReducedShape(x, axes, keepDims))], attrs)[0];
    }

    /// <summary>Shape after reducing <paramref name="axes"/> (all when empty).</summary>
    public static Shape ReducedShape(Value x, long[] axes, bool keepDims)
    {
        var set = axes.Length == 0 ? Enumerable.Range(0, x.Rank).ToHashSet() : axes.Select(a => x.Shape.NormalizeAxis((int)a)).ToHashSet();
        var dims = new List<Dim>();
        for (int i = 0; i < x.Rank; i++)
        {
            if (!set.Contains(i)) dims.Add(x.Shape[i]);
            else if (keepDims) dims.Add(1);
        }
        return new Shape(dims.ToArray());
    }
}
