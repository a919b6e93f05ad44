using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// Sentence-level objectives for answer sentence selection (Di Liello et al., "Pre-training Transformer Models with
/// Sentence-Level Objectives for Answer Sentence Selection", EMNLP 2022): SSP (spans in the same paragraph), SP (span
/// in paragraph), PSD (paragraphs in the same document), or all three, each a binary classification of the pair
/// <c>[CLS] A [SEP] B [SEP]</c> on its [CLS] representation, trained jointly with MLM. Batch inputs beyond the
/// encoder's: <c>masked_lm_positions</c> (M), <c>masked_lm_labels</c> (M) as for MLM, and <c>sentence_labels</c> (B)
/// int64 (1 positive). Loss = MLM loss (mean over masked tokens) + sentence cross-entropy (mean over pairs). The classification head has the names of
/// ElectraForSequenceClassification / BertForSequenceClassification, so AS2 fine-tuning starts from it.
/// </summary>
public sealed class SentencePairObjective : PretrainingObjective
{
    /// <summary>Creates the objective.</summary>
    public SentencePairObjective(EncoderConfig encoder, ObjectiveConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed) { }

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);
        var positions = g.Input(BatcherInputNames.MaskedLmPositions, DataType.Int64, new Shape(PredictionsDim));  // (M)
        var mlmLabels = g.Input(BatcherInputNames.MaskedLmLabels, DataType.Int64, new Shape(PredictionsDim));     // (M)
        var labels = g.Input(SentenceLevelInputNames.SentenceLabels, DataType.Int64, new Shape("batch"));                         // (B)
        var L = NewLayers(g);
        var prefix = Encoder.ModelType;
        var hidden = Encode(L, Encoder, prefix, ids, mask, types, training);                               // (B, T, H)
        var mlm = Heads.MaskedLmForModelType(L, Encoder, hidden, positions, mlmLabels);
        var logits = Heads.Classification(L, Encoder, hidden, ids, 2, training);                         // (B, 2)
        var sentenceLoss = g.SoftmaxCrossEntropyLoss(logits, labels, reduction: "sum").Loss;            // scalar
        var accuracy = Heads.Accuracy(g, g.ArgMax(logits, -1), labels);
        return new ForwardOutputs(
            [new("mlm", mlm.LossSum, LossTargets.Labels(BatcherInputNames.MaskedLmLabels)),
                new("sentence", sentenceLoss, LossTargets.Labels(SentenceLevelInputNames.SentenceLabels))],
            [new("mlm_accuracy", mlm.Accuracy), new("sentence_accuracy", accuracy)],
            [new("last_hidden_state", hidden), new("logits", logits)]);
    }
}

/// <summary>
/// Sequence-pair classification for fine-tuning (AS2 cross-encoder): (question, candidate) pairs, batch input
/// <c>labels</c> (B) int64, cross-entropy over 2 classes on the [CLS] head; outputs <c>logits</c> (B, 2).
/// </summary>
public sealed class SequenceClassificationObjective : PretrainingObjective
{
    /// <summary>Creates the objective.</summary>
    public SequenceClassificationObjective(EncoderConfig encoder, ObjectiveConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed) { }

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);
        var labels = g.Input(BatcherInputNames.Labels, DataType.Int64, new Shape("batch"));                                 // (B)
        var L = NewLayers(g);
        var hidden = Encode(L, Encoder, Encoder.ModelType, ids, mask, types, training);                   // (B, T, H)
        var logits = Heads.Classification(L, Encoder, hidden, ids, 2, training);                         // (B, 2)
        var loss = g.SoftmaxCrossEntropyLoss(logits, labels, reduction: "sum").Loss;                    // scalar
        return new ForwardOutputs([new("classification", loss, LossTargets.Labels(BatcherInputNames.Labels))],
            [new("accuracy", Heads.Accuracy(g, g.ArgMax(logits, -1), labels))], [new("logits", logits)]);
    }
}
