using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

public static partial class Rules
{
    // y = sum_axes(x): dx = expand(dy with the reduced axes restored as 1, shape(x))
    /// <summary>ReduceSum (axes as a constant input, opset 13+): dy broadcast back over the reduced axes.</summary>
    public static Value?[] ReduceSum(GradientContext c)
    {
        long[] axes = c.InputCount > 1 && c.Node.Inputs[1] is not null ? c.ConstantInput(1, "axes").AsInt64s() : [];
        if (axes.Length == 0 && c.Node.GetInt("noop_with_empty_axes", 0) != 0) return c.First(c.Dy);
        return c.First(RestoreReduced(c, axes));
    }

    // y = mean_axes(x): dx = expand(dy, shape(x)) * size(y) / size(x)
    /// <summary>ReduceMean (axes attribute, opset &lt; 18): dy broadcast back and divided by the reduced element count.</summary>
    public static Value?[] ReduceMean(GradientContext c)
    {
        var g = c.G;
        var axes = c.Node.GetInts("axes") ?? [];
        var expanded = RestoreReduced(c, axes);
        Value x = c.X(0), y = c.Y(0);
        var count = x.Shape.IsStatic && y.Shape.IsStatic
            ? c.Scalar((double)x.Shape.ElementCount().Value / y.Shape.ElementCount().Value, x)
            : g.Div(g.Cast(g.Size(x), x.Type), g.Cast(g.Size(y), x.Type));   // reduced element count at run time
        return [g.Div(expanded, count)];
    }

    private static Value RestoreReduced(GradientContext c, long[] axes)
    {
        Value x = c.X(0), dy = c.Dy;
        bool keep = c.Node.GetInt("keepdims", 1) != 0;
        var all = axes.Length == 0 ? Enumerable.Range(0, x.Rank).Select(i => (long)i).ToArray()
            : axes.Select(a => (long)x.Shape.NormalizeAxis((int)a)).Order().ToArray();
        var kept = keep || all.Length == 0 ? dy : c.G.Unsqueeze(dy, all);   // (..., 1, ...) with x's rank
        return c.G.ExpandLike(kept, x);
    }
}
