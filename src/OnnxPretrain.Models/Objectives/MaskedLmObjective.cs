using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// MLM (BERT, Devlin et al. 2019 §3.1) and SLM (swapped language modelling, Di Liello et al.): predict the original
/// token at the selected positions. The two differ only in their batcher (MLM: 80% [MASK] / 10% random / 10% kept;
/// SLM: 100% random swaps). Batch inputs beyond the encoder's: <c>masked_lm_positions</c> (M) int64, the flattened
/// b·T + t of every selected token of the batch, and <c>masked_lm_labels</c> (M) int64, the original ids (-100 is ignored).
/// Layout: <c>bert</c> -> BertForMaskedLM (<c>cls.predictions.*</c>), <c>electra</c> -> ElectraForMaskedLM
/// (<c>generator_predictions.*</c>, <c>generator_lm_head.bias</c>); the decoder is tied to the word embeddings.
/// </summary>
public sealed class MaskedLmObjective : PretrainingObjective
{
    /// <summary>Creates the objective.</summary>
    public MaskedLmObjective(EncoderConfig encoder, ObjectiveConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed) { }

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);
        var positions = g.Input(BatcherInputNames.MaskedLmPositions, DataType.Int64, new Shape(PredictionsDim));                // (M)
        var labels = g.Input(BatcherInputNames.MaskedLmLabels, DataType.Int64, new Shape(PredictionsDim));                      // (M)
        var L = NewLayers(g);
        var prefix = Encoder.ModelType;
        var hidden = Encode(L, Encoder, prefix, ids, mask, types, training);                           // (B, T, H)
        var head = Heads.MaskedLmForModelType(L, Encoder, hidden, positions, labels);
        var name = Objective.Type;
        return new ForwardOutputs([new(name, head.LossSum, LossTargets.Labels(BatcherInputNames.MaskedLmLabels))],
            [new($"{name}_accuracy", head.Accuracy)],
            [new("last_hidden_state", hidden), new($"{name}_logits", head.Logits)]);
    }
}
