using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// RTS (random token substitution) and C-RTS (cluster-based RTS), Di Liello et al., "Efficient pre-training
/// objectives for Transformers": the batcher swaps 15% of the tokens for random (RTS) or cluster-guided (C-RTS)
/// tokens; the model classifies every real token as original (0) or substituted (1). Batch input beyond the
/// encoder's: <c>labels</c> (B, T) int64 (1 substituted, 0 original, -100 padding). Head and names as ELECTRA's
/// discriminator (<c>discriminator_predictions.*</c>), so checkpoints load as ElectraForPreTraining. C-RTS also
/// outputs <c>predictions</c> (B, T) int64 every training step for the cluster-count update.
/// </summary>
public sealed class TokenDetectionObjective : PretrainingObjective
{
    /// <summary>Creates the objective.</summary>
    public TokenDetectionObjective(EncoderConfig encoder, ObjectiveConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed) { }

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);
        var labels = g.Input(BatcherInputNames.Labels, DataType.Int64, new Shape("batch", "sequence"));                 // (B, T)
        var L = NewLayers(g);
        var hidden = Encode(L, Encoder, Encoder.ModelType, ids, mask, types, training);               // (B, T, H)
        var head = Heads.TokenBinary(L, Encoder, hidden, labels, "discriminator_predictions");
        var name = Objective.Type;
        IReadOnlyList<NamedValue> step = name == "crts" ? [new("predictions", head.Predictions)] : [];
        return new ForwardOutputs([new(name, head.LossSum, LossTargets.Labels(BatcherInputNames.Labels))], [new($"{name}_accuracy", head.Accuracy)],
            [new("last_hidden_state", hidden), new("logits", head.Logits)], step);
    }
}
