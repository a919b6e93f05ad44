using System.Globalization;
namespace OnnxPretrain.Data;

/// <summary>
/// BERT's masked language modelling (Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional Transformers for
/// Language Understanding", §3.1 and Appendix A.1). Each selectable token (real and not special, see
/// <see cref="SpecialTokens.IsSpecial"/>) is selected independently with probability p = 0.15; a selected token becomes
/// [MASK] with probability 0.8, a uniform replaceable id (<see cref="MaskingVocabulary"/>) with 0.1, and stays unchanged
/// with 0.1.
/// <para>Inputs (B rows, T = <see cref="MlmBatcherOptions.SequenceLength"/>): <c>input_ids</c>, <c>attention_mask</c>,
/// <c>token_type_ids</c> (B, T) int64; <c>masked_lm_positions</c> (M) int64, the flattened index b·T + t of every
/// selected position of the batch, rows in order and ascending t within a row; <c>masked_lm_labels</c> (M) int64, the
/// original id there. M is the number of positions selected in the whole batch, so it varies from batch to batch and
/// the model projects onto the vocabulary only at selected tokens (no padded slots). If no position of the batch is
/// selected (only possible for tiny inputs), M = 1: a single dummy slot at position 0 (row 0's [CLS]) with label −100
/// (<see cref="MaskingDefaults.IgnoreLabel"/>), which the loss must ignore.</para>
/// <para>Optional cap: when <see cref="MlmBatcherOptions.MaxPredictionsPerSequence"/> is set and a row selects more
/// positions than that, a seeded random order picks the ones kept and the others are un-selected: their ids stay the
/// originals and they are not predicted. By default there is no cap.</para>
/// </summary>
public sealed class MlmBatcher : IBatcher
{
    private readonly MlmBatcherOptions _options;
    private readonly MaskingVocabulary _vocabulary;
    private readonly MaskingSpec _spec;

    /// <summary>Creates the batcher.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Vocabulary size and special ids.</param>
    /// <exception cref="ArgumentException">Invalid options or special tokens (names the field and value).</exception>
    public MlmBatcher(MlmBatcherOptions options, SpecialTokens specials)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _vocabulary = new MaskingVocabulary(specials);
        _spec = new MaskingSpec(options.SequenceLength, options.Seed, options.MaskProbability, specials);
    }

    /// <inheritdoc/>
    public int SequenceLength => _options.SequenceLength;

    /// <inheritdoc/>
    public Batch Build(IReadOnlyList<int[]> sequences, long step)
    {
        var arrays = MaskingCore.MaskedLm(sequences, step, _spec, _options.MaxPredictionsPerSequence, Replace, out long tokens);
        return new Batch(arrays, tokens);
    }

    private int Replace(int original, MaskingRng rng)
    {
        double u = rng.NextDouble();
        if (u < _options.MaskTokenFraction) return _spec.Specials.MaskId;
        if (u < _options.MaskTokenFraction + _options.RandomTokenFraction) return _vocabulary.SampleReplaceable(rng);
        return original;
    }
}

/// <summary>
/// Options of <see cref="MlmBatcher"/>: BERT's masked LM (Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional
/// Transformers for Language Understanding", §3.1 and Appendix A.1).
/// </summary>
public sealed record MlmBatcherOptions
{
    /// <summary>T, tokens per row (rows are padded to it); &gt;= 2. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed; with the step index it fixes every random draw. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Probability that each selectable token is selected; in (0, 1]. Default 0.15.</summary>
    public double MaskProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>Fraction of selected tokens replaced by [MASK]; in [0, 1]. Default 0.8.</summary>
    public double MaskTokenFraction { get; init; } = 0.8;

    /// <summary>Fraction of selected tokens replaced by a uniform replaceable id; in [0, 1], with
    /// MaskTokenFraction + RandomTokenFraction &lt;= 1 (the rest stay unchanged). Default 0.1.</summary>
    public double RandomTokenFraction { get; init; } = 0.1;

    /// <summary>Optional cap on the predictions per row; in [1, T], or null (the default) for no cap. A row that selects
    /// more keeps a seeded random subset of that size; the others are un-selected (original ids, not predicted).</summary>
    public int? MaxPredictionsPerSequence { get; init; }

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public MlmBatcherOptions Validate()
    {
        const string type = nameof(MlmBatcherOptions);
        BatcherValidation.SequenceLength(type, SequenceLength);
        BatcherValidation.Probability(type, nameof(MaskProbability), MaskProbability);
        BatcherValidation.Fraction(type, nameof(MaskTokenFraction), MaskTokenFraction);
        BatcherValidation.Fraction(type, nameof(RandomTokenFraction), RandomTokenFraction);
        if (MaskTokenFraction + RandomTokenFraction > 1 + 1e-12)
            throw BatcherValidation.Invalid(type, nameof(RandomTokenFraction), RandomTokenFraction,
                $"plus MaskTokenFraction ({MaskTokenFraction.ToString("R", CultureInfo.InvariantCulture)}) must be <= 1");
        BatcherValidation.MaxPredictions(type, MaxPredictionsPerSequence, SequenceLength);
        return this;
    }
}
