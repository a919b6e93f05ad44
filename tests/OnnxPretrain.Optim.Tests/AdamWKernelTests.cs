using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Optim.Tests;

[TestClass]
public sealed class AdamWKernelTests
{
    /// <summary>Shapes whose sizes are not multiples of any vector width (37, 3·4 = 12, 4, 1), so vector bodies and scalar tails both run.</summary>
    private static readonly OptimizedParameter[] Parameters =
    [
        new("encoder.dense.weight", [3, 4]),
        new("encoder.dense.bias", [4]),
        new("embeddings.word_embeddings.weight", [37, 1]),
        new("scale", []),
    ];

    private static readonly float[] LearningRates = [0.1f, 0.05f, 0.02f];

    [TestMethod]
    public void Update_OneElementFirstStep_MovesByTheLearningRateAfterDecay()
    {
        // Step 1 from m = v = 0: m = 0.1·g, v = 0.001·g², and the Adam step is lr·m̂/sqrt(v̂) = lr·sign(g) (ε aside):
        // p = 1·(1 − 0.1·0.01) − 0.1 = 0.899.
        var options = new AdamWOptions { WeightDecay = 0.01f, MaxGradNorm = null };
        float[] p = [1f], g = [0.5f], m = [0f], v = [0f];
        AdamWKernel.Update(p, g, m, v, AdamWKernel.Scalars(options, 0.1f, step: 1, globalGradNorm: 0.5f), decays: true);
        Assert.AreEqual(0.05f, m[0], 1e-7f);
        Assert.AreEqual((1 - (double)0.999f) * 0.25, v[0], 1e-10, "(1 − β₂)·g² with the float32 β₂");
        Assert.AreEqual(0.899f, p[0], 1e-6f);
    }

    [TestMethod]
    public void Scalars_ClippingActive_FoldsTheClipCoefficientIntoTheMomentWeights()
    {
        var s = AdamWKernel.Scalars(new AdamWOptions { MaxGradNorm = 1f }, 0.1f, step: 1, globalGradNorm: 4f);
        double c = 1 / (4 + 1e-6), oneMinusBeta1 = 1 - (double)0.9f, oneMinusBeta2 = 1 - (double)0.999f;   // the float32 betas
        Assert.AreEqual(oneMinusBeta1 * c, s.GradWeight1, 1e-8);
        Assert.AreEqual(oneMinusBeta2 * c * c, s.GradWeight2, 1e-11);
        Assert.AreEqual(0.1f * Math.Sqrt(oneMinusBeta2) / oneMinusBeta1, s.StepSize, 1e-8, "lr·sqrt(bc₂)/bc₁ at t = 1");
        Assert.AreEqual(1e-8f * Math.Sqrt(oneMinusBeta2), s.ScaledEpsilon, 1e-15);
        Assert.AreEqual(1 - 0.1 * 0.01, s.DecayFactor, 1e-7);
        var unclipped = AdamWKernel.Scalars(new AdamWOptions { MaxGradNorm = 1f }, 0.1f, step: 1, globalGradNorm: 0.5f);
        Assert.AreEqual(oneMinusBeta1, unclipped.GradWeight1, 1e-8, "a norm below the maximum is not clipped");
    }

    [TestMethod]
    public void SumOfSquares_OneToThirtySeven_IsTheClosedForm() =>
        Assert.AreEqual(37.0 * 38 * 75 / 6, AdamWKernel.SumOfSquares(Enumerable.Range(1, 37).Select(i => (float)i).ToArray()));

    [TestMethod]
    public void SumOfSquares_SquaresInFloat64()
    {
        // (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴: a float32 square drops the 2⁻²⁴ (24-bit significand), a float64 one keeps it.
        float x = 1f + MathF.Pow(2, -12);
        double exact = 37 * (1 + Math.Pow(2, -11) + Math.Pow(2, -24));
        Assert.AreEqual(exact, AdamWKernel.SumOfSquares(Enumerable.Repeat(x, 37).ToArray()), 1e-12 * exact);
    }

    [TestMethod]
    [DataRow(1f, null, DisplayName = "no clipping, decay")]
    [DataRow(3f, 1f, DisplayName = "clipping active, decay")]
    public void Update_ThreeSteps_MatchesTheReferenceAndTheOptimizerGraph(float gradScale, float? maxGradNorm)
    {
        var options = new AdamWOptions { MaxGradNorm = maxGradNorm, WeightDecay = 0.01f };
        using var graph = new InferenceSession(ModelWriter.ToBytes(AdamWGraph.Build(Parameters, options), ParameterLayout.AsInputs));
        var random = new Random(42);
        var kernel = Parameters.ToDictionary(p => p.Name, p => (P: Values(random, p, 1f), M: new float[Size(p)], V: new float[Size(p)]));
        var graphState = Parameters.ToDictionary(p => p.Name, p => (P: (float[])kernel[p.Name].P.Clone(), M: new float[Size(p)], V: new float[Size(p)]));
        var reference = new ReferenceAdamW(options, Parameters, Parameters.SelectMany(p => new[]
        {
            (p.Name, TensorData.Create(kernel[p.Name].P, p.Shape)), (ArtifactNames.Momentum0(p.Name), TensorData.Zeros(DataType.Float, p.Shape)),
            (ArtifactNames.Momentum1(p.Name), TensorData.Zeros(DataType.Float, p.Shape)),
        }).ToDictionary(x => x.Item1, x => x.Item2));
        for (int t = 1; t <= LearningRates.Length; t++)
        {
            var grads = Parameters.ToDictionary(p => p.Name, p => Values(random, p, gradScale));
            float norm = (float)Math.Sqrt(grads.Values.Sum(g => AdamWKernel.SumOfSquares(g)));
            var scalars = AdamWKernel.Scalars(options, LearningRates[t - 1], t, norm);
            foreach (var p in Parameters)
                AdamWKernel.Update(kernel[p.Name].P, grads[p.Name], kernel[p.Name].M, kernel[p.Name].V, scalars, AdamWGraph.AppliesWeightDecay(p));
            Assert.AreEqual(reference.Step(grads, LearningRates[t - 1], t), norm, 1e-5, $"norm at step {t}");
            var before = graphState.ToDictionary(kv => kv.Key, kv => (P: (float[])kv.Value.P.Clone(), M: (float[])kv.Value.M.Clone(),
                V: (float[])kv.Value.V.Clone()));
            float graphNorm = RunGraph(graph, graphState, grads, LearningRates[t - 1], t);
            Assert.AreEqual(graphNorm, norm, 1e-6 * norm, $"graph norm at step {t}");
            foreach (var p in Parameters) AssertState(p.Name, t, kernel[p.Name], reference, graphState[p.Name]);
            AssertSameBitsAsGraphGivenItsNorm(options, LearningRates[t - 1], t, graphNorm, before, grads, graphState);
        }
    }

    [TestMethod]
    public void Update_InTwoSlices_EqualsOneUpdateBitForBit()
    {
        var options = new AdamWOptions();
        var random = new Random(3);
        var p = Values(random, new("w", [101]), 1f);
        var g = Values(random, new("w", [101]), 1f);
        float[] m = Values(random, new("w", [101]), 0.1f), v = Values(random, new("w", [101]), 0.1f).Select(Math.Abs).ToArray();
        var (p2, m2, v2) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
        var s = AdamWKernel.Scalars(options, 1e-3f, step: 7, globalGradNorm: 5f);
        AdamWKernel.Update(p, g, m, v, s, decays: true);
        AdamWKernel.Update(p2.AsSpan(0, 45), g.AsSpan(0, 45), m2.AsSpan(0, 45), v2.AsSpan(0, 45), s, decays: true);
        AdamWKernel.Update(p2.AsSpan(45), g.AsSpan(45), m2.AsSpan(45), v2.AsSpan(45), s, decays: true);
        CollectionAssert.AreEqual(p, p2);
        CollectionAssert.AreEqual(m, m2);
        CollectionAssert.AreEqual(v, v2);
    }

    [TestMethod]
    public void Update_BadArguments_ThrowNamingTheValues()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => AdamWKernel.Update(new float[3], new float[2], new float[3], new float[3],
            AdamWKernel.Scalars(new AdamWOptions(), 1e-3f, 1, 1f), decays: false));
        StringAssert.Contains(e.Message, "gradient 2");
        var s = Assert.ThrowsExactly<ArgumentException>(() => AdamWKernel.Scalars(new AdamWOptions(), 1e-3f, step: 0, globalGradNorm: 1f));
        StringAssert.Contains(s.Message, "step is 0");
    }

    private static void AssertState(string name, int t, (float[] P, float[] M, float[] V) kernel, ReferenceAdamW reference,
        (float[] P, float[] M, float[] V) graph)
    {
        for (int i = 0; i < kernel.P.Length; i++)
        {
            Assert.AreEqual(reference.P[name][i], kernel.P[i], 1e-5 + 1e-5 * Math.Abs(reference.P[name][i]), $"{name}[{i}] vs reference at step {t}");
            Assert.AreEqual(reference.M[name][i], kernel.M[i], 1e-6, $"m of {name}[{i}] vs reference at step {t}");
            Assert.AreEqual(reference.V[name][i], kernel.V[i], 1e-6, $"v of {name}[{i}] vs reference at step {t}");
            Assert.AreEqual(graph.P[i], kernel.P[i], 1e-6 + 1e-6 * Math.Abs(graph.P[i]), $"{name}[{i}] vs graph at step {t}");
            Assert.AreEqual(graph.M[i], kernel.M[i], 1e-7 + 1e-6 * Math.Abs(graph.M[i]), $"m of {name}[{i}] vs graph at step {t}");
            Assert.AreEqual(graph.V[i], kernel.V[i], 1e-9 + 1e-6 * Math.Abs(graph.V[i]), $"v of {name}[{i}] vs graph at step {t}");
        }
    }

    /// <summary>
    /// With the graph's own norm, the kernel's update of the graph's state before the step is the graph's, bit for bit: the same
    /// scalars (float64, then float32) and the same float32 operations in the same order.
    /// </summary>
    private static void AssertSameBitsAsGraphGivenItsNorm(AdamWOptions options, float lr, int t, float graphNorm,
        Dictionary<string, (float[] P, float[] M, float[] V)> before, Dictionary<string, float[]> grads,
        Dictionary<string, (float[] P, float[] M, float[] V)> graphAfter)
    {
        var scalars = AdamWKernel.Scalars(options, lr, t, graphNorm);
        foreach (var p in Parameters)
        {
            var (pp, m, v) = before[p.Name];
            AdamWKernel.Update(pp, grads[p.Name], m, v, scalars, AdamWGraph.AppliesWeightDecay(p));
            CollectionAssert.AreEqual(graphAfter[p.Name].P, pp, $"{p.Name} at step {t}, bits");
            CollectionAssert.AreEqual(graphAfter[p.Name].M, m, $"m of {p.Name} at step {t}, bits");
            CollectionAssert.AreEqual(graphAfter[p.Name].V, v, $"v of {p.Name} at step {t}, bits");
        }
    }

    /// <summary>One step of <c>optimizer_model.onnx</c> on <paramref name="state"/> (replaced by the outputs); returns its norm.</summary>
    private static float RunGraph(InferenceSession graph, Dictionary<string, (float[] P, float[] M, float[] V)> state,
        Dictionary<string, float[]> grads, float lr, long t)
    {
        var feeds = new Dictionary<string, TensorData>
        {
            [ArtifactNames.LearningRate] = TensorData.Create(new[] { lr }, 1), [ArtifactNames.Step] = TensorData.Create(new[] { t }, 1),
        };
        foreach (var p in Parameters)
        {
            feeds[p.Name] = TensorData.Create(state[p.Name].P, p.Shape);
            feeds[ArtifactNames.Grad(p.Name)] = TensorData.Create(grads[p.Name], p.Shape);
            feeds[ArtifactNames.Momentum0(p.Name)] = TensorData.Create(state[p.Name].M, p.Shape);
            feeds[ArtifactNames.Momentum1(p.Name)] = TensorData.Create(state[p.Name].V, p.Shape);
        }
        var values = graph.InputNames.Select(n => OrtTensors.ToOrtValue(feeds[n])).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = graph.Run(runOptions, graph.InputNames, values, graph.OutputNames);
            var byName = graph.OutputNames.Zip(outputs).ToDictionary(x => x.First, x => OrtTensors.ToTensorData(x.Second).AsFloats());
            foreach (var p in Parameters)
                state[p.Name] = (byName[ArtifactNames.Updated(p.Name)], byName[ArtifactNames.Updated(ArtifactNames.Momentum0(p.Name))],
                    byName[ArtifactNames.Updated(ArtifactNames.Momentum1(p.Name))]);
            return byName[ArtifactNames.GlobalGradNorm].Single();
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static int Size(OptimizedParameter p) => (int)p.Shape.Aggregate(1L, (a, b) => a * b);

    private static float[] Values(Random random, OptimizedParameter p, float scale) =>
        Enumerable.Range(0, Size(p)).Select(_ => scale * (2 * random.NextSingle() - 1)).ToArray();
}
