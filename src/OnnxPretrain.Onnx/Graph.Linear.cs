namespace OnnxPretrain.Onnx;

// Matrix products: MatMul, ORT's FusedMatMul (transposes and scale folded in), Gemm.
public sealed partial class Graph
{
    /// <summary>Batched matrix product: (..., M, K) @ (..., K, N) -> (..., M, N); batch dims broadcast.</summary>
    /// <exception cref="ShapeMismatchException">Rank below 2, types differ, inner dims differ or batch dims do not broadcast.</exception>
    public Value MatMul(Value a, Value b) =>
        AddNode("MatMul", [a, b], [new(a.Type, MatMulShape("MatMul", a, b, false, false))])[0];

    /// <summary>
    /// ORT contrib <c>com.microsoft.FusedMatMul</c>: alpha · op(a) @ op(b), where op transposes the last two dims when
    /// the flag is set. (..., M, K) @ (..., K, N) -> (..., M, N) after the transposes.
    /// </summary>
    /// <exception cref="ShapeMismatchException">Rank below 2, types differ, inner dims differ or batch dims do not broadcast.</exception>
    public Value FusedMatMul(Value a, Value b, bool transA = false, bool transB = false, float alpha = 1f)
    {
        var shape = MatMulShape("FusedMatMul", a, b, transA, transB);
        var attrs = new Dictionary<string, object> { ["alpha"] = alpha, ["transA"] = transA ? 1L : 0L, ["transB"] = transB ? 1L : 0L };
        return AddNode("FusedMatMul", [a, b], [new(a.Type, shape)], attrs, MsDomain)[0];
    }

    /// <summary>
    /// General matrix multiply on 2-D tensors: alpha · op(a) @ op(b) + beta · c, with c broadcast to (M, N).
    /// </summary>
    /// <exception cref="ShapeMismatchException">a or b is not 2-D, inner dims differ or c does not broadcast.</exception>
    public Value Gemm(Value a, Value b, Value? c = null, float alpha = 1f, float beta = 1f, bool transA = false, bool transB = false)
    {
        if (a.Rank != 2 || b.Rank != 2) throw ShapeError("Gemm", "both operands must be 2-D", a, b);
        var shape = MatMulShape("Gemm", a, b, transA, transB);
        if (c is not null && Shape.TryBroadcast(c.Shape, shape)?.Equals(shape) != true)
            throw ShapeError("Gemm", $"bias shape {c.Shape} does not broadcast to {shape}", a, b, c);
        var attrs = new Dictionary<string, object> { ["alpha"] = alpha, ["beta"] = beta, ["transA"] = transA ? 1L : 0L, ["transB"] = transB ? 1L : 0L };
        return AddNode("Gemm", c is null ? [a, b] : [a, b, c], [new(a.Type, shape)], attrs)[0];
    }

    private Shape MatMulShape(string op, Value a, Value b, bool transA, bool transB)
    {
        if (a.Rank < 2 || b.Rank < 2) throw ShapeError(op, "operands must have rank >= 2 (reshape vectors first)", a, b);
        if (a.Type != b.Type) throw ShapeError(op, $"element types differ ({a.Type} vs {b.Type})", a, b);
        Dim m = transA ? a.Shape[-1] : a.Shape[-2], ka = transA ? a.Shape[-2] : a.Shape[-1];
        Dim kb = transB ? b.Shape[-1] : b.Shape[-2], n = transB ? b.Shape[-2] : b.Shape[-1];
        if (ka != kb && !ka.IsUnknown && !kb.IsUnknown)
            throw ShapeError(op, $"inner dimensions differ ({ka} vs {kb}) for shapes {a.Shape} and {b.Shape}", a, b);
        var batchA = new Shape(a.Shape.Dims.Take(a.Rank - 2).ToArray());
        var batchB = new Shape(b.Shape.Dims.Take(b.Rank - 2).ToArray());
        var batch = Shape.TryBroadcast(batchA, batchB)
            ?? throw ShapeError(op, $"batch dims {batchA} and {batchB} do not broadcast", a, b);
        return new Shape([.. batch.Dims, m, n]);
    }
}
