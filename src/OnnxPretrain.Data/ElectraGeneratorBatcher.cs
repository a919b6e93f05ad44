namespace OnnxPretrain.Data;

/// <summary>
/// The generator input of ELECTRA (Clark et al. 2020, "ELECTRA: Pre-training Text Encoders as Discriminators Rather
/// Than Generators", §3 and Appendix A): each selectable token is selected with p = 0.15; a selected token becomes
/// [MASK] with probability 0.85 and is kept with 0.15. The training graph samples the generator's replacements with the
/// Gumbel-max trick on <c>sampling_noise</c> and builds the discriminator's labels itself.
/// <para>Inputs (V = <see cref="SpecialTokens.VocabSize"/>): <c>input_ids</c>, <c>attention_mask</c>,
/// <c>token_type_ids</c> (B, T) int64; <c>masked_lm_positions</c> (B, P) int64 flattened b·T + t (unused slots b·T);
/// <c>masked_lm_labels</c> (B, P) int64 original ids (unused slots −100); <c>sampling_noise</c> (B, P, V) float32,
/// independent uniforms on the open interval (0, 1) (never 0 or 1, so −log(−log(u)) is finite), drawn for every slot,
/// unused ones included. Overflow beyond P is handled as in <see cref="MlmBatcher"/>.</para>
/// <para>The noise of row b comes from its own stream (seed, step, 2⁶³ + b), separate from the masking stream, and rows
/// are filled in parallel; the result does not depend on the thread count.</para>
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

    /// <summary>P, prediction slots per row.</summary>
    public int Predictions => _options.Predictions;

    /// <inheritdoc/>
    public Batch Build(IReadOnlyList<int[]> sequences, long step)
    {
        var arrays = MaskingCore.MaskedLm(sequences, step, _spec, Predictions, Replace, out long tokens);
        arrays[BatcherInputNames.SamplingNoise] = Noise(sequences.Count, step);
        return new Batch(arrays, tokens);
    }

    private BatchArray Noise(int rows, long step)
    {
        int vocab = _spec.Specials.VocabSize, perRow = checked(Predictions * vocab);
        var noise = new float[checked(rows * (long)perRow)];
        Parallel.For(0, rows, b =>
            new MaskingRng(_spec.Seed, step, NoiseStreamBase + (ulong)b).FillOpenUnitFloats(noise.AsSpan(b * perRow, perRow)));
        return new BatchArray(noise, [rows, Predictions, vocab]);
    }

    private int Replace(int original, MaskingRng rng) =>
        rng.NextDouble() < _options.MaskTokenFraction ? _spec.Specials.MaskId : original;
}
