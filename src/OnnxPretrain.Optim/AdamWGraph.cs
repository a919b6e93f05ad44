using OnnxPretrain.Onnx;

namespace OnnxPretrain.Optim;

/// <summary>A float32 tensor updated by the optimizer graph: its (dotted, Hugging Face style) name and static shape.</summary>
/// <param name="Name">Parameter name, e.g. <c>encoder.layer.0.attention.self.query.weight</c>; also the graph input name.</param>
/// <param name="Shape">Static shape, outermost dimension first; empty for a scalar. Rank ≥ 2 means weight decay applies.</param>
public sealed record OptimizedParameter(string Name, long[] Shape);

/// <summary>
/// Builds the AdamW optimizer step as a plain ONNX graph (opset 17, standard ops only: no <c>AdamWOptimizer</c>,
/// <c>InPlaceAccumulator</c> or <c>*Grad</c> contrib ops), so the ordinary ONNX Runtime can run it.
/// Semantics are those of <c>torch.optim.AdamW</c> (Hugging Face Trainer's default <c>adamw_torch</c>), i.e.
/// Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2, preceded by the global-norm
/// clipping of <c>torch.nn.utils.clip_grad_norm_</c>:
/// <code>
/// ‖g‖ = sqrt(Σ_params Σ g²);  g ← g · min(1, maxGradNorm / (‖g‖ + 1e-6))        (when clipping is on)
/// m ← β₁·m + (1 − β₁)·g;      v ← β₂·v + (1 − β₂)·g²
/// bc₁ = 1 − β₁ᵗ;              bc₂ = 1 − β₂ᵗ
/// p ← p · (1 − lr·λ)                                                         (rank ≥ 2 parameters only)
/// p ← p − (lr / bc₁) · m / (sqrt(v) / sqrt(bc₂) + ε)
/// </code>
/// Scalar coefficients (β powers, bias corrections, step size, decay factor) are computed in float64, as PyTorch
/// computes them in Python floats; tensors are float32.
/// <para>Inputs, in order: <c>learning_rate</c> float[1], <c>step</c> int64[1] (the 1-based number t of the update
/// being applied), then per parameter <c>p</c>, <c>p_grad</c>, <c>p.momentum0</c> (m), <c>p.momentum1</c> (v), all
/// float32 of the parameter's shape.</para>
/// <para>Outputs, in order: per parameter <c>p.updated</c>, <c>p.momentum0.updated</c>, <c>p.momentum1.updated</c>,
/// then <c>global_grad_norm</c> (float32 scalar, the norm before clipping, produced even with clipping off).</para>
/// </summary>
public static class AdamWGraph
{
    /// <summary>The constant added to the norm in the clip coefficient, as in <c>clip_grad_norm_</c>.</summary>
    public const float ClipEpsilon = 1e-6f;

    /// <summary>True when decoupled weight decay applies to the parameter: rank ≥ 2 (not biases or LayerNorm weights).</summary>
    public static bool AppliesWeightDecay(OptimizedParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return parameter.Shape.Length >= 2;
    }

    /// <summary>The graph input names in order: <c>learning_rate</c>, <c>step</c>, then per parameter p, p_grad, p.momentum0, p.momentum1.</summary>
    public static string[] InputNames(IReadOnlyList<OptimizedParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var names = new List<string> { ArtifactNames.LearningRate, ArtifactNames.Step };
        foreach (var p in parameters)
            names.AddRange([p.Name, ArtifactNames.Grad(p.Name), ArtifactNames.Momentum0(p.Name), ArtifactNames.Momentum1(p.Name)]);
        return names.ToArray();
    }

    /// <summary>The graph output names in order: per parameter p.updated, p.momentum0.updated, p.momentum1.updated, then <c>global_grad_norm</c>.</summary>
    public static string[] OutputNames(IReadOnlyList<OptimizedParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var names = new List<string>();
        foreach (var p in parameters)
            names.AddRange([ArtifactNames.Updated(p.Name), ArtifactNames.Updated(ArtifactNames.Momentum0(p.Name)),
                ArtifactNames.Updated(ArtifactNames.Momentum1(p.Name))]);
        names.Add(ArtifactNames.GlobalGradNorm);
        return names.ToArray();
    }

    /// <summary>Builds the optimizer-step graph for <paramref name="parameters"/> (see the class summary for inputs and outputs).</summary>
    /// <param name="parameters">The parameters to update, in the order their inputs and outputs appear; at least one.</param>
    /// <param name="options">AdamW hyper-parameters; validated here.</param>
    /// <returns>A graph to write with <c>ModelWriter</c> (it has inputs only, no <see cref="Graph.Parameters"/>).</returns>
    /// <exception cref="ArgumentException">The list is empty, a name is empty, a dim is negative, two input/output names collide, or an
    /// option is invalid.</exception>
    public static Graph Build(IReadOnlyList<OptimizedParameter> parameters, AdamWOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckParameters(parameters);
        var g = Graph.Create("adamw_optimizer");
        var lr = g.Input(ArtifactNames.LearningRate, DataType.Float, Shape.Of(1));
        var step = g.Input(ArtifactNames.Step, DataType.Int64, Shape.Of(1));
        var states = parameters.Select(p => DeclareInputs(g, p)).ToList();
        var norm = GlobalGradNorm(g, states.Select(s => s.Grad).ToList());
        var clip = options.MaxGradNorm is { } max ? ClipCoefficient(g, norm, max) : null;
        bool decays = options.WeightDecay > 0 && parameters.Any(AppliesWeightDecay);
        var coefficients = StepCoefficients(g, lr, step, options, decays, clip);
        foreach (var s in states) EmitUpdate(g, s, coefficients, options);
        g.Output(norm, ArtifactNames.GlobalGradNorm);
        return g;
    }

    /// <summary>The graph inputs of one parameter.</summary>
    private sealed record ParameterInputs(string Name, bool Decays, Value Param, Value Grad, Value M, Value V);

    /// <summary>
    /// Per-step scalars (float32, shape []): the moment weights (1 − β₁)·c and (1 − β₂)·c² with the clip coefficient c
    /// folded in (so clipping costs no extra pass over the gradients), the step size lr·sqrt(bc₂)/bc₁, ε·sqrt(bc₂), and,
    /// when some parameter decays, 1 − lr·λ.
    /// </summary>
    private sealed record Coefficients(Value GradWeight1, Value GradWeight2, Value StepSize, Value ScaledEpsilon, Value? DecayFactor);

    private static ParameterInputs DeclareInputs(Graph g, OptimizedParameter p)
    {
        var shape = Shape.Of(p.Shape);
        return new ParameterInputs(p.Name, AppliesWeightDecay(p),
            g.Input(p.Name, DataType.Float, shape),
            g.Input(ArtifactNames.Grad(p.Name), DataType.Float, shape),
            g.Input(ArtifactNames.Momentum0(p.Name), DataType.Float, shape),
            g.Input(ArtifactNames.Momentum1(p.Name), DataType.Float, shape));
    }

    /// <summary>‖g‖ = sqrt(Σ_params Σ_elements g²), a float32 scalar.</summary>
    private static Value GlobalGradNorm(Graph g, IReadOnlyList<Value> grads)
    {
        using var _ = g.Scope(ArtifactNames.GlobalGradNorm);
        var squares = grads.Select(grad => g.ReduceSumSquare(grad, [], keepDims: false)).ToList();
        var total = g.AddNode("Sum", squares.ToArray(), [new Graph.OutputSpec(DataType.Float, Shape.Scalar)])[0];
        return g.Sqrt(total);
    }

    /// <summary>coef = min(1, maxGradNorm / (‖g‖ + 1e-6)), as in <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
    private static Value ClipCoefficient(Graph g, Value norm, float maxGradNorm)
    {
        using var _ = g.Scope("clip_coefficient");
        var coef = g.Div(Float(g, maxGradNorm), g.Add(norm, Float(g, ClipEpsilon)));
        return g.Min(coef, Float(g, 1));
    }

    /// <summary>
    /// Bias corrections bc = 1 − βᵗ and the derived step scalars, computed in float64 then cast to float32.
    /// With s = sqrt(bc₂): lr/bc₁ · m / (sqrt(v)/s + ε) = (lr·s/bc₁) · m / (sqrt(v) + ε·s), one pass fewer per tensor.
    /// </summary>
    private static Coefficients StepCoefficients(Graph g, Value lr, Value step, AdamWOptions o, bool decays, Value? clip)
    {
        using var _ = g.Scope("step_coefficients");
        var lr64 = g.Cast(g.Squeeze(lr, 0), DataType.Double);
        var t = g.Cast(g.Squeeze(step, 0), DataType.Double);
        var sqrtBc2 = g.Sqrt(BiasCorrection(g, o.Beta2, t));
        var stepSize = g.Cast(g.Div(g.Mul(lr64, sqrtBc2), BiasCorrection(g, o.Beta1, t)), DataType.Float);
        var epsilon = g.Cast(g.Mul(Double(g, o.Epsilon), sqrtBc2), DataType.Float);
        var c = clip is null ? Double(g, 1) : g.Cast(clip, DataType.Double);
        var w1 = g.Cast(g.Mul(Double(g, 1 - (double)o.Beta1), c), DataType.Float);
        var w2 = g.Cast(g.Mul(Double(g, 1 - (double)o.Beta2), g.Mul(c, c)), DataType.Float);
        var decay = decays ? g.Cast(g.Sub(Double(g, 1), g.Mul(lr64, Double(g, o.WeightDecay))), DataType.Float) : null;
        return new Coefficients(w1, w2, stepSize, epsilon, decay);
    }

    /// <summary>bc = 1 − βᵗ (float64 scalar).</summary>
    private static Value BiasCorrection(Graph g, float beta, Value t) => g.Sub(Double(g, 1), g.Pow(Double(g, beta), t));

    /// <summary>Moments (of the clipped gradient), decay and Adam step for one parameter; declares its three outputs.</summary>
    private static void EmitUpdate(Graph g, ParameterInputs s, Coefficients c, AdamWOptions o)
    {
        using var _ = g.Scope(s.Name);
        var m = FirstMoment(g, s.M, s.Grad, o.Beta1, c.GradWeight1);
        var v = SecondMoment(g, s.V, s.Grad, o.Beta2, c.GradWeight2);
        var decayed = s.Decays && c.DecayFactor is { } factor ? g.Mul(s.Param, factor) : s.Param;
        var updated = AdamStep(g, decayed, m, v, c);
        g.Output(updated, ArtifactNames.Updated(s.Name));
        g.Output(m, ArtifactNames.Updated(ArtifactNames.Momentum0(s.Name)));
        g.Output(v, ArtifactNames.Updated(ArtifactNames.Momentum1(s.Name)));
    }

    /// <summary>m ← β₁·m + (1 − β₁)·ĝ with the clipped gradient ĝ = c·g: w₁ = (1 − β₁)·c.</summary>
    private static Value FirstMoment(Graph g, Value m, Value grad, float beta1, Value w1) =>
        g.Add(g.Mul(Float(g, beta1), m), g.Mul(w1, grad));

    /// <summary>v ← β₂·v + (1 − β₂)·ĝ² with ĝ = c·g: w₂ = (1 − β₂)·c².</summary>
    private static Value SecondMoment(Graph g, Value v, Value grad, float beta2, Value w2) =>
        g.Add(g.Mul(Float(g, beta2), v), g.Mul(w2, g.Mul(grad, grad)));

    /// <summary>p ← p − (lr / bc₁) · m / (sqrt(v) / sqrt(bc₂) + ε), evaluated as p − (lr·s/bc₁) · m / (sqrt(v) + ε·s), s = sqrt(bc₂).</summary>
    private static Value AdamStep(Graph g, Value p, Value m, Value v, Coefficients c)
    {
        var denominator = g.Add(g.Sqrt(v), c.ScaledEpsilon);
        return g.Sub(p, g.Mul(c.StepSize, g.Div(m, denominator)));
    }

    private static Value Float(Graph g, double value) => g.Scalar(value, DataType.Float);

    private static Value Double(Graph g, double value) => g.Scalar(value, DataType.Double);

    private static void CheckParameters(IReadOnlyList<OptimizedParameter> parameters)
    {
        if (parameters.Count == 0) throw new ArgumentException("At least one parameter is required.", nameof(parameters));
        foreach (var p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (string.IsNullOrWhiteSpace(p.Name))
                throw new ArgumentException($"OptimizedParameter.Name must be non-empty, got '{p.Name}'.", nameof(parameters));
            if (p.Shape is null || p.Shape.Any(d => d < 0))
                throw new ArgumentException($"OptimizedParameter.Shape of '{p.Name}' must have dims >= 0, got " +
                    $"[{string.Join(", ", p.Shape ?? [])}].", nameof(parameters));
        }
        var duplicate = InputNames(parameters).Concat(OutputNames(parameters)).GroupBy(n => n).FirstOrDefault(gr => gr.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Input/output name '{duplicate.Key}' would occur twice; parameter names must be unique and not " +
                $"clash with derived names.", nameof(parameters));
    }
}
