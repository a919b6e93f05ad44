using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Autodiff;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Autodiff.Tests;

/// <summary>Marks a test as the finite-difference test of the gradient rules for the listed ops (registry keys).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GradientTestAttribute(params string[] ops) : Attribute
{
    public string[] Ops { get; } = ops;
}

/// <summary>
/// Central finite differences against the autodiff gradient. The function's output is reduced to a scalar loss
/// L = sum(out * W) with a fixed random W, so every output element is weighted differently.
/// Analytic gradients run in float64 when ORT's CPU kernels for the backward ops support it, float32 otherwise;
/// the numeric side runs the forward graph in float64 when it loads, float32 otherwise. Tolerances:
///   both float64: |a - n| &lt;= 1e-6 + 1e-5 |n|  (eps 1e-6)
///   analytic float32, numeric float64: |a - n| &lt;= 1e-4 + 1e-3 |n|  (eps 1e-6)
///   numeric float32: |a - n| &lt;= 2e-3 + 2e-2 |n|  (eps 1e-3)
/// </summary>
public static class GradCheck
{
    public delegate Value Function(Graph g, IReadOnlyList<Value> xs);

    /// <summary>Checks d(sum(f(xs) * W))/dxs for every input; returns a description of the precision used.</summary>
    public static string Check(string expectOp, Function f, params TensorData[] inputs) =>
        CheckAs([DataType.Double, DataType.Float], expectOp, f, inputs);

    /// <summary>As <see cref="Check"/>, trying only the given precisions, in order.</summary>
    public static string CheckAs(DataType[] types, string expectOp, Function f, params TensorData[] inputs)
    {
        var (analytic, aType) = Analytic(types, expectOp, f, inputs);
        var (numeric, nType, eps) = Numeric(types, f, inputs);
        double atol, rtol;
        if (aType == DataType.Double && nType == DataType.Double) (atol, rtol) = (1e-6, 1e-5);
        else if (nType == DataType.Double) (atol, rtol) = (1e-4, 1e-3);
        else (atol, rtol) = (2e-3, 2e-2);
        for (int k = 0; k < inputs.Length; k++)
        {
            for (int i = 0; i < numeric[k].Length; i++)
            {
                double a = analytic[k][i], n = numeric[k][i];
                if (!(Math.Abs(a - n) <= atol + rtol * Math.Abs(n)))
                    Assert.Fail($"{expectOp}: d/dx{k}[{i}] analytic {a:G9} vs numeric {n:G9} (analytic {aType}, numeric {nType}, eps {eps}).");
            }
        }
        var mode = $"{expectOp}: analytic {aType}, numeric {nType}";
        Console.WriteLine(mode);
        return mode;
    }

    private static (double[][], DataType) Analytic(DataType[] types, string expectOp, Function f, TensorData[] inputs)
    {
        foreach (var type in types)
        {
            var (g, loss, xs) = Build(f, inputs, type);
            var grads = GradientBuilder.Build(g, loss, xs);
            for (int k = 0; k < xs.Count; k++) g.Output(grads[xs[k]], $"grad_{k}");
            AssertGraph(g, expectOp);
            var model = TryLoad(g);
            if (model is null) continue;
            using (model)
            {
                var outs = model.Run(Feed(inputs, type));
                return (Enumerable.Range(0, xs.Count).Select(k => ToDoubles(outs[$"grad_{k}"])).ToArray(), type);
            }
        }
        throw new AssertFailedException($"{expectOp}: gradient graph loads in neither float64 nor float32.");
    }

    private static (double[][], DataType, double) Numeric(DataType[] types, Function f, TensorData[] inputs)
    {
        foreach (var type in types)
        {
            var (g, _, _) = Build(f, inputs, type);
            using var model = TryLoad(g);
            if (model is null) continue;
            double eps = type == DataType.Double ? 1e-6 : 1e-3;
            var result = new double[inputs.Length][];
            for (int k = 0; k < inputs.Length; k++)
            {
                var x = ToDoubles(inputs[k]);
                result[k] = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    double saved = x[i];
                    x[i] = saved + eps;
                    double plus = Loss(model, inputs, k, x, type);
                    x[i] = saved - eps;
                    double minus = Loss(model, inputs, k, x, type);
                    x[i] = saved;
                    result[k][i] = (plus - minus) / (2 * eps);
                }
            }
            return (result, type, eps);
        }
        throw new AssertFailedException("Forward graph loads in neither float64 nor float32.");
    }

    private static double Loss(OnnxModel model, TensorData[] inputs, int k, double[] xk, DataType type)
    {
        var feed = Feed(inputs, type);
        feed[$"x{k}"] = Convert(xk, inputs[k].Shape, type);
        return ToDoubles(model.Run(feed, ["loss"])["loss"])[0];
    }

    private static (Graph, Value, List<Value>) Build(Function f, TensorData[] inputs, DataType type)
    {
        var g = Graph.Create("gradcheck");
        var xs = inputs.Select((t, k) => g.Input($"x{k}", type, Shape.Of(t.Shape))).ToList();
        var y = f(g, xs);
        var rng = new Random(1234);
        var shape = y.Shape.ToStatic();
        var w = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var loss = g.ReduceSum(g.Mul(y, g.Constant(Convert(w, shape, type))), [], keepDims: false);
        g.Output(loss, "loss");
        return (g, g["loss"], xs);
    }

    /// <summary>Every generated graph must avoid the ops the ordinary ORT build lacks and must contain the tested op.</summary>
    public static void AssertGraph(Graph g, string expectOp)
    {
        var forbidden = g.Nodes.Where(n => GradientRegistry.ForbiddenOps.Contains(n.OpType)).Select(n => n.Name).ToList();
        Assert.IsEmpty(forbidden, $"Forbidden ops emitted: {string.Join(", ", forbidden)}");
        Assert.IsTrue(g.Nodes.Any(n => GradientRegistry.KeyOf(n) == expectOp), $"The test graph has no {expectOp} node.");
    }

    private static OnnxModel? TryLoad(Graph g)
    {
        try
        {
            return OnnxModel.Load(ModelWriter.ToBytes(g, ParameterLayout.AsInputs));
        }
        catch (OnnxRuntimeException e) when (e.Message.Contains("NOT_IMPLEMENTED") || e.Message.Contains("Could not find an implementation"))
        {
            return null;
        }
    }

    private static Dictionary<string, TensorData> Feed(TensorData[] inputs, DataType type) =>
        inputs.Select((t, k) => (k, t)).ToDictionary(p => $"x{p.k}", p => Convert(ToDoubles(p.t), p.t.Shape, type));

    public static TensorData Convert(double[] data, long[] shape, DataType type) => type == DataType.Double
        ? TensorData.Create((double[])data.Clone(), shape)
        : TensorData.Create(data.Select(v => (float)v).ToArray(), shape);

    public static double[] ToDoubles(TensorData t) => t.Data switch
    {
        double[] d => (double[])d.Clone(),
        float[] f => f.Select(v => (double)v).ToArray(),
        _ => throw new ArgumentException($"Not a floating tensor: {t}"),
    };

    /// <summary>Uniform random tensor in [lo, hi), seeded by <paramref name="seed"/>.</summary>
    public static TensorData Rand(int seed, double lo, double hi, params long[] shape)
    {
        var rng = new Random(seed);
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return TensorData.Create(Enumerable.Range(0, (int)n).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray(), shape);
    }
}
