using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// ELECTRA replaced-token detection (Clark et al. 2020 §3): a small generator (width × <c>generator_size_factor</c>,
/// sharing the discriminator's embeddings) does MLM on the masked input; replacements are SAMPLED from its softmax
/// in the graph by Gumbel-max with uniform noise supplied as the batch input <c>sampling_noise</c> (M, V)
/// (no gradient flows through the sample); the discriminator classifies every real token as original/replaced,
/// label 1 only where the sample differs from the original.
/// Loss = generator MLM loss (mean over selected tokens) + <c>discriminator_weight</c> × discriminator BCE (mean over real tokens).
/// Batch inputs: encoder inputs (with [MASK]s), <c>masked_lm_positions</c> (M) flat b·T + t of the selected tokens,
/// <c>masked_lm_labels</c> (M) original ids (-100 ignored), <c>sampling_noise</c> (M, V) in (0, 1).
/// Names: discriminator <c>electra.*</c> + <c>discriminator_predictions.*</c> (ElectraForPreTraining); generator
/// <c>generator.electra.*</c> + <c>generator.generator_predictions.*</c> (ElectraForMaskedLM under <c>generator.</c>).
/// </summary>
public sealed class ElectraObjective : PretrainingObjective
{
    /// <summary>Creates the objective.</summary>
    public ElectraObjective(EncoderConfig encoder, ElectraConfig objective, int sequenceLength, long seed)
        : base(encoder, objective, sequenceLength, seed) { }

    /// <summary>The objective's settings.</summary>
    public ElectraConfig Settings => (ElectraConfig)Objective;

    /// <summary>The generator's config: hidden, heads and intermediate size scaled by the factor; embeddings shared.</summary>
    public EncoderConfig GeneratorConfig() => Encoder with
    {
        HiddenSize = (int)(Encoder.HiddenSize * Settings.GeneratorSizeFactor),
        NumAttentionHeads = Math.Max(1, (int)(Encoder.NumAttentionHeads * Settings.GeneratorSizeFactor)),
        IntermediateSize = (int)(Encoder.IntermediateSize * Settings.GeneratorSizeFactor),
        EmbeddingSize = Encoder.EffectiveEmbeddingSize,
    };

    /// <inheritdoc />
    public override ForwardOutputs Build(Graph g, bool training)
    {
        var (ids, mask, types) = DeclareEncoderInputs(g);
        int v = Encoder.VocabSize;
        var positions = g.Input(BatcherInputNames.MaskedLmPositions, DataType.Int64, new Shape(PredictionsDim)); // (M)
        var labels = g.Input(BatcherInputNames.MaskedLmLabels, DataType.Int64, new Shape(PredictionsDim));       // (M)
        var noise = g.Input(BatcherInputNames.SamplingNoise, DataType.Float, new Shape(PredictionsDim, v));                // (M, V)
        var L = NewLayers(g);
        var gen = GeneratorConfig().Validate("objective.generator");
        var wordEmbeddings = L.Weight("electra.embeddings.word_embeddings.weight", v, Encoder.EffectiveEmbeddingSize);

        // Generator: MLM over the masked input, embeddings shared with the discriminator.
        var genHidden = Encode(L, gen, "generator.electra", ids, mask, types, training, embeddingsPrefix: "electra");
        var mlm = Heads.MaskedLm(L, gen, genHidden, positions, labels, wordEmbeddings, "generator.generator_predictions", "generator.generator_lm_head.bias");

        // Sample replacements: argmax(logits + Gumbel(u)), u ~ U(0, 1) from the batch; ArgMax carries no gradient.
        var gumbel = g.Neg(g.Log(g.Neg(g.Log(noise))));                                               // (M, V)
        var sampled = g.ArgMax(g.Add(mlm.Logits, gumbel), -1);                                          // (M)
        var (discIds, discLabels) = Corrupt(g, ids, mask, positions, labels, sampled);                  // (B, T), (B, T)

        // Discriminator: replaced-token detection on every real token.
        var hidden = Encode(L, Encoder, "electra", discIds, mask, types, training);                     // (B, T, H)
        var disc = Heads.TokenBinary(L, Encoder, hidden, discLabels, "discriminator_predictions");
        var losses = new LossTerm[]
        {
            new("generator", mlm.LossSum, LossTargets.Labels(BatcherInputNames.MaskedLmLabels)),
            new("discriminator", disc.LossSum, new LossTargets(BatcherInputNames.AttentionMask, TargetCounting.Ones), Settings.DiscriminatorWeight),
        };
        var replaced = g.ReduceMean(g.Cast(g.Equal(discLabels, g.Scalar(1, DataType.Int64)), DataType.Float), [], keepDims: false);
        return new ForwardOutputs(losses,
            [new("generator_accuracy", mlm.Accuracy), new("discriminator_accuracy", disc.Accuracy), new("replaced_fraction", replaced)],
            [new("last_hidden_state", hidden), new("logits", disc.Logits), new("discriminator_labels", discLabels),
             new("sampled_ids", sampled)]);
    }

    /// <summary>
    /// Writes the sampled ids into the input at the selected positions and labels them: ids (B, T) -> discriminator
    /// ids (B, T) and labels (B, T) = 1 where the sample differs from the original, 0 at other real tokens, -100 at padding.
    /// Slots labelled -100 (the batcher's dummy slot) write back the token's own id with label 0.
    /// </summary>
    private static (Value Ids, Value Labels) Corrupt(Graph g, Value ids, Value mask, Value positions, Value labels, Value sampled)
    {
        var flatIds = g.Reshape(ids, -1);                                                               // (B*T)
        var slot = g.Unsqueeze(positions, -1);                                                          // (M, 1)
        var used = g.Not(g.Equal(labels, g.Scalar(-100, DataType.Int64)));                            // (M)
        var written = g.Where(used, sampled, g.Gather(flatIds, positions));                            // (M)
        var discIds = g.ReshapeLike(g.ScatterND(flatIds, slot, written), ids);                         // (B, T)
        var isReplaced = g.Cast(g.And(used, g.Not(g.Equal(sampled, labels))), DataType.Int64);         // (M)
        var base0 = g.Where(g.Equal(mask, g.Scalar(1, DataType.Int64)), g.Scalar(0, DataType.Int64), g.Scalar(-100, DataType.Int64)); // (B, T)
        var discLabels = g.ReshapeLike(g.ScatterND(g.Reshape(base0, -1), slot, isReplaced), ids);     // (B, T)
        return (discIds, discLabels);
    }
}
