using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

/// <summary>
/// Gradient rules, one static method per op, grouped by family in partial files. Each returns one gradient per
/// forward input (null = none). Broadcast reduction is done by <see cref="GradientBuilder"/>.
/// </summary>
public static partial class Rules
{
    // y = a + b: da = dy, db = dy
    /// <summary>Add: (dy, dy).</summary>
    public static Value?[] Add(GradientContext c) => [c.Dy, c.Dy];

    // y = a - b: da = dy, db = -dy
    /// <summary>Sub: (dy, -dy).</summary>
    public static Value?[] Sub(GradientContext c) => [c.Dy, c.Needs(1) ? c.G.Neg(c.Dy) : null];

    // y = a * b: da = dy * b, db = dy * a
    /// <summary>Mul: (dy·b, dy·a).</summary>
    public static Value?[] Mul(GradientContext c) =>
        [c.Needs(0) ? c.G.Mul(c.Dy, c.X(1)) : null, c.Needs(1) ? c.G.Mul(c.Dy, c.X(0)) : null];

    // y = a / b: da = dy / b, db = -dy * y / b
    /// <summary>Div: (dy/b, -dy·y/b).</summary>
    public static Value?[] Div(GradientContext c) =>
        [c.Needs(0) ? c.G.Div(c.Dy, c.X(1)) : null, c.Needs(1) ? c.G.Neg(c.G.Div(c.G.Mul(c.Dy, c.Y(0)), c.X(1))) : null];

    /// <summary>Neg: -dy.</summary>
    public static Value?[] Neg(GradientContext c) => [c.G.Neg(c.Dy)];

    // y = sqrt(x): dx = dy * 0.5 / y
    /// <summary>Sqrt: dy·0.5/y.</summary>
    public static Value?[] Sqrt(GradientContext c) => [c.G.Div(c.G.Mul(c.Dy, c.Scalar(0.5, c.Dy)), c.Y(0))];

    // y = x ^ e: dx = dy * e * x^(e-1); the exponent gets no gradient
    /// <summary>Pow: dy·e·x^(e-1); a gradient for the exponent is not supported.</summary>
    public static Value?[] Pow(GradientContext c)
    {
        if (c.Needs(1)) throw c.Unsupported("gradient with respect to the exponent");
        var e = c.X(1).Type == c.X(0).Type ? c.X(1) : c.G.Cast(c.X(1), c.X(0).Type);
        var eMinus1 = c.G.Sub(e, c.Scalar(1, c.X(0)));
        return [c.G.Mul(c.Dy, c.G.Mul(e, c.G.Pow(c.X(0), eMinus1))), null];
    }

    // y = exp(x): dx = dy * y
    /// <summary>Exp: dy·y.</summary>
    public static Value?[] Exp(GradientContext c) => [c.G.Mul(c.Dy, c.Y(0))];

    // y = log(x): dx = dy / x
    /// <summary>Log: dy/x.</summary>
    public static Value?[] Log(GradientContext c) => [c.G.Div(c.Dy, c.X(0))];

    // y = tanh(x): dx = dy * (1 - y^2)
    /// <summary>Tanh: dy·(1 - y²).</summary>
    public static Value?[] Tanh(GradientContext c) =>
        [c.G.Mul(c.Dy, c.G.Sub(c.Scalar(1, c.Dy), c.G.Mul(c.Y(0), c.Y(0))))];

    // y = sigmoid(x): dx = dy * y * (1 - y)
    /// <summary>Sigmoid: dy·y·(1 - y).</summary>
    public static Value?[] Sigmoid(GradientContext c) =>
        [c.G.Mul(c.Dy, c.G.Mul(c.Y(0), c.G.Sub(c.Scalar(1, c.Dy), c.Y(0))))];

    // y = max(x, 0): dx = x > 0 ? dy : 0
    /// <summary>Relu: dy where x &gt; 0, else 0.</summary>
    public static Value?[] Relu(GradientContext c) =>
        [c.G.Where(c.G.Greater(c.X(0), c.Scalar(0, c.X(0))), c.Dy, c.Scalar(0, c.Dy))];

    // y = erf(x): dx = dy * 2/sqrt(pi) * exp(-x^2)
    /// <summary>Erf: dy·(2/√π)·exp(-x²).</summary>
    public static Value?[] Erf(GradientContext c)
    {
        var x = c.X(0);
        var dydx = c.G.Mul(c.Scalar(2 / Math.Sqrt(Math.PI), x), c.G.Exp(c.G.Neg(c.G.Mul(x, x))));
        return [c.G.Mul(c.Dy, dydx)];
    }

    // y = x * Phi(x): dx = dy * (Phi(x) + x * phi(x)), Phi = 0.5 (1 + erf(x / sqrt 2)), phi = exp(-x^2/2) / sqrt(2 pi)
    /// <summary>Exact GELU (<c>com.microsoft.Gelu</c>): dy·(Φ(x) + x·φ(x)).</summary>
    public static Value?[] Gelu(GradientContext c)
    {
        var g = c.G;
        var x = c.X(0);
        var cdf = g.Mul(c.Scalar(0.5, x), g.Add(c.Scalar(1, x), g.Erf(g.Mul(x, c.Scalar(1 / Math.Sqrt(2), x)))));
        var pdf = g.Mul(c.Scalar(1 / Math.Sqrt(2 * Math.PI), x), g.Exp(g.Mul(c.Scalar(-0.5, x), g.Mul(x, x))));
        return [g.Mul(c.Dy, g.Add(cdf, g.Mul(x, pdf)))];
    }

    // y = 0.5 x (1 + t), t = tanh(k (x + a x^3)): dx = dy * (0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 a x^2))
    /// <summary>Tanh-approximated GELU (<c>com.microsoft.FastGelu</c>, no bias input).</summary>
    public static Value?[] FastGelu(GradientContext c)
    {
        if (c.InputCount > 1 && c.Node.Inputs[1] is not null) throw c.Unsupported("FastGelu with a bias input");
        var g = c.G;
        var x = c.X(0);
        double k = Math.Sqrt(2 / Math.PI), a = 0.044715;
        var x2 = g.Mul(x, x);
        var t = g.Tanh(g.Mul(c.Scalar(k, x), g.Add(x, g.Mul(c.Scalar(a, x), g.Mul(x2, x)))));
        var left = g.Mul(c.Scalar(0.5, x), g.Add(c.Scalar(1, x), t));
        var sech2 = g.Sub(c.Scalar(1, x), g.Mul(t, t));
        var inner = g.Mul(c.Scalar(k, x), g.Add(c.Scalar(1, x), g.Mul(c.Scalar(3 * a, x), x2)));
        var right = g.Mul(g.Mul(c.Scalar(0.5, x), x), g.Mul(sech2, inner));
        return [g.Mul(c.Dy, g.Add(left, right))];
    }

    // y = cond ? a : b: da = cond ? dy : 0, db = cond ? 0 : dy
    /// <summary>Where: dy routed to the branch the condition picked.</summary>
    public static Value?[] Where(GradientContext c)
    {
        var zero = c.Scalar(0, c.Dy);
        return [null, c.Needs(1) ? c.G.Where(c.X(0), c.Dy, zero) : null, c.Needs(2) ? c.G.Where(c.X(0), zero, c.Dy) : null];
    }

    /// <summary>Cast: dy cast back to the input type (no gradient for non-floating inputs).</summary>
    public static Value?[] Cast(GradientContext c) => [c.X(0).Type.IsFloating() ? c.G.Cast(c.Dy, c.X(0).Type) : null];

    /// <summary>Identity: dy.</summary>
    public static Value?[] Identity(GradientContext c) => [c.Dy];
}
