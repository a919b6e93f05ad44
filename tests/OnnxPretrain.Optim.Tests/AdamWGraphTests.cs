using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Optim.Tests;

[TestClass]
public sealed class AdamWGraphTests
{
    private const double Tolerance = 1e-5;

    private static readonly OptimizedParameter[] Parameters =
    [
        new("encoder.dense.weight", [3, 4]),
        new("encoder.dense.bias", [4]),
        new("encoder.conv.kernel", [2, 3, 2]),
    ];

    /// <summary>Learning rates of the three steps: large enough that weight decay moves parameters well above the tolerance.</summary>
    private static readonly float[] LearningRates = [0.1f, 0.05f, 0.02f];

    [TestMethod]
    public void Build_NoClippingWithDecay_MatchesReferenceForThreeSteps()
    {
        var results = RunAndCompare(new AdamWOptions { MaxGradNorm = null, WeightDecay = 0.01f }, gradScale: 1f);
        foreach (var r in results) Assert.IsGreaterThan(1.0, r.ReferenceNorm, "grads would have been clipped at the default max norm");
    }

    [TestMethod]
    public void Build_ClippingActiveWithDecay_MatchesReferenceAndClips()
    {
        var options = new AdamWOptions { MaxGradNorm = 1.0f, WeightDecay = 0.01f };
        var results = RunAndCompare(options, gradScale: 3f);
        foreach (var r in results) Assert.IsGreaterThan(2.0, r.ReferenceNorm, "the gradient norm must exceed maxGradNorm");

        // Step 1 starts from m = 0, so m₁ = (1 − β₁) · g · coef with coef = maxGradNorm / (‖g‖ + 1e-6) < 1.
        var first = results[0];
        double coef = 1.0 / (first.GraphNorm + AdamWGraph.ClipEpsilon);
        Assert.IsLessThan(0.5, coef);
        foreach (var p in Parameters)
        {
            var grad = first.Gradients[p.Name];
            var m = first.Outputs[ArtifactNames.Updated(ArtifactNames.Momentum0(p.Name))].AsFloats();
            for (int i = 0; i < m.Length; i++)
                AssertClose((1 - (double)options.Beta1) * grad[i] * coef, m[i], $"clipped m of {p.Name}[{i}]");
        }
    }

    [TestMethod]
    public void Build_NoDecayNoClipping_MatchesReferenceForThreeSteps() =>
        RunAndCompare(new AdamWOptions { MaxGradNorm = null, WeightDecay = 0f }, gradScale: 1f);

    [TestMethod]
    public void Build_ZeroGradient_DecaysOnlyParametersOfRankTwoOrMore()
    {
        OptimizedParameter[] parameters = [new("w", [2, 3]), new("b", [3]), new("scale", [])];
        var options = new AdamWOptions { WeightDecay = 0.1f };
        using var session = new InferenceSession(ModelWriter.ToBytes(AdamWGraph.Build(parameters, options), ParameterLayout.AsInputs));
        var feeds = StepFeeds(0.5f, 1);
        foreach (var p in parameters)
        {
            int n = (int)p.Shape.Aggregate(1L, (a, b) => a * b);
            feeds[p.Name] = TensorData.Create(Enumerable.Range(1, n).Select(i => (float)i).ToArray(), p.Shape);
            feeds[ArtifactNames.Grad(p.Name)] = TensorData.Zeros(DataType.Float, p.Shape);
            feeds[ArtifactNames.Momentum0(p.Name)] = TensorData.Zeros(DataType.Float, p.Shape);
            feeds[ArtifactNames.Momentum1(p.Name)] = TensorData.Zeros(DataType.Float, p.Shape);
        }
        var outputs = Run(session, feeds);
        foreach (var p in parameters)
        {
            var updated = outputs[ArtifactNames.Updated(p.Name)];
            CollectionAssert.AreEqual(p.Shape, updated.Shape, $"shape of {p.Name}");
            double factor = p.Name == "w" ? 1 - 0.5 * 0.1 : 1.0; // only the rank-2 weight decays
            var before = feeds[p.Name].AsFloats();
            for (int i = 0; i < before.Length; i++) AssertClose(before[i] * factor, updated.AsFloats()[i], $"{p.Name}[{i}]");
        }
        Assert.AreEqual(0f, outputs[ArtifactNames.GlobalGradNorm].AsFloats().Single());
    }

    [TestMethod]
    public void Build_Model_HasDocumentedInputsAndOutputsInOrder()
    {
        OptimizedParameter[] parameters = [new("w", [2, 3]), new("b", [3])];
        using var session = new InferenceSession(ModelWriter.ToBytes(AdamWGraph.Build(parameters, new AdamWOptions()), ParameterLayout.AsInputs));
        string[] inputs = ["learning_rate", "step", "w", "w_grad", "w.momentum0", "w.momentum1", "b", "b_grad", "b.momentum0", "b.momentum1"];
        string[] outputs = ["w.updated", "w.momentum0.updated", "w.momentum1.updated", "b.updated", "b.momentum0.updated",
            "b.momentum1.updated", "global_grad_norm"];
        CollectionAssert.AreEqual(inputs, session.InputNames.ToArray());
        CollectionAssert.AreEqual(outputs, session.OutputNames.ToArray());
        CollectionAssert.AreEqual(inputs, AdamWGraph.InputNames(parameters));
        CollectionAssert.AreEqual(outputs, AdamWGraph.OutputNames(parameters));
        Assert.AreEqual(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, session.InputMetadata["step"].ElementDataType);
        CollectionAssert.AreEqual(new[] { 1 }, session.InputMetadata["learning_rate"].Dimensions);
        Assert.IsEmpty(session.OutputMetadata["global_grad_norm"].Dimensions);
    }

    [TestMethod]
    public void Build_AnyOptions_EmitsOnlyStandardOnnxOps()
    {
        string[] forbidden = ["AdamWOptimizer", "InPlaceAccumulator", "InPlaceAccumulatorV2", "ReduceSumTraining", "Scale"];
        foreach (var options in new[] { new AdamWOptions(), new AdamWOptions { MaxGradNorm = null, WeightDecay = 0f } })
        {
            var graph = AdamWGraph.Build(Parameters, options);
            Assert.IsEmpty(graph.Parameters);
            foreach (var node in graph.Nodes)
            {
                Assert.AreEqual("", node.Domain, $"{node} is not in the default ONNX domain");
                Assert.IsFalse(forbidden.Contains(node.OpType), $"forbidden op {node}");
                Assert.IsFalse(node.OpType.EndsWith("Grad", StringComparison.Ordinal), $"gradient op {node}");
            }
        }
    }

    [TestMethod]
    public void AdamWOptions_Defaults_MatchTorchAdamWAndHfTrainer()
    {
        var o = new AdamWOptions();
        Assert.AreSame(o, o.Validate());
        Assert.AreEqual(0.9f, o.Beta1);
        Assert.AreEqual(0.999f, o.Beta2);
        Assert.AreEqual(1e-8f, o.Epsilon);
        Assert.AreEqual(0.01f, o.WeightDecay);
        Assert.AreEqual(1.0f, o.MaxGradNorm);
    }

    [TestMethod]
    public void AdamWOptions_ToJsonThenFromJson_RoundTrips()
    {
        var options = new AdamWOptions { Beta1 = 0.8f, Beta2 = 0.99f, Epsilon = 1e-6f, WeightDecay = 0.02f, MaxGradNorm = null };
        Assert.AreEqual(options, AdamWOptions.FromJson(options.ToJson(), "test"));
        var json = options.ToJson();
        json["epsilon"] = -1f;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => AdamWOptions.FromJson(json, "manifest x, field optimizer"));
        StringAssert.Contains(e.Message, "Epsilon");
    }

    [TestMethod]
    public void AdamWOptions_InvalidField_ThrowsNamingFieldAndValue()
    {
        var cases = new (AdamWOptions Options, string Field, float Value)[]
        {
            (new() { Beta1 = 1f }, "Beta1", 1f),
            (new() { Beta1 = -0.1f }, "Beta1", -0.1f),
            (new() { Beta2 = 1.5f }, "Beta2", 1.5f),
            (new() { Beta2 = float.NaN }, "Beta2", float.NaN),
            (new() { Epsilon = 0f }, "Epsilon", 0f),
            (new() { WeightDecay = -0.01f }, "WeightDecay", -0.01f),
            (new() { MaxGradNorm = 0f }, "MaxGradNorm", 0f),
            (new() { MaxGradNorm = -1f }, "MaxGradNorm", -1f),
        };
        foreach (var (options, field, value) in cases)
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => options.Validate());
            Assert.AreEqual(field, ex.ParamName);
            StringAssert.Contains(ex.Message, value.ToString("R", CultureInfo.InvariantCulture));
            Assert.ThrowsExactly<ArgumentException>(() => AdamWGraph.Build(Parameters, options));
        }
        Assert.AreEqual(new AdamWOptions { MaxGradNorm = null }, new AdamWOptions { MaxGradNorm = null }.Validate());
    }

    [TestMethod]
    public void Build_InvalidParameters_ThrowsArgumentException()
    {
        var options = new AdamWOptions();
        Assert.ThrowsExactly<ArgumentException>(() => AdamWGraph.Build([], options));
        Assert.ThrowsExactly<ArgumentException>(() => AdamWGraph.Build([new("w", [2]), new("w", [3])], options));
        Assert.ThrowsExactly<ArgumentException>(() => AdamWGraph.Build([new("learning_rate", [2])], options));
        Assert.ThrowsExactly<ArgumentException>(() => AdamWGraph.Build([new(" ", [2])], options));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => AdamWGraph.Build([new("w", [2, -1])], options));
        StringAssert.Contains(ex.Message, "-1");
    }

    /// <summary>What one step produced: the graph's outputs and norm, the reference norm and the gradients fed.</summary>
    private sealed record StepResult(Dictionary<string, TensorData> Outputs, float GraphNorm, double ReferenceNorm, Dictionary<string, float[]> Gradients);

    /// <summary>Runs three steps of the graph (outputs fed back as inputs) and of the reference, comparing every tensor after each.</summary>
    private static List<StepResult> RunAndCompare(AdamWOptions options, float gradScale)
    {
        using var session = new InferenceSession(ModelWriter.ToBytes(AdamWGraph.Build(Parameters, options), ParameterLayout.AsInputs));
        var state = InitialState(new Random(42));
        var reference = new ReferenceAdamW(options, Parameters, state);
        var random = new Random(7);
        var results = new List<StepResult>();
        for (int s = 0; s < LearningRates.Length; s++)
        {
            var grads = Parameters.ToDictionary(p => p.Name, p => RandomValues(random, p, gradScale));
            var feeds = StepFeeds(LearningRates[s], s + 1);
            foreach (var (name, value) in state) feeds[name] = value;
            foreach (var p in Parameters) feeds[ArtifactNames.Grad(p.Name)] = TensorData.Create(grads[p.Name], p.Shape);
            var outputs = Run(session, feeds);
            double referenceNorm = reference.Step(grads, LearningRates[s], s + 1);
            foreach (var name in state.Keys.ToList()) state[name] = outputs[ArtifactNames.Updated(name)];
            float graphNorm = outputs[ArtifactNames.GlobalGradNorm].AsFloats().Single();
            AssertClose(referenceNorm, graphNorm, $"global_grad_norm at step {s + 1}");
            AssertMatchesReference(reference, state, s + 1);
            results.Add(new StepResult(outputs, graphNorm, referenceNorm, grads));
        }
        return results;
    }

    private static void AssertMatchesReference(ReferenceAdamW reference, Dictionary<string, TensorData> state, int step)
    {
        foreach (var p in Parameters)
        {
            AssertAllClose(reference.P[p.Name], state[p.Name], $"{p.Name} at step {step}");
            AssertAllClose(reference.M[p.Name], state[ArtifactNames.Momentum0(p.Name)], $"m of {p.Name} at step {step}");
            AssertAllClose(reference.V[p.Name], state[ArtifactNames.Momentum1(p.Name)], $"v of {p.Name} at step {step}");
        }
    }

    private static Dictionary<string, TensorData> InitialState(Random random)
    {
        var state = new Dictionary<string, TensorData>();
        foreach (var p in Parameters)
        {
            state[p.Name] = TensorData.Create(RandomValues(random, p, 1f), p.Shape);
            state[ArtifactNames.Momentum0(p.Name)] = TensorData.Zeros(DataType.Float, p.Shape);
            state[ArtifactNames.Momentum1(p.Name)] = TensorData.Zeros(DataType.Float, p.Shape);
        }
        return state;
    }

    private static float[] RandomValues(Random random, OptimizedParameter p, float scale) =>
        Enumerable.Range(0, (int)p.Shape.Aggregate(1L, (a, b) => a * b)).Select(_ => scale * (2 * random.NextSingle() - 1)).ToArray();

    private static Dictionary<string, TensorData> StepFeeds(float learningRate, long step) => new()
    {
        [ArtifactNames.LearningRate] = TensorData.Create(new[] { learningRate }, 1),
        [ArtifactNames.Step] = TensorData.Create(new[] { step }, 1),
    };

    private static Dictionary<string, TensorData> Run(InferenceSession session, IReadOnlyDictionary<string, TensorData> feeds)
    {
        var names = session.InputNames;
        var values = names.Select(n => OrtTensors.ToOrtValue(feeds[n])).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, names, values, session.OutputNames);
            return session.OutputNames.Zip(outputs).ToDictionary(x => x.First, x => OrtTensors.ToTensorData(x.Second));
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static void AssertAllClose(double[] expected, TensorData actual, string what)
    {
        var a = actual.AsFloats();
        Assert.HasCount(expected.Length, a, what);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], a[i], $"{what} [{i}]");
    }

    private static void AssertClose(double expected, float actual, string what) =>
        Assert.IsLessThanOrEqualTo(Tolerance + Tolerance * Math.Abs(expected), Math.Abs(actual - expected),
            $"{what}: expected {expected:R}, got {actual:R}");
}
