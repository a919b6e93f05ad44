using OnnxPretrain.Models;
using OnnxPretrain.Autodiff;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>
/// Builds <c>training_model.onnx</c>'s graph: forward + loss + gradients with gradient accumulation as ORT's
/// TrainStep/LazyResetGrad did: <c>&lt;p&gt;_grad = lazy_reset_grad ? g : &lt;p&gt;_grad.accumulation.buffer + g</c>.
/// The loss is token-weighted: input <c>loss_scales</c> (K) holds, per loss term, 1 / the targets of the whole
/// accumulation window (0 when it has none), and <c>loss = Σ_k weight_k · loss_scales[k] · sum_k</c>, so the summed
/// losses and gradients of the window's micro-batches (and ranks) are exactly those of one batch holding them all.
/// </summary>
public static class TrainingGraph
{
    /// <summary>The metric name of a loss term's mean when a model has several terms.</summary>
    public static string TermLossName(string term) => term + "_loss";

    /// <summary>Builds the training graph of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">A loss term is not a floating scalar or counts its targets on an unknown input.</exception>
    /// <exception cref="NotSupportedException">An op on the loss path has no gradient rule.</exception>
    public static Graph Build(TrainableModel model) => Build(model, out _);

    /// <summary>Builds the training graph of <paramref name="model"/> and describes its loss terms for the manifest.</summary>
    /// <exception cref="ArgumentException">A loss term is not a floating scalar or counts its targets on an unknown input.</exception>
    /// <exception cref="NotSupportedException">An op on the loss path has no gradient rule.</exception>
    public static Graph Build(TrainableModel model, out IReadOnlyList<LossTermSpec> lossTerms)
    {
        var g = Graph.Create("training_model");
        var outs = model.Build(g, true);
        var terms = CheckTerms(g, outs.Losses, model.Name);
        lossTerms = terms.Select(t => new LossTermSpec(t.Name, t.Weight, t.Targets)).ToList();
        var scales = g.TrailingInput(ArtifactNames.LossScales, DataType.Float, Shape.Of(terms.Count));
        var means = terms.Select((t, k) => g.Mul(t.Sum, g.Squeeze(g.Slice(scales, [k], [k + 1], [0]), 0))).ToList(); // scalars
        var loss = WeightedSum(g, terms, means);
        g.Output(loss, ArtifactNames.Loss);
        foreach (var m in TermOutputs(terms, means).Concat(outs.Metrics).Concat(outs.StepOutputs ?? [])) g.Output(m.Value, m.Name);
        var trainable = g.Parameters.Where(p => p.Trainable).Select(p => p.Value).ToList();
        var grads = GradientBuilder.Build(g, loss, trainable);
        var buffers = trainable.Select(p => g.TrailingInput(ArtifactNames.AccumulationBuffer(p.Name), p.Type, p.Shape)).ToList();
        var reset = g.TrailingInput(ArtifactNames.LazyResetGrad, DataType.Bool, Shape.Of(1));
        using (g.Scope("gradient_accumulation"))
        {
            for (int i = 0; i < trainable.Count; i++)
            {
                var accumulated = g.Where(reset, grads[trainable[i]], g.Add(buffers[i], grads[trainable[i]]));
                g.Output(accumulated, ArtifactNames.Grad(trainable[i].Name));
            }
        }
        return g;
    }

    /// <summary>
    /// Builds <c>eval_model.onnx</c>'s graph: forward with dropout off; outputs the loss (each term's sum divided by the
    /// batch's own targets, at least 1, so a batch with none scores 0), the term losses, metrics and heads.
    /// </summary>
    /// <exception cref="ArgumentException">A loss term is not a floating scalar or counts its targets on an unknown input.</exception>
    public static Graph BuildEval(TrainableModel model)
    {
        var g = Graph.Create("eval_model");
        var outs = model.Build(g, false);
        var terms = CheckTerms(g, outs.Losses, model.Name);
        var means = terms.Select(t => g.Div(t.Sum, g.Max(t.Targets.Count(g, InputOf(g, t)), g.Scalar(1, DataType.Float)))).ToList();
        g.Output(WeightedSum(g, terms, means), ArtifactNames.Loss);
        foreach (var m in TermOutputs(terms, means).Concat(outs.Metrics).Concat(outs.Heads)) g.Output(m.Value, m.Name);
        return g;
    }

    private static Value WeightedSum(Graph g, IReadOnlyList<LossTerm> terms, IReadOnlyList<Value> means)
    {
        Value? loss = null;
        for (int k = 0; k < terms.Count; k++)
        {
            var term = terms[k].Weight == 1f ? means[k] : g.Mul(means[k], g.Scalar(terms[k].Weight, DataType.Float));
            loss = loss is null ? term : g.Add(loss, term);
        }
        return loss!;
    }

    private static IEnumerable<NamedValue> TermOutputs(IReadOnlyList<LossTerm> terms, IReadOnlyList<Value> means) =>
        terms.Count == 1 ? [] : terms.Select((t, k) => new NamedValue(TermLossName(t.Name), means[k]));

    private static Value InputOf(Graph g, LossTerm t) => g.Inputs.First(i => i.Name == t.Targets.Input);

    private static IReadOnlyList<LossTerm> CheckTerms(Graph g, IReadOnlyList<LossTerm> terms, string model)
    {
        if (terms.Count == 0) throw new ArgumentException($"Model '{model}' has no loss term.");
        foreach (var t in terms)
        {
            if (!t.Sum.Type.IsFloating() || t.Sum.Rank != 0)
                throw new ArgumentException($"Model '{model}': loss term '{t.Name}' must be a floating scalar, got {t.Sum}.");
            if (!g.Inputs.Any(i => i.Name == t.Targets.Input))
                throw new ArgumentException($"Model '{model}': loss term '{t.Name}' counts its targets on '{t.Targets.Input}', which is not " +
                    $"a batch input ({string.Join(", ", g.Inputs.Select(i => i.Name))}).");
        }
        var duplicate = terms.GroupBy(t => t.Name).FirstOrDefault(x => x.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Model '{model}': two loss terms are named '{duplicate.Key}'.");
        return terms;
    }
}
