using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// PROP's representative words prediction (ROP; Ma et al., "PROP: Pre-training with Representative Words Prediction
/// for Ad-hoc Retrieval", WSDM 2021, §3.3) with masked LM. The batch holds B pairs as 2B rows
/// <c>[CLS] word set [SEP] document [SEP]</c>: row 2b the positive set (higher query likelihood under the document's
/// language model), row 2b + 1 the negative (built by PropBatcher in OnnxPretrain.Data). A linear head on [CLS] scores
/// every row: ElectraForSequenceClassification / BertForSequenceClassification with one label (<c>classifier.*</c>,
/// logits (2B, 1)); scores are reshaped to (B, 2) and the loss is the pairwise hinge max(0, margin − s_pos + s_neg)
/// (margin <see cref="PropConfig.RankingMargin"/>, 1) averaged over pairs, plus the MLM loss on the document tokens
/// (batch inputs <c>masked_lm_positions</c>, <c>masked_lm_labels</c> (M) as for MLM). Metrics: <c>rop_loss</c>,
/// <c>rop_accuracy</c> (pairs with s_pos &gt; s_neg), <c>mlm_loss</c>, <c>mlm_accuracy</c>. A PROP checkpoint initialises a
/// cross-encoder re-ranker: the encoder and <c>classifier.dense</c> load by name; <c>classifier.out_proj</c> has one
/// output here, so a two-class head keeps its fresh initialisation.
/// </summary>
public sealed class PropObjective : PretrainingObjective
{
    /// <summary>Creates the objective.</summary>
    public PropObjective(EncoderConfig encoder, PropConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed) { }

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);                                                // (2B, T)
        var positions = g.Input(BatcherInputNames.MaskedLmPositions, DataType.Int64, new Shape(PredictionsDim)); // (M)
        var mlmLabels = g.Input(BatcherInputNames.MaskedLmLabels, DataType.Int64, new Shape(PredictionsDim));    // (M)
        var L = NewLayers(g);
        var hidden = Encode(L, Encoder, Encoder.ModelType, ids, mask, types, training);                 // (2B, T, H)
        var mlm = Heads.MaskedLmForModelType(L, Encoder, hidden, positions, mlmLabels);
        var scores = Heads.Classification(L, Encoder, hidden, ids, 1, training);                       // (2B, 1)
        var (rankLoss, rankAccuracy) = Heads.PairwiseMargin(g, g.Reshape(scores, -1, 2), ((PropConfig)Objective).RankingMargin); // (B, 2) -> scalar
        return new ForwardOutputs(
            [new("rop", rankLoss, new LossTargets(BatcherInputNames.InputIds, TargetCounting.Rows, RowsPerTarget: 2)),
                new("mlm", mlm.LossSum, LossTargets.Labels(BatcherInputNames.MaskedLmLabels))],
            [new("rop_accuracy", rankAccuracy), new("mlm_accuracy", mlm.Accuracy)],
            [new("last_hidden_state", hidden), new("scores", scores)]);
    }
}
