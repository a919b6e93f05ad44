using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// The joint multi-candidate model of Di Liello et al. (NAACL 2022, "Paragraph-based Transformer Pre-training for
/// Multi-Sentence Inference"): one row holds a question (premise) and k candidates, <c>[CLS] q [SEP] [CLS] c1 [SEP] …</c>,
/// every segment S tokens (see <see cref="IJointCandidates"/>); a head on each segment's vector ([CLS] or mean, <c>pooling</c>) gives one
/// logit per candidate. Used by MSPP pre-training (<c>mspp</c>, with MLM) and joint AS2 fine-tuning (<c>as2_joint</c>).
/// Batch inputs beyond the encoder's: <c>candidate_labels</c> (B, k) int64 (1 positive, 0 negative, −100 an empty slot;
/// <c>ae_1</c> reads column 0 only) and, with MLM, <c>masked_lm_positions</c> / <c>masked_lm_labels</c> (M).
/// Loss: binary cross-entropy per labelled candidate (summed; the trainer divides by the window's labelled candidates)
/// + MLM's, equal weights.
/// </summary>
public sealed class JointCandidatesObjective : PretrainingObjective
{
    private readonly IJointCandidates _joint;
    private readonly bool _mlm;

    /// <summary>Creates the objective; <paramref name="sequenceLength"/> must be (k + 1) · S.</summary>
    /// <exception cref="ArgumentException">The sequence length or the token-type table does not fit the layout.</exception>
    public JointCandidatesObjective(EncoderConfig encoder, ObjectiveConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed)
    {
        _joint = (IJointCandidates)objective;
        _mlm = objective is MultiSentenceConfig;
        if (sequenceLength != _joint.SequenceLength)
            throw new ArgumentException($"data.sequence_length ({sequenceLength}) must be (objective.candidates + 1) x objective.segment_length = " +
                $"({_joint.Candidates} + 1) x {_joint.SegmentLength} = {_joint.SequenceLength}.");
        if (encoder.TypeVocabSize < _joint.Candidates + 1)
            throw new ArgumentException($"model.type_vocab_size ({encoder.TypeVocabSize}) must be >= objective.candidates + 1 = {_joint.Candidates + 1} " +
                "(token types 0 … k, one per segment).");
    }

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);
        var labels = g.Input(MultiSentenceInputNames.CandidateLabels, DataType.Int64, new Shape("batch", _joint.Candidates));    // (B, k)
        var L = NewLayers(g);
        var hidden = Encode(L, Encoder, Encoder.ModelType, ids, mask, types, training);                   // (B, T, H)
        var logits = Logits(L, Encoder, _joint, hidden, mask);                                           // (B, K), K = k or 1
        var targets = _joint.Outputs == _joint.Candidates ? labels : g.Slice(labels, [0], [1], [1]);     // (B, K)
        var (loss, accuracy) = BinaryLoss(g, logits, targets);
        var terms = new List<LossTerm> { new("candidates", loss, LossTargets.Labels(MultiSentenceInputNames.CandidateLabels)) };
        var metrics = new List<NamedValue> { new("candidate_accuracy", accuracy) };
        if (_mlm)
        {
            var positions = g.Input(BatcherInputNames.MaskedLmPositions, DataType.Int64, new Shape(PredictionsDim));  // (M)
            var mlmLabels = g.Input(BatcherInputNames.MaskedLmLabels, DataType.Int64, new Shape(PredictionsDim));     // (M)
            var mlm = Heads.MaskedLmForModelType(L, Encoder, hidden, positions, mlmLabels);
            terms.Insert(0, new("mlm", mlm.LossSum, LossTargets.Labels(BatcherInputNames.MaskedLmLabels)));
            metrics.Insert(0, new("mlm_accuracy", mlm.Accuracy));
        }
        return new ForwardOutputs(terms, metrics, [new("logits", logits)]);
    }

    /// <summary>
    /// The joint head, shared with the export: hidden (B, (k + 1)·S, H) -> segment vectors (B, k + 1, H), each segment's
    /// first token (<c>pooling</c> <c>cls</c>, the paper's) or the mean of its tokens where attention_mask is 1 (<c>mean</c>)
    /// -> per-output features of width W (<c>ie_k</c>: candidate vector, H; <c>ae_k</c>: [question; candidate], 2H;
    /// <c>ae_1</c>: sum over all k + 1 segments, H) -> <c>joint_classifier.dense</c> (W -> W) + tanh ->
    /// <c>joint_classifier.out_proj</c> (W -> 1) -> logits (B, K), as the authors' JointClassificationHead with one
    /// logit (binary cross-entropy) instead of two. No dropout in the head.
    /// </summary>
    public static Value Logits(Layers L, EncoderConfig c, IJointCandidates joint, Value hidden, Value attentionMask)
    {
        var g = L.G;
        int h = c.HiddenSize, k = joint.Candidates;
        var vectors = SegmentVectors(g, joint, hidden, attentionMask, h);                               // (B, k+1, H)
        var question = g.Slice(vectors, [0], [1], [1]);                                                 // (B, 1, H)
        var candidates = g.Slice(vectors, [1], [k + 1], [1]);                                           // (B, k, H)
        var (features, width) = joint.Head switch
        {
            "ie_k" => (candidates, h),
            "ae_k" => (g.Concat([g.ExpandLike(question, candidates), candidates], -1), 2 * h),         // (B, k, 2H)
            _ => (g.ReduceSum(vectors, [1], keepDims: true), h),                                        // (B, 1, H)
        };
        using var scope = g.Scope("joint_classifier");
        var x = g.Tanh(L.Linear("dense", features, width, width));                                      // (B, K, W)
        return g.Reshape(L.Linear("out_proj", x, width, 1), 0, joint.Outputs);                          // (B, K)
    }

    /// <summary>hidden (B, (k + 1)·S, H) -> one vector per segment (B, k + 1, H): its first token, or its masked mean.</summary>
    private static Value SegmentVectors(Graph g, IJointCandidates joint, Value hidden, Value attentionMask, int h)
    {
        int k = joint.Candidates, s = joint.SegmentLength;
        var segments = g.Reshape(hidden, 0, -1, s, h);                                                  // (B, k+1, S, H)
        if (joint.Pooling == "cls") return g.Reshape(g.Slice(segments, [0], [1], [2]), 0, k + 1, h);  // (B, k+1, H)
        var keep = g.Reshape(g.Cast(attentionMask, DataType.Float), 0, -1, s, 1);                     // (B, k+1, S, 1)
        var sum = g.ReduceSum(g.Mul(segments, keep), [2], keepDims: false);                             // (B, k+1, H)
        var mean = g.Div(sum, g.ReduceSum(keep, [2], keepDims: false));                                // >= 2 tokens per segment
        return g.Reshape(mean, 0, k + 1, h);                                                            // (B, k+1, H)
    }

    /// <summary>Binary cross-entropy with logits z (B, K) against labels (B, K) (−100 ignored), summed, as a two-class
    /// softmax over [0, z]; accuracy over the labelled entries (z &gt; 0 predicts 1).</summary>
    public static (Value LossSum, Value Accuracy) BinaryLoss(Graph g, Value logits, Value labels)
    {
        var z = g.Unsqueeze(logits, -1);                                                                // (B, K, 1)
        var twoClass = g.Reshape(g.Concat([g.ZerosLike(z), z], -1), -1, 2);                             // (B·K, 2)
        var loss = g.SoftmaxCrossEntropyLoss(twoClass, g.Reshape(labels, -1), reduction: "sum").Loss;  // scalar
        var predictions = g.Cast(g.Greater(logits, g.Scalar(0, DataType.Float)), DataType.Int64);      // (B, K)
        return (loss, Heads.Accuracy(g, predictions, labels));
    }
}
