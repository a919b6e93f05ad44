using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

public static partial class Rules
{
    // Y = A @ B, A (..., M, K), B (..., K, N): dA = dY @ B^T, dB = A^T @ dY (FusedMatMul folds the transposes).
    /// <summary>MatMul: dA = dY·Bᵀ, dB = Aᵀ·dY; a 2-D weight's gradient is one (K, B·T) @ (B·T, N) product.</summary>
    public static Value?[] MatMul(GradientContext c)
    {
        Value a = c.X(0), b = c.X(1), dy = c.Dy;
        var da = c.Needs(0) ? c.G.FusedMatMul(dy, b, transB: true) : null;
        Value? db = null;
        if (c.Needs(1) && b.Rank == 2 && a.Rank > 2 && a.Shape[-1].IsStatic && b.Shape[-1].IsStatic)
        {
            var a2 = c.G.Reshape(a, -1, a.Shape[-1].Value);          // (B*T, K)
            var dy2 = c.G.Reshape(dy, -1, b.Shape[-1].Value);        // (B*T, N)
            db = c.G.FusedMatMul(a2, dy2, transA: true);             // (K, N)
        }
        else if (c.Needs(1))
        {
            db = c.G.FusedMatMul(a, dy, transA: true);              // (..., K, N), summed over broadcast batch dims by the engine
        }
        return [da, db];
    }

    // Y = alpha op(A) op(B) + beta C; the four transpose cases below follow from dA' = alpha dY op(B)^T, dB' = alpha op(A)^T dY.
    /// <summary>Gemm (all transA/transB cases): gradients for A, B and the broadcast bias C.</summary>
    public static Value?[] Gemm(GradientContext c)
    {
        bool ta = c.Node.GetInt("transA", 0) != 0, tb = c.Node.GetInt("transB", 0) != 0;
        float alpha = c.Node.GetFloat("alpha", 1f), beta = c.Node.GetFloat("beta", 1f);
        Value a = c.X(0), b = c.X(1), dy = c.Dy;
        Value? da = !c.Needs(0) ? null : ta
            ? c.G.FusedMatMul(b, dy, transA: tb, transB: true, alpha: alpha)     // A (K, M): dA = alpha op(B) dY^T
            : c.G.FusedMatMul(dy, b, transB: !tb, alpha: alpha);                 // A (M, K): dA = alpha dY op(B)^T
        Value? db = !c.Needs(1) ? null : tb
            ? c.G.FusedMatMul(dy, a, transA: true, transB: ta, alpha: alpha)     // B (N, K): dB = alpha dY^T op(A)
            : c.G.FusedMatMul(a, dy, transA: !ta, alpha: alpha);                 // B (K, N): dB = alpha op(A)^T dY
        Value? dc = c.InputCount > 2 && c.Needs(2) ? (beta == 1f ? dy : c.G.Mul(dy, c.Scalar(beta, dy))) : null;
        return c.InputCount > 2 ? [da, db, dc] : [da, db];
    }
}
