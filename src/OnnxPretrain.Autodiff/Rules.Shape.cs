using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

public static partial class Rules
{
    /// <summary>Reshape: dy reshaped to x's run-time shape.</summary>
    public static Value?[] Reshape(GradientContext c) => [c.G.ReshapeLike(c.Dy, c.X(0)), null];

    /// <summary>Unsqueeze: dy reshaped to x's run-time shape.</summary>
    public static Value?[] Unsqueeze(GradientContext c) => [c.G.ReshapeLike(c.Dy, c.X(0)), null];

    /// <summary>Squeeze: dy reshaped to x's run-time shape.</summary>
    public static Value?[] Squeeze(GradientContext c) => [c.G.ReshapeLike(c.Dy, c.X(0)), null];

    // y = transpose(x, perm): dx = transpose(dy, inverse(perm))
    /// <summary>Transpose: dy transposed by the inverse permutation.</summary>
    public static Value?[] Transpose(GradientContext c)
    {
        var perm = c.Node.GetInts("perm") ?? Enumerable.Range(0, c.X(0).Rank).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return [c.G.Transpose(c.Dy, inverse)];
    }

    // y = concat(x_0..x_n, axis): dx_i = the matching slice of dy (split by the inputs' static sizes)
    /// <summary>Concat: dy split back into the inputs' (static) sizes along the axis.</summary>
    public static Value?[] Concat(GradientContext c)
    {
        long axis = c.Node.GetInt("axis", 0);
        var sizes = new long[c.InputCount];
        for (int i = 0; i < sizes.Length; i++)
        {
            var d = c.X(i).Shape[(int)axis];
            sizes[i] = d.IsStatic ? d.Value : throw c.Unsupported($"input {i} has a non-static size {d} along axis {axis}");
        }
        return c.G.Split(c.Dy, axis, sizes);
    }

    // y_0..y_n = split(x, axis): dx = concat(dy_i or zeros, axis)
    /// <summary>Split: output gradients concatenated, zeros for outputs without one.</summary>
    public static Value?[] Split(GradientContext c)
    {
        long axis = c.Node.GetInt("axis", 0);
        var parts = c.Node.Outputs.Select((y, i) => c.DyOrNull(i) ?? c.G.ZerosLike(y)).ToArray();
        return [c.G.Concat(parts, axis), null];
    }

    // y = x[starts:ends] (step 1): dx = dy zero-padded back to x's static shape
    /// <summary>Slice with unit steps and constant bounds on static axes: dy zero-padded back into x's shape.</summary>
    public static Value?[] Slice(GradientContext c)
    {
        var x = c.X(0);
        var starts = c.ConstantInput(1, "starts").AsInt64s();
        var ends = c.ConstantInput(2, "ends").AsInt64s();
        var axes = c.InputCount > 3 && c.Node.Inputs[3] is not null ? c.ConstantInput(3, "axes").AsInt64s() : Enumerable.Range(0,
            starts.Length).Select(i => (long)i).ToArray();
        var steps = c.InputCount > 4 && c.Node.Inputs[4] is not null ? c.ConstantInput(4, "steps").AsInt64s() : starts.Select(_ => 1L).ToArray();
        if (steps.Any(s => s != 1)) throw c.Unsupported($"steps [{string.Join(", ", steps)}] (only 1 is supported)");
        var pads = new long[2 * x.Rank];
        for (int i = 0; i < axes.Length; i++)
        {
            int ax = x.Shape.NormalizeAxis((int)axes[i]);
            var n = x.Shape[ax].IsStatic ? x.Shape[ax].Value : throw c.Unsupported($"axis {ax} has non-static size {x.Shape[ax]}");
            long s = Graph.ClampIndex(starts[i], n, 1), e = Math.Max(s, Graph.ClampIndex(ends[i], n, 1, isEnd: true));
            pads[ax] = s;
            pads[ax + x.Rank] = n - e;
        }
        var dx = c.G.Pad(c.Dy, pads);
        return c.First(dx);
    }

    /// <summary>Expand: dy, summed back to x's shape by the engine's broadcast reduction.</summary>
    public static Value?[] Expand(GradientContext c) => [c.Dy, null];

    // y = data[indices] along axis 0: d data = scatter-add of dy rows into zeros (duplicates accumulate)
    /// <summary>Gather on axis 0 (embeddings): ScatterND with reduction=add of dy into zeros of data's shape.</summary>
    public static Value?[] Gather(GradientContext c)
    {
        if (c.Node.GetInt("axis", 0) != 0) throw c.Unsupported($"axis {c.Node.GetInt("axis", 0)} (only axis 0)");
        Value data = c.X(0), idx = c.X(1);
        if (idx.Type != DataType.Int64) idx = c.G.Cast(idx, DataType.Int64);
        var scatterIdx = c.G.Unsqueeze(idx, -1);                                   // (..., 1)
        return [c.G.ScatterND(c.G.ZerosLike(data), scatterIdx, c.Dy, "add"), null];  // (V, C)
    }
}
