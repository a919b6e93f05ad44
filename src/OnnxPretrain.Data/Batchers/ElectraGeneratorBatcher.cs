namespace OnnxPretrain.Data;

/// <summary>
/// The generator input of ELECTRA (Clark et al. 2020, "ELECTRA: Pre-training Text Encoders as Discriminators Rather
/// Than Generators", §3 and Appendix A): each selectable token is selected with p = 0.15; a selected token becomes
/// [MASK] with probability 0.85 and is kept with 0.15. The training graph samples the generator's replacements with the
/// Gumbel-max trick on <c>sampling_noise</c> and builds the discriminator's labels itself.
/// <para>Inputs (V = <see cref="SpecialTokens.VocabSize"/>): <c>input_ids</c>, <c>attention_mask</c>,
/// <c>token_type_ids</c> (B, T) int64; <c>masked_lm_positions</c> (M) int64, flattened b·T + t of every selected
/// position of the batch (rows in order, ascending t within a row); <c>masked_lm_labels</c> (M) int64 original ids;
/// <c>sampling_noise</c> (M, V) float32, one row per selected position, independent uniforms on the open interval (0, 1)
/// (never 0 or 1, so −log(−log(u)) is finite). M = the number selected in the batch, or 1 when none is: the dummy slot
/// (position 0, label −100) with one noise row. The optional cap
/// (<see cref="ElectraBatcherOptions.MaxPredictionsPerSequence"/>) works as in <see cref="MlmBatcher"/>.</para>
/// <para>The noise rows of batch row b (one per position it selected, in position order) come from its own stream
/// (seed, step, 2⁶³ + b), separate from the masking stream, and rows are filled in parallel; the result does not depend
/// on the thread count.</para>
/// </summary>
public sealed class ElectraGeneratorBatcher : IBatcher
{
    private const ulong NoiseStreamBase = 1UL << 63;
    private readonly ElectraBatcherOptions _options;
    private readonly MaskingSpec _spec;

    /// <summary>Creates the batcher.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Vocabulary size and special ids.</param>
    /// <exception cref="ArgumentException">Invalid options or special tokens (names the field and value).</exception>
    public ElectraGeneratorBatcher(ElectraBatcherOptions options, SpecialTokens specials)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _ = new MaskingVocabulary(specials); // validates the special tokens (no random replacements here)
        _spec = new MaskingSpec(options.SequenceLength, options.Seed, options.MaskProbability, specials);
    }

    /// <inheritdoc/>
    public int SequenceLength => _options.SequenceLength;

    /// <inheritdoc/>
    public Batch Build(IReadOnlyList<int[]> sequences, long step)
    {
        var arrays = MaskingCore.MaskedLm(sequences, step, _spec, _options.MaxPredictionsPerSequence, Replace, out long tokens);
        arrays[BatcherInputNames.SamplingNoise] = Noise(arrays[BatcherInputNames.MaskedLmPositions].Int64s, sequences.Count, step);
        return new Batch(arrays, tokens);
    }

    /// <summary>(M, V) noise: the slots of row b (contiguous, since positions are in row order) from row b's stream.</summary>
    private BatchArray Noise(long[] positions, int rows, long step)
    {
        int vocab = _spec.Specials.VocabSize, t = _spec.SequenceLength;
        var start = new int[rows + 1];
        foreach (long flat in positions) start[flat / t + 1]++;
        for (int b = 0; b < rows; b++) start[b + 1] += start[b];
        var noise = new float[checked(positions.Length * (long)vocab)];
        Parallel.For(0, rows, b =>
        {
            int count = start[b + 1] - start[b];
            if (count == 0) return;
            new MaskingRng(_spec.Seed, step, NoiseStreamBase + (ulong)b)
                .FillOpenUnitFloats(noise.AsSpan(start[b] * vocab, count * vocab));
        });
        return new BatchArray(noise, [positions.Length, vocab]);
    }

    private int Replace(int original, MaskingRng rng) =>
        rng.NextDouble() < _options.MaskTokenFraction ? _spec.Specials.MaskId : original;
}

/// <summary>
/// Options of <see cref="ElectraGeneratorBatcher"/>: the generator input of ELECTRA (Clark et al. 2020, "ELECTRA:
/// Pre-training Text Encoders as Discriminators Rather Than Generators", §3 and Appendix A: 15% selected, of which
/// 85% are masked and 15% kept).
/// </summary>
public sealed record ElectraBatcherOptions
{
    /// <summary>T, tokens per row; &gt;= 2. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Probability that each selectable token is selected; in (0, 1]. Default 0.15.</summary>
    public double MaskProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>Fraction of selected tokens replaced by [MASK]; the rest are kept. In [0, 1]. Default 0.85.</summary>
    public double MaskTokenFraction { get; init; } = 0.85;

    /// <summary>Optional cap on the predictions per row; in [1, T], or null (the default) for no cap. A row that selects
    /// more keeps a seeded random subset of that size; the others are un-selected (original ids, not predicted).</summary>
    public int? MaxPredictionsPerSequence { get; init; }

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public ElectraBatcherOptions Validate()
    {
        const string type = nameof(ElectraBatcherOptions);
        BatcherValidation.SequenceLength(type, SequenceLength);
        BatcherValidation.Probability(type, nameof(MaskProbability), MaskProbability);
        BatcherValidation.Fraction(type, nameof(MaskTokenFraction), MaskTokenFraction);
        BatcherValidation.MaxPredictions(type, MaxPredictionsPerSequence, SequenceLength);
        return this;
    }
}
