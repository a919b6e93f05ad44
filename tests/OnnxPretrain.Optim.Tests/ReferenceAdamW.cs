using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Optim.Tests;

/// <summary>
/// torch.optim.AdamW (Loshchilov and Hutter 2019, Alg. 2) after clip_grad_norm_, written as plain float64 loops.
/// Parameters of rank ≥ 2 get decoupled weight decay; biases and other rank 0/1 tensors do not.
/// </summary>
internal sealed class ReferenceAdamW
{
    private readonly AdamWOptions _o;
    private readonly IReadOnlyList<OptimizedParameter> _parameters;

    public Dictionary<string, double[]> P { get; } = [];
    public Dictionary<string, double[]> M { get; } = [];
    public Dictionary<string, double[]> V { get; } = [];

    public ReferenceAdamW(AdamWOptions o, IReadOnlyList<OptimizedParameter> parameters, Dictionary<string, TensorData> initial)
    {
        _o = o;
        _parameters = parameters;
        foreach (var p in parameters)
        {
            P[p.Name] = initial[p.Name].AsFloats().Select(x => (double)x).ToArray();
            M[p.Name] = initial[ArtifactNames.Momentum0(p.Name)].AsFloats().Select(x => (double)x).ToArray();
            V[p.Name] = initial[ArtifactNames.Momentum1(p.Name)].AsFloats().Select(x => (double)x).ToArray();
        }
    }

    /// <summary>Applies update number <paramref name="t"/> (1-based); returns the gradient norm before clipping.</summary>
    public double Step(Dictionary<string, float[]> grads, double lr, long t)
    {
        double norm = Math.Sqrt(grads.Values.SelectMany(g => g).Sum(g => (double)g * g));
        double clip = _o.MaxGradNorm is { } max ? Math.Min(1.0, max / (norm + 1e-6)) : 1.0;
        double b1 = _o.Beta1, b2 = _o.Beta2, eps = _o.Epsilon, wd = _o.WeightDecay;
        double bc1 = 1 - Math.Pow(b1, t);
        double bc2 = 1 - Math.Pow(b2, t);
        foreach (var param in _parameters)
        {
            double[] p = P[param.Name], m = M[param.Name], v = V[param.Name];
            float[] grad = grads[param.Name];
            bool decays = param.Shape.Length >= 2;
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] * clip;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                if (decays) p[i] *= 1 - lr * wd;
                p[i] -= lr / bc1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(bc2) + eps);
            }
        }
        return norm;
    }
}
