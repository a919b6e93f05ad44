namespace OnnxPretrain.Data;

/// <summary>
/// Turns B token sequences into one model batch for a pre-training objective. Implementations are deterministic:
/// the same (options seed, <c>step</c>, sequences) always give an identical batch, and every step draws fresh masks.
/// </summary>
public interface IBatcher
{
    /// <summary>T, tokens per row of every (B, T) array.</summary>
    int SequenceLength { get; }

    /// <summary>Builds the batch of one step.</summary>
    /// <param name="sequences">B ≥ 1 rows, each <c>[CLS] … [SEP]</c> (possibly several [SEP]s), of length ≤ T, ids in [0, VocabSize).</param>
    /// <param name="step">Batch index; with the seed it fixes every random draw.</param>
    /// <returns>The batch: <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (B, T) int64 plus the objective's inputs.</returns>
    /// <exception cref="ArgumentException">No rows, a row longer than T, or an id outside [0, VocabSize) (names row and position).</exception>
    Batch Build(IReadOnlyList<int[]> sequences, long step);
}

/// <summary>Names of the batch inputs; the ONNX training graphs consume them by these names.</summary>
public static class BatcherInputNames
{
    /// <summary>(B, T) int64 token ids after masking/substitution, padded with [PAD].</summary>
    public const string InputIds = "input_ids";

    /// <summary>(B, T) int64, 1 at real tokens and 0 at padding.</summary>
    public const string AttentionMask = "attention_mask";

    /// <summary>(B, T) int64 segment ids; 0 everywhere for single sequences.</summary>
    public const string TokenTypeIds = "token_type_ids";

    /// <summary>
    /// (M) int64 flattened positions b·T + t of every predicted (selected) token of the batch, rows in order and
    /// ascending t within a row; M, the number selected in the whole batch, varies per batch (no padded slots). A batch
    /// that selects nothing gets M = 1: one dummy slot at position 0 (row 0's [CLS]) whose label is −100.
    /// </summary>
    public const string MaskedLmPositions = "masked_lm_positions";

    /// <summary>(M) int64 original ids at <see cref="MaskedLmPositions"/>; −100 (<see cref="MaskingDefaults.IgnoreLabel"/>)
    /// only in the dummy slot of a batch that selected nothing.</summary>
    public const string MaskedLmLabels = "masked_lm_labels";

    /// <summary>(M, V) float32 uniform noise on the open interval (0, 1) for the ELECTRA generator's sampling, one row
    /// per slot of <see cref="MaskedLmPositions"/> (the dummy slot included).</summary>
    public const string SamplingNoise = "sampling_noise";

    /// <summary>(B, T) int64 replaced-token labels: 1 substituted, 0 other real token, −100 padding.</summary>
    public const string Labels = "labels";
}
