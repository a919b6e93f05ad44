namespace OnnxPretrain.Data;

/// <summary>
/// Random token substitution (Di Liello et al. 2021, "Efficient pre-training objectives for Transformers", §3): each
/// selectable token is selected with p = 0.15 and replaced by a uniform replaceable id (<see cref="MaskingVocabulary"/>);
/// the model classifies every token as substituted or original.
/// <para>Inputs: <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (B, T) int64; <c>labels</c> (B, T) int64:
/// 1 at every selected position whose drawn id differs from the original (a draw of the original itself is labelled 0,
/// as ELECTRA does for generator samples), 0 at every other real token ([CLS] and [SEP] included), −100 at padding.</para>
/// </summary>
public sealed class RtsBatcher : IBatcher
{
    private readonly RtsBatcherOptions _options;
    private readonly MaskingVocabulary _vocabulary;
    private readonly MaskingSpec _spec;

    /// <summary>Creates the batcher.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Vocabulary size and special ids.</param>
    /// <exception cref="ArgumentException">Invalid options or special tokens (names the field and value).</exception>
    public RtsBatcher(RtsBatcherOptions options, SpecialTokens specials)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _vocabulary = new MaskingVocabulary(specials);
        _spec = new MaskingSpec(options.SequenceLength, options.Seed, options.ReplaceProbability, specials);
    }

    /// <inheritdoc/>
    public int SequenceLength => _options.SequenceLength;

    /// <inheritdoc/>
    public Batch Build(IReadOnlyList<int[]> sequences, long step)
    {
        var arrays = MaskingCore.Substitution(sequences, step, _spec,
            (_, _, rng) => _vocabulary.SampleReplaceable(rng), out long tokens);
        return new Batch(arrays, tokens);
    }
}

/// <summary>
/// Options of <see cref="RtsBatcher"/>: random token substitution (Di Liello et al. 2021, "Efficient pre-training
/// objectives for Transformers", §3).
/// </summary>
public sealed record RtsBatcherOptions
{
    /// <summary>T, tokens per row; &gt;= 2. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Probability that each selectable token is substituted; in (0, 1]. Default 0.15.</summary>
    public double ReplaceProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public RtsBatcherOptions Validate()
    {
        const string type = nameof(RtsBatcherOptions);
        BatcherValidation.SequenceLength(type, SequenceLength);
        BatcherValidation.Probability(type, nameof(ReplaceProbability), ReplaceProbability);
        return this;
    }
}
