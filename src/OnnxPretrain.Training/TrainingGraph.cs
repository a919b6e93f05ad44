using OnnxPretrain.Models;
using OnnxPretrain.Autodiff;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Training;

/// <summary>
/// Builds <c>training_model.onnx</c>'s graph: forward + loss + gradients with gradient accumulation as ORT's
/// TrainStep/LazyResetGrad did: <c>&lt;p&gt;_grad = lazy_reset_grad ? g : &lt;p&gt;_grad.accumulation.buffer + g</c>.
/// </summary>
public static class TrainingGraph
{
    /// <summary>Name of the bool[1] input that makes the step overwrite, rather than add to, the buffers.</summary>
    public const string LazyResetGradName = "lazy_reset_grad";

    /// <summary>Name of the loss output.</summary>
    public const string LossName = "loss";

    /// <summary>The accumulation-buffer input name of parameter <paramref name="p"/>.</summary>
    public static string BufferName(string p) => p + "_grad.accumulation.buffer";

    /// <summary>The gradient output name of parameter <paramref name="p"/>.</summary>
    public static string GradName(string p) => p + "_grad";

    /// <summary>Builds the training graph of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The loss is not a floating scalar.</exception>
    /// <exception cref="NotSupportedException">An op on the loss path has no gradient rule.</exception>
    public static Graph Build(TrainableModel model)
    {
        var g = Graph.Create("training_model");
        var outs = model.Build(g, true);
        CheckLoss(outs.Loss, model.Name);
        g.Output(outs.Loss, LossName);
        foreach (var m in outs.Metrics.Concat(outs.StepOutputs ?? [])) g.Output(m.Value, m.Name);
        var trainable = g.Parameters.Where(p => p.Trainable).Select(p => p.Value).ToList();
        var grads = GradientBuilder.Build(g, outs.Loss, trainable);
        var buffers = trainable.Select(p => g.TrailingInput(BufferName(p.Name), p.Type, p.Shape)).ToList();
        var reset = g.TrailingInput(LazyResetGradName, DataType.Bool, Shape.Of(1));
        using (g.Scope("gradient_accumulation"))
        {
            for (int i = 0; i < trainable.Count; i++)
            {
                var accumulated = g.Where(reset, grads[trainable[i]], g.Add(buffers[i], grads[trainable[i]]));
                g.Output(accumulated, GradName(trainable[i].Name));
            }
        }
        return g;
    }

    /// <summary>Builds <c>eval_model.onnx</c>'s graph: forward with dropout off, outputs loss, metrics and heads.</summary>
    /// <exception cref="ArgumentException">The loss is not a floating scalar.</exception>
    public static Graph BuildEval(TrainableModel model)
    {
        var g = Graph.Create("eval_model");
        var outs = model.Build(g, false);
        CheckLoss(outs.Loss, model.Name);
        g.Output(outs.Loss, LossName);
        foreach (var m in outs.Metrics.Concat(outs.Heads)) g.Output(m.Value, m.Name);
        return g;
    }

    private static void CheckLoss(Value loss, string model)
    {
        if (!loss.Type.IsFloating() || loss.Rank != 0)
            throw new ArgumentException($"Model '{model}': the loss must be a floating scalar, got {loss}.");
    }
}
