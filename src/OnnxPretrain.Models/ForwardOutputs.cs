using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models;

/// <summary>A named graph value exposed as a model output (a metric or a head output).</summary>
/// <param name="Name">Output name, e.g. <c>mlm_accuracy</c> or <c>logits</c>.</param>
/// <param name="Value">The graph value.</param>
public sealed record NamedValue(string Name, Value Value);

/// <summary>
/// One term of a model's loss: the SUM of its per-target losses over the batch and how its targets are counted.
/// The training graph scales the sum by <c>1 / targets of the accumulation window</c> (an input), so micro-batches and
/// ranks weigh by their targets and a batch with none contributes loss 0 and gradient 0; the eval graph divides by the
/// batch's own count (at least 1). The loss is the weighted sum of the terms' means.
/// </summary>
/// <param name="Name">Term name (<c>mlm</c>, <c>sentence</c>, <c>discriminator</c>); with several terms each is also
/// output as the metric <c>{name}_loss</c>.</param>
/// <param name="Sum">Floating scalar: the summed loss over the batch's targets.</param>
/// <param name="Targets">How the targets are counted on a batch input.</param>
/// <param name="Weight">Weight of the term's mean in the loss (ELECTRA's discriminator: 50).</param>
public sealed record LossTerm(string Name, Value Sum, LossTargets Targets, float Weight = 1f);

/// <summary>What a model's forward builder returns: the loss terms and the other outputs.</summary>
/// <param name="Losses">Loss terms; the loss is Σ weight × sum / targets.</param>
/// <param name="Metrics">Extra scalar outputs of both models (listed after <c>loss</c> and the term losses).</param>
/// <param name="Heads">Head outputs of the eval model only (e.g. <c>logits</c>).</param>
/// <param name="StepOutputs">Non-scalar outputs of the training model that the trainer reads every step
/// (e.g. C-RTS's per-token <c>predictions</c>), listed after the metrics.</param>
public sealed record ForwardOutputs(IReadOnlyList<LossTerm> Losses, IReadOnlyList<NamedValue> Metrics, IReadOnlyList<NamedValue> Heads,
    IReadOnlyList<NamedValue>? StepOutputs = null);
