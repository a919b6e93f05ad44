namespace OnnxPretrain.Onnx;

// Shape-manipulating ops. Axes and shapes are constants (int64 initializers) so shapes stay statically known.
public sealed partial class Graph
{
    /// <summary>
    /// Reshape to a constant target: entries &gt; 0 are sizes, 0 copies the input dim, -1 is inferred
    /// (symbolically when dims are symbolic, e.g. (batch, sequence, C) -> (-1, C) gives (batch*sequence, C)).
    /// </summary>
    /// <exception cref="ShapeMismatchException">More than one -1, or the element counts cannot match.</exception>
    public Value Reshape(Value x, params long[] shape)
    {
        var dims = new Dim[shape.Length];
        int infer = -1;
        Dim known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw ShapeError("Reshape", $"target [{string.Join(", ", shape)}] has more than one -1", x);
                infer = i;
                continue;
            }
            dims[i] = shape[i] == 0 ? x.Shape[i] : Dim.Of(shape[i]);
            known *= dims[i];
        }
        var total = x.Shape.ElementCount();
        if (infer >= 0) dims[infer] = total / known;
        else if (total != known && !total.IsUnknown && !known.IsUnknown && total.IsStatic == known.IsStatic)
            throw ShapeError("Reshape", $"cannot reshape {x.Shape} ({total} elements) to [{string.Join(", ", shape)}]", x);
        return AddNode("Reshape", [x, Int64s(shape)], [new(x.Type, new Shape(dims))])[0];
    }

    /// <summary>Reshape to a shape computed at run time (e.g. <c>Shape(other)</c>), whose static form is <paramref name="result"/>.</summary>
    public Value Reshape(Value x, Value shape, Shape result) => AddNode("Reshape", [x, shape], [new(x.Type, result)])[0];

    /// <summary>Reshape <paramref name="x"/> to the run-time shape of <paramref name="like"/>.</summary>
    public Value ReshapeLike(Value x, Value like) => Reshape(x, ShapeOf(like), like.Shape);

    /// <summary>Permutes dims: output dim i is input dim perm[i].</summary>
    /// <exception cref="ShapeMismatchException">perm is not a permutation of the input's axes.</exception>
    public Value Transpose(Value x, params long[] perm)
    {
        if (perm.Length != x.Rank || perm.Distinct().Count() != perm.Length || perm.Any(p => p < 0 || p >= x.Rank))
            throw ShapeError("Transpose", $"perm [{string.Join(", ", perm)}] is not a permutation of rank {x.Rank}", x);
        var shape = new Shape(perm.Select(p => x.Shape[(int)p]).ToArray());
        return AddNode("Transpose", [x], [new(x.Type, shape)], new Dictionary<string, object> { ["perm"] = perm })[0];
    }

    /// <summary>Inserts size-1 dims at <paramref name="axes"/> (axes of the output).</summary>
    public Value Unsqueeze(Value x, params long[] axes)
    {
        int rank = x.Rank + axes.Length;
        var norm = axes.Select(a => (int)(a < 0 ? a + rank : a)).ToHashSet();
        var dims = new List<Dim>();
        int src = 0;
        for (int i = 0; i < rank; i++) dims.Add(norm.Contains(i) ? Dim.Of(1) : x.Shape[src++]);
        return AddNode("Unsqueeze", [x, Int64s(axes)], [new(x.Type, new Shape(dims.ToArray()))])[0];
    }

    /// <summary>Removes the size-1 dims at <paramref name="axes"/>.</summary>
    /// <exception cref="ShapeMismatchException">A squeezed dim is not statically 1.</exception>
    public Value Squeeze(Value x, params long[] axes)
    {
        var norm = axes.Select(a => x.Shape.NormalizeAxis((int)a)).ToHashSet();
        foreach (var a in norm)
            if (!(x.Shape[a].IsStatic && x.Shape[a].Value == 1)) throw ShapeError("Squeeze", $"axis {a} has size {x.Shape[a]}, not 1", x);
        var dims = x.Shape.Dims.Where((_, i) => !norm.Contains(i)).ToArray();
        return AddNode("Squeeze", [x, Int64s(axes)], [new(x.Type, new Shape(dims))])[0];
    }

    /// <summary>Concatenates along <paramref name="axis"/>; other dims must match.</summary>
    /// <exception cref="ShapeMismatchException">Ranks, types or non-axis dims differ.</exception>
    public Value Concat(IReadOnlyList<Value> xs, long axis)
    {
        var first = xs[0];
        int ax = first.Shape.NormalizeAxis((int)axis);
        Dim total = 0;
        foreach (var x in xs)
        {
            if (x.Rank != first.Rank || x.Type != first.Type) throw ShapeError("Concat", "ranks or types differ", [.. xs]);
            for (int i = 0; i < x.Rank; i++)
                if (i != ax && x.Shape[i] != first.Shape[i]) throw ShapeError("Concat", $"dim {i} differs ({x.Shape[i]} vs {first.Shape[i]})", [.. xs]);
            total = Sum(total, x.Shape[ax]);
        }
        return AddNode("Concat", xs.ToArray(), [new(first.Type, first.Shape.With(ax, total))], new Dictionary<string, object> { ["axis"] = axis })[0];
    }

    private static Dim Sum(Dim a, Dim b) => a.IsStatic && b.IsStatic ? Dim.Of(a.Value + b.Value) : Dim.Unknown;

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given sizes.</summary>
    /// <exception cref="ShapeMismatchException">The sizes do not add up to a static axis length.</exception>
    public Value[] Split(Value x, long axis, params long[] sizes)
    {
        int ax = x.Shape.NormalizeAxis((int)axis);
        if (x.Shape[ax].IsStatic && sizes.Sum() != x.Shape[ax].Value)
            throw ShapeError("Split", $"sizes [{string.Join(", ", sizes)}] do not add up to {x.Shape[ax]}", x);
        var outs = sizes.Select(s => new OutputSpec(x.Type, x.Shape.With(ax, s))).ToArray();
        return AddNode("Split", [x, Int64s(sizes)], outs, new Dictionary<string, object> { ["axis"] = axis });
    }

    /// <summary>Slices with constant starts/ends/axes/steps (ONNX clamping rules).</summary>
    /// <exception cref="ShapeMismatchException">The argument lists differ in length or a step is 0.</exception>
    public Value Slice(Value x, long[] starts, long[] ends, long[] axes, long[]? steps = null)
    {
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (starts.Length != ends.Length || ends.Length != axes.Length || axes.Length != steps.Length || steps.Contains(0))
            throw ShapeError("Slice", "starts/ends/axes/steps must have equal length and non-zero steps", x);
        var shape = x.Shape;
        for (int i = 0; i < axes.Length; i++)
        {
            int ax = x.Shape.NormalizeAxis((int)axes[i]);
            shape = shape.With(ax, x.Shape[ax].IsStatic ? SliceLength(x.Shape[ax].Value, starts[i], ends[i], steps[i]) : Dim.Unknown);
        }
        return AddNode("Slice", [x, Int64s(starts), Int64s(ends), Int64s(axes), Int64s(steps)], [new(x.Type, shape)])[0];
    }

    /// <summary>Number of elements an ONNX slice start:end:step takes from an axis of <paramref name="n"/> elements.</summary>
    public static long SliceLength(long n, long start, long end, long step)
    {
        (start, end) = (ClampIndex(start, n, step), ClampIndex(end, n, step, isEnd: true));
        return step > 0 ? Math.Max(0, (end - start + step - 1) / step) : Math.Max(0, (start - end - step - 1) / -step);
    }

    /// <summary>ONNX Slice's clamping of a start or end index into an axis of length <paramref name="n"/>.</summary>
    public static long ClampIndex(long i, long n, long step, bool isEnd = false)
    {
        if (i < 0) i += n;
        return step > 0 ? Math.Clamp(i, 0, n) : Math.Clamp(i, isEnd ? -1 : 0, n - 1);
    }

    /// <summary>Broadcasts x to the run-time shape of <paramref name="like"/> (ONNX Expand).</summary>
    /// <exception cref="ShapeMismatchException">The shapes do not broadcast.</exception>
    public Value ExpandLike(Value x, Value like)
    {
        var s = Shape.TryBroadcast(x.Shape, like.Shape) ?? throw ShapeError("Expand", "shapes do not broadcast", x, like);
        return AddNode("Expand", [x, ShapeOf(like)], [new(x.Type, s)])[0];
    }

    /// <summary>Broadcasts x to a constant static shape (ONNX Expand).</summary>
    /// <exception cref="ShapeMismatchException">The shapes do not broadcast.</exception>
    public Value Expand(Value x, params long[] shape)
    {
        var s = Shape.TryBroadcast(x.Shape, Shape.Of(shape)) ?? throw ShapeError("Expand", $"cannot expand to [{string.Join(", ", shape)}]", x);
        return AddNode("Expand", [x, Int64s(shape)], [new(x.Type, s)])[0];
    }

    /// <summary>The run-time shape of x as a 1-D int64 tensor of length rank.</summary>
    public Value ShapeOf(Value x) => AddNode("Shape", [x], [new(DataType.Int64, Shape.Of(x.Rank))])[0];

    /// <summary>The run-time element count of x as an int64 scalar.</summary>
    public Value Size(Value x) => AddNode("Size", [x], [new(DataType.Int64, Shape.Scalar)])[0];

    /// <summary>A tensor of <paramref name="value"/> (type <paramref name="type"/>) with the run-time shape of <paramref name="like"/>.</summary>
    public Value Fill(Value like, double value, DataType type)
    {
        TensorData fill = type switch
        {
            DataType.Float => TensorData.Create(new[] { (float)value }, 1),
            DataType.Double => TensorData.Create(new[] { value }, 1),
            DataType.Int64 => TensorData.Create(new[] { (long)value }, 1),
            _ => throw new ArgumentException($"Fill of type {type} is not supported.", nameof(type)),
        };
        var attrs = new Dictionary<string, object> { ["value"] = fill };
        return AddNode("ConstantOfShape", [ShapeOf(like)], [new(type, like.Shape)], attrs)[0];
    }

    /// <summary>Zeros with the type and run-time shape of <paramref name="like"/>.</summary>
    public Value ZerosLike(Value like) => Fill(like, 0, like.Type);

    /// <summary>Constant zero padding: pads = [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}].</summary>
    /// <exception cref="ShapeMismatchException">pads has the wrong length.</exception>
    public Value Pad(Value x, params long[] pads)
    {
        if (pads.Length != 2 * x.Rank) throw ShapeError("Pad", $"pads needs {2 * x.Rank} entries, got {pads.Length}", x);
        var dims = x.Shape.Dims.Select((d, i) => d.IsStatic ? Dim.Of(d.Value + pads[i] + pads[i + x.Rank]) : pads[i] + pads[i + x.Rank] == 0 ? d : Dim.Unknown);
        return AddNode("Pad", [x, Int64s(pads)], [new(x.Type, new Shape(dims.ToArray()))])[0];
    }
}
