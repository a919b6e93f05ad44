namespace OnnxPretrain.Onnx;

// Neural-network ops: softmax family, layer norm, dropout, embedding gather/scatter, cross-entropy.
public sealed partial class Graph
{
    /// <summary>Softmax along <paramref name="axis"/> (opset 13 semantics: one axis).</summary>
    public Value Softmax(Value x, long axis = -1) =>
        AddNode("Softmax", [x], [new(x.Type, x.Shape)], new Dictionary<string, object> { ["axis"] = axis })[0];

    /// <summary>Log-softmax along <paramref name="axis"/>.</summary>
    public Value LogSoftmax(Value x, long axis = -1) =>
        AddNode("LogSoftmax", [x], [new(x.Type, x.Shape)], new Dictionary<string, object> { ["axis"] = axis })[0];

    /// <summary>
    /// Layer normalization over the dims from <paramref name="axis"/> on (Ba et al. 2016): x (..., C), scale/bias (C) -> y (..., C).
    /// Also returns the saved Mean and InvStdDev (..., 1), which the gradient rule uses.
    /// </summary>
    /// <exception cref="ShapeMismatchException">scale or bias do not match the normalized dims.</exception>
    public (Value Y, Value Mean, Value InvStdDev) LayerNormalization(Value x, Value scale, Value? bias, long axis = -1, float epsilon = 1e-12f)
    {
        int ax = x.Shape.NormalizeAxis((int)axis);
        var normShape = new Shape(x.Shape.Dims.Skip(ax).ToArray());
        if (!scale.Shape.Equals(normShape) || (bias is not null && !bias.Shape.Equals(normShape)))
            throw ShapeError("LayerNormalization", $"scale/bias must have shape {normShape}", bias is null ? [x, scale] : [x, scale, bias]);
        var stats = new Shape(x.Shape.Dims.Select((d, i) => i < ax ? d : Dim.Of(1)).ToArray());
        var attrs = new Dictionary<string, object> { ["axis"] = axis, ["epsilon"] = epsilon,
            ["stash_type"] = (long)(x.Type == DataType.Double ? DataType.Double : DataType.Float) };
        var statType = x.Type == DataType.Double ? DataType.Double : DataType.Float;
        var o = AddNode("LayerNormalization", bias is null ? [x, scale] : [x, scale, bias],
            [new(x.Type, x.Shape), new(statType, stats), new(statType, stats)], attrs);
        return (o[0], o[1], o[2]);
    }

    /// <summary>
    /// Dropout (Srivastava et al. 2014) with inverted scaling 1/(1-ratio) in training mode; identity otherwise.
    /// Returns the output and the bool keep-mask (used by the gradient rule).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">ratio is outside [0, 1).</exception>
    public (Value Y, Value Mask) Dropout(Value x, float ratio, bool training, long? seed = null)
    {
        if (ratio < 0 || ratio >= 1) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Dropout ratio must be in [0, 1).");
        var r = x.Type == DataType.Double ? Constant(TensorData.Create(new[] { (double)ratio })) : Constant(TensorData.Create(new[] { ratio }));
        var t = Constant(TensorData.Create(new[] { training }));
        var attrs = new Dictionary<string, object>();
        if (seed is { } s) attrs["seed"] = s;
        var o = AddNode("Dropout", [x, r, t], [new(x.Type, x.Shape), new(DataType.Bool, x.Shape)], attrs);
        return (o[0], o[1]);
    }

    /// <summary>Gathers slices of <paramref name="data"/> along <paramref name="axis"/>: embedding lookup (V, C)[(B, T)] -> (B, T, C).</summary>
    /// <exception cref="ShapeMismatchException">indices are not int64/int32.</exception>
    public Value Gather(Value data, Value indices, long axis = 0)
    {
        if (indices.Type is not (DataType.Int64 or DataType.Int32)) throw ShapeError("Gather", "indices must be int64 or int32", data, indices);
        int ax = data.Shape.NormalizeAxis((int)axis);
        var dims = data.Shape.Dims.Take(ax).Concat(indices.Shape.Dims).Concat(data.Shape.Dims.Skip(ax + 1)).ToArray();
        return AddNode("Gather", [data, indices], [new(data.Type, new Shape(dims))], new Dictionary<string, object> { ["axis"] = axis })[0];
    }

    /// <summary>ScatterND (opset 16+) with an optional reduction (<c>none</c>, <c>add</c>, <c>mul</c>); output has data's shape.</summary>
    public Value ScatterND(Value data, Value indices, Value updates, string reduction = "none") =>
        AddNode("ScatterND", [data, indices, updates], [new(data.Type, data.Shape)], new Dictionary<string, object> { ["reduction"] = reduction })[0];

    /// <summary>ScatterElements (opset 16+) along <paramref name="axis"/> with an optional reduction; output has data's shape.</summary>
    public Value ScatterElements(Value data, Value indices, Value updates, long axis, string reduction = "none") =>
        AddNode("ScatterElements", [data, indices, updates], [new(data.Type, data.Shape)],
            new Dictionary<string, object> { ["axis"] = axis, ["reduction"] = reduction })[0];

    /// <summary>One-hot encoding of int64 indices with <paramref name="depth"/> classes, new axis last; values 0/1 of type <paramref name="type"/>.</summary>
    public Value OneHot(Value indices, long depth, DataType type)
    {
        var values = type == DataType.Double ? Constant(TensorData.Create(new[] { 0.0, 1.0 }, 2)) : Constant(TensorData.Create(new[] { 0f, 1f }, 2));
        var shape = new Shape([.. indices.Shape.Dims, depth]);
        return AddNode("OneHot", [indices, Int64s(depth), values], [new(type, shape)], new Dictionary<string, object> { ["axis"] = -1L })[0];
    }

    /// <summary>
    /// Softmax cross-entropy: scores (N, C) or (N, C, d...) and int64 labels (N) or (N, d...); positions whose label equals
    /// <paramref name="ignoreIndex"/> are skipped. Reduction <c>mean</c> divides by the number of non-ignored labels.
    /// Returns the loss (scalar for mean/sum) and the log-probabilities (scores' shape), which the gradient rule uses.
    /// </summary>
    /// <exception cref="ShapeMismatchException">Labels are not int64 or their shape does not match the scores.</exception>
    public (Value Loss, Value LogProb) SoftmaxCrossEntropyLoss(Value scores, Value labels, long ignoreIndex = -100, string reduction = "mean")
    {
        if (labels.Type != DataType.Int64) throw ShapeError("SoftmaxCrossEntropyLoss", "labels must be int64", scores, labels);
        var expected = new Shape(scores.Shape.Dims.Where((_, i) => i != 1).ToArray());
        if (Shape.TryBroadcast(expected, labels.Shape)?.Equals(expected) != true || labels.Rank != expected.Rank)
            throw ShapeError("SoftmaxCrossEntropyLoss", $"labels must have shape {expected}", scores, labels);
        var lossShape = reduction == "none" ? expected : Shape.Scalar;
        var attrs = new Dictionary<string, object> { ["reduction"] = reduction, ["ignore_index"] = ignoreIndex };
        var o = AddNode("SoftmaxCrossEntropyLoss", [scores, labels], [new(scores.Type, lossShape), new(scores.Type, scores.Shape)], attrs);
        return (o[0], o[1]);
    }

    /// <summary>Index of the maximum along <paramref name="axis"/> (int64; first index on ties; no gradient).</summary>
    public Value ArgMax(Value x, long axis = -1, bool keepDims = false)
    {
        int ax = x.Shape.NormalizeAxis((int)axis);
        var dims = x.Shape.Dims.Where((_, i) => i != ax || keepDims).Select((d, i) => keepDims && i == ax ? Dim.Of(1) : d).ToArray();
        var attrs = new Dictionary<string, object> { ["axis"] = axis, ["keepdims"] = keepDims ? 1L : 0L };
        return AddNode("ArgMax", [x], [new(DataType.Int64, new Shape(dims))], attrs)[0];
    }

    /// <summary>The run-time size of axis <paramref name="axis"/> of <paramref name="x"/> as an int64 scalar.</summary>
    public Value DimOf(Value x, int axis) =>
        AddNode("Gather", [ShapeOf(x), Scalar(x.Shape.NormalizeAxis(axis), DataType.Int64)], [new(DataType.Int64, Shape.Scalar)],
            new Dictionary<string, object> { ["axis"] = 0L })[0];

    /// <summary>ONNX Range: start, start + delta, ... below limit (scalars of one type); <paramref name="length"/> is its static size.</summary>
    public Value Range(Value start, Value limit, Value delta, Dim length) =>
        AddNode("Range", [start, limit, delta], [new(start.Type, new Shape(length))])[0];

    /// <summary>
    /// Position ids 0..T-1 of the run-time length of axis <paramref name="axis"/> of <paramref name="like"/> (int64, shape (T)).
    /// </summary>
    public Value PositionIds(Value like, int axis) =>
        Range(Scalar(0, DataType.Int64), DimOf(like, axis), Scalar(1, DataType.Int64), like.Shape[axis]);

    /// <summary>
    /// Flat row index b·T of each sequence's first token in (B·T, ·) rows, from ids (B, T): int64 (B).
    /// </summary>
    public Value FirstTokenRows(Value ids)
    {
        var t = DimOf(ids, 1);
        return Range(Scalar(0, DataType.Int64), Mul(DimOf(ids, 0), t), t, ids.Shape[0]);
    }
}
