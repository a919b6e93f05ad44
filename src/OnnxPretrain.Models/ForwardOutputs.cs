using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models;

/// <summary>A named graph value exposed as a model output (a metric or a head output).</summary>
/// <param name="Name">Output name, e.g. <c>mlm_accuracy</c> or <c>logits</c>.</param>
/// <param name="Value">The graph value.</param>
public sealed record NamedValue(string Name, Value Value);

/// <summary>What a model's forward builder returns: the loss and the other outputs.</summary>
/// <param name="Loss">Floating scalar loss.</param>
/// <param name="Metrics">Extra scalar outputs of both models (listed after <c>loss</c>).</param>
/// <param name="Heads">Head outputs of the eval model only (e.g. <c>logits</c>).</param>
/// <param name="StepOutputs">Non-scalar outputs of the training model that the trainer reads every step
/// (e.g. C-RTS's per-token <c>predictions</c>), listed after the metrics.</param>
public sealed record ForwardOutputs(Value Loss, IReadOnlyList<NamedValue> Metrics, IReadOnlyList<NamedValue> Heads,
    IReadOnlyList<NamedValue>? StepOutputs = null);

