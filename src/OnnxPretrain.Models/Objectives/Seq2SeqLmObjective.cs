using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// Teacher-forced sequence-to-sequence language modelling on a BART-family model (<see cref="Seq2Seq"/>), the loss of
/// PEGASUS gap-sentence generation (Zhang et al. 2020 §3.1), T5 span corruption (Raffel et al. 2020 §3.1.4) and
/// supervised summarisation fine-tuning alike: the objectives differ only in how their batchers build source and target.
/// Batch inputs: <c>input_ids</c>, <c>attention_mask</c> (B, S) int64 (source); <c>decoder_input_ids</c> (B, L) int64
/// (labels shifted right after the decoder start token); <c>labels</c> (B, L) int64 (-100 = ignored, e.g. padding).
/// Loss: mean cross-entropy over labelled target tokens of the LM head tied to <c>model.shared.weight</c>. With
/// <see cref="EncoderMlm"/> (PEGASUS's optional MLM on the encoder input, §3.2) also <c>masked_lm_positions</c> /
/// <c>masked_lm_labels</c> (M) int64 (flat b·S + t) and the loss adds the mean cross-entropy of the same tied head on
/// the encoder's output rows at those positions.
/// </summary>
public sealed class Seq2SeqLmObjective
{
    /// <summary>Model hyper-parameters.</summary>
    public Seq2SeqConfig Model { get; }

    /// <summary>Name of the accuracy metric (<c>{name}_accuracy</c>), e.g. <c>gsg</c> or <c>span_corruption</c>.</summary>
    public string Name { get; }

    /// <summary>Seed of the parameter initialisation.</summary>
    public long Seed { get; }

    /// <summary>Whether the encoder also predicts masked source tokens (<c>mlm_loss</c>, <c>mlm_accuracy</c> metrics).</summary>
    public bool EncoderMlm { get; }

    /// <summary>Creates the objective.</summary>
    /// <exception cref="ArgumentException">The config is invalid or the name is empty.</exception>
    public Seq2SeqLmObjective(Seq2SeqConfig model, string name, long seed, bool encoderMlm = false)
    {
        EncoderMlm = encoderMlm;
        Model = model.Validate();
        Name = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("The objective name must not be empty.", nameof(name)) : name;
        Seed = seed;
    }

    /// <summary>Builds forward + loss into an empty graph; dropout only when <paramref name="training"/>.
    /// Eval-model heads: <c>logits</c> (B, L, V) and <c>encoder_last_hidden_state</c> (B, S, d).</summary>
    public ForwardOutputs Build(Graph g, bool training)
    {
        var source = new Shape("batch", "source_sequence");
        var target = new Shape("batch", "target_sequence");
        var ids = g.Input(BatcherInputNames.InputIds, DataType.Int64, source);                                               // (B, S)
        var mask = g.Input(BatcherInputNames.AttentionMask, DataType.Int64, source);                                         // (B, S)
        var decoderIds = g.Input(Seq2SeqInputNames.DecoderInputIds, DataType.Int64, target);                                 // (B, L)
        var labels = g.Input(BatcherInputNames.Labels, DataType.Int64, target);                                              // (B, L)
        var L = new Layers(g, Seed, Model.InitStd);
        var encoderRows = Seq2Seq.EncoderStack(L, Model, ids, mask, training);                             // (B*S, d)
        var decoderRows = Seq2Seq.DecoderStack(L, Model, decoderIds, encoderRows, ids, mask, training);   // (B*L, d)
        var logits = Seq2Seq.LmLogits(g, decoderRows);                                                      // (B*L, V)
        var flatLabels = g.Reshape(labels, -1);                                                             // (B*L)
        var loss = g.SoftmaxCrossEntropyLoss(logits, flatLabels, reduction: "sum").Loss;                    // scalar
        var accuracy = Heads.Accuracy(g, g.ArgMax(logits, -1), flatLabels);
        var losses = new List<LossTerm> { new(Name, loss, LossTargets.Labels(BatcherInputNames.Labels)) };
        var metrics = new List<NamedValue> { new($"{Name}_accuracy", accuracy) };
        if (EncoderMlm)
        {
            var positions = g.Input(BatcherInputNames.MaskedLmPositions, DataType.Int64, new Shape(PretrainingObjective.PredictionsDim)); // (M)
            var mlmLabels = g.Input(BatcherInputNames.MaskedLmLabels, DataType.Int64, new Shape(PretrainingObjective.PredictionsDim));   // (M)
            var mlmLogits = Seq2Seq.LmLogits(g, g.Gather(encoderRows, positions));                                          // (M, V)
            var mlmLoss = g.SoftmaxCrossEntropyLoss(mlmLogits, mlmLabels, reduction: "sum").Loss;
            losses.Add(new("mlm", mlmLoss, LossTargets.Labels(BatcherInputNames.MaskedLmLabels)));
            metrics.Add(new("mlm_accuracy", Heads.Accuracy(g, g.ArgMax(mlmLogits, -1), mlmLabels)));
        }
        int d = Model.DModel;
        var logits3 = g.Reshape(logits, g.Concat([g.ShapeOf(labels), g.Int64s(Model.VocabSize)], 0), new Shape(target[0], target[1], Model.VocabSize));
        var hidden = g.Reshape(encoderRows, g.Concat([g.ShapeOf(ids), g.Int64s(d)], 0), new Shape(source[0], source[1], d));
        return new ForwardOutputs(losses, metrics, [new("logits", logits3), new("encoder_last_hidden_state", hidden)]);
    }
}
