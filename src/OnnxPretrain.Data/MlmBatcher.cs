namespace OnnxPretrain.Data;

/// <summary>
/// BERT's masked language modelling (Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional Transformers for
/// Language Understanding", §3.1 and Appendix A.1). Each selectable token (real and not special, see
/// <see cref="SpecialTokens.IsSpecial"/>) is selected independently with probability p = 0.15; a selected token becomes
/// [MASK] with probability 0.8, a uniform replaceable id (<see cref="MaskingVocabulary"/>) with 0.1, and stays unchanged
/// with 0.1.
/// <para>Inputs (B rows, T = <see cref="MlmBatcherOptions.SequenceLength"/>, P = <see cref="MlmBatcherOptions.Predictions"/>):
/// <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (B, T) int64; <c>masked_lm_positions</c> (B, P) int64,
/// the flattened index b·T + t of each selected position, ascending within a row; <c>masked_lm_labels</c> (B, P) int64,
/// the original id there. Unused slots hold position b·T (the row's [CLS], never selected) and label −100.</para>
/// <para>Overflow: when a row selects more than P positions (about 8e-4 of full rows at T = 128, P = 32), a seeded random
/// order picks the P kept and the others are un-selected: their ids stay the originals and they are not predicted.</para>
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

    /// <summary>P, prediction slots per row.</summary>
    public int Predictions => _options.Predictions;

    /// <inheritdoc/>
    public Batch Build(IReadOnlyList<int[]> sequences, long step)
    {
        var arrays = MaskingCore.MaskedLm(sequences, step, _spec, Predictions, Replace, out long tokens);
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
