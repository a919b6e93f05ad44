using System.Numerics;

namespace OnnxPretrain.Optim;

/// <summary>
/// The per-step scalars of one AdamW update, as <see cref="AdamWGraph"/> computes them in its <c>step_coefficients</c> scope:
/// the moment weights with the clip coefficient c folded in, w₁ = (1 − β₁)·c and w₂ = (1 − β₂)·c², the step size
/// lr·sqrt(bc₂)/bc₁, ε·sqrt(bc₂), and the decay factor 1 − lr·λ of parameters of rank ≥ 2.
/// </summary>
/// <param name="Beta1">β₁.</param>
/// <param name="Beta2">β₂.</param>
/// <param name="GradWeight1">(1 − β₁)·c.</param>
/// <param name="GradWeight2">(1 − β₂)·c².</param>
/// <param name="StepSize">lr·sqrt(bc₂)/bc₁.</param>
/// <param name="ScaledEpsilon">ε·sqrt(bc₂).</param>
/// <param name="DecayFactor">1 − lr·λ.</param>
public readonly record struct AdamWScalars(float Beta1, float Beta2, float GradWeight1, float GradWeight2, float StepSize,
    float ScaledEpsilon, float DecayFactor);

/// <summary>
/// The AdamW step of <see cref="AdamWGraph"/> as one fused, in-place pass per tensor on the CPU: the same update formulas in
/// the same float32 operation order, with the scalars computed in float64 as the graph does. Only the gradient norm differs
/// in rounding: it is accumulated in float64 here (the graph: float32), so the two agree to float rounding, not bit for bit,
/// and a run resumes exactly only with the optimizer (fused or graph) that wrote its checkpoint. A trainer on the CPU calls
/// <see cref="SumOfSquares"/> over every gradient, then <see cref="Scalars"/> with the global norm, then
/// <see cref="Update"/> per tensor (any split of a tensor into slices gives the same result, so slices may run in parallel).
/// It reads each of p, g, m, v once and writes p, m, v once, where the graph's ~15 element-wise nodes per parameter
/// make as many passes over memory; <c>optimizer_model.onnx</c> stays the contract for other runtimes.
/// </summary>
public static class AdamWKernel
{
    /// <summary>Σ g² of one gradient (or a slice of it): every square exact in float64, summed in float64.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> gradient)
    {
        double total = 0;
        int i = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var sum = Vector<double>.Zero;
            for (; i <= gradient.Length - width; i += width)
            {
                Vector.Widen(new Vector<float>(gradient.Slice(i, width)), out var low, out var high);
                sum += low * low + high * high;
            }
            total = Vector.Sum(sum);
        }
        for (; i < gradient.Length; i++) total += (double)gradient[i] * gradient[i];
        return total;
    }

    /// <summary>
    /// The scalars of update number <paramref name="step"/> (1-based) at <paramref name="learningRate"/>, given the global
    /// gradient norm ‖g‖ (before clipping): c = min(1, maxGradNorm / (‖g‖ + 1e-6)) in float32 when clipping is on, else 1.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid, or the step is below 1.</exception>
    public static AdamWScalars Scalars(AdamWOptions options, float learningRate, long step, float globalGradNorm)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (step < 1) throw new ArgumentException($"step is {step}; the AdamW update number starts at 1.", nameof(step));
        double lr = learningRate, t = step;
        double sqrtBc2 = Math.Sqrt(1 - Math.Pow(options.Beta2, t)), bc1 = 1 - Math.Pow(options.Beta1, t);
        double c = options.MaxGradNorm is { } max ? Math.Min(max / (globalGradNorm + AdamWGraph.ClipEpsilon), 1f) : 1;
        return new AdamWScalars(options.Beta1, options.Beta2,
            GradWeight1: (float)((1 - (double)options.Beta1) * c),
            GradWeight2: (float)((1 - (double)options.Beta2) * (c * c)),
            StepSize: (float)(lr * sqrtBc2 / bc1),
            ScaledEpsilon: (float)(options.Epsilon * sqrtBc2),
            DecayFactor: (float)(1 - lr * options.WeightDecay));
    }

    /// <summary>
    /// One in-place update of a tensor (or a slice of it): m ← β₁·m + w₁·g; v ← β₂·v + w₂·(g·g); p ← p·(1 − lr·λ) when
    /// <paramref name="decays"/>; p ← p − step·(m / (sqrt(v) + ε·sqrt(bc₂))).
    /// </summary>
    /// <exception cref="ArgumentException">The four spans differ in length.</exception>
    public static void Update(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> m, Span<float> v, AdamWScalars c, bool decays)
    {
        int n = parameter.Length;
        if (gradient.Length != n || m.Length != n || v.Length != n)
            throw new ArgumentException($"AdamW slices differ in length: parameter {n}, gradient {gradient.Length}, m {m.Length}, v {v.Length}.");
        float decay = decays ? c.DecayFactor : 1f;
        int i = 0;
        if (Vector.IsHardwareAccelerated) i = UpdateVectors(parameter, gradient, m, v, c, decay, decays);
        for (; i < n; i++)
        {
            float g = gradient[i];
            float mi = c.Beta1 * m[i] + c.GradWeight1 * g;
            float vi = c.Beta2 * v[i] + c.GradWeight2 * (g * g);
            float p = decays ? parameter[i] * decay : parameter[i];
            m[i] = mi;
            v[i] = vi;
            parameter[i] = p - c.StepSize * (mi / (MathF.Sqrt(vi) + c.ScaledEpsilon));
        }
    }

    /// <summary>The vectorised body of <see cref="Update"/>; returns the index where the scalar tail starts.</summary>
    private static int UpdateVectors(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> m, Span<float> v, AdamWScalars c,
        float decay, bool decays)
    {
        var b1 = new Vector<float>(c.Beta1);
        var b2 = new Vector<float>(c.Beta2);
        var w1 = new Vector<float>(c.GradWeight1);
        var w2 = new Vector<float>(c.GradWeight2);
        var stepSize = new Vector<float>(c.StepSize);
        var epsilon = new Vector<float>(c.ScaledEpsilon);
        var factor = new Vector<float>(decay);
        int i = 0, width = Vector<float>.Count;
        for (; i <= parameter.Length - width; i += width)
        {
            var g = new Vector<float>(gradient.Slice(i, width));
            var mi = b1 * new Vector<float>(m.Slice(i, width)) + w1 * g;
            var vi = b2 * new Vector<float>(v.Slice(i, width)) + w2 * (g * g);
            var p = new Vector<float>(parameter.Slice(i, width));
            if (decays) p *= factor;
            mi.CopyTo(m.Slice(i, width));
            vi.CopyTo(v.Slice(i, width));
            (p - stepSize * (mi / (Vector.SquareRoot(vi) + epsilon))).CopyTo(parameter.Slice(i, width));
        }
        return i;
    }
}
