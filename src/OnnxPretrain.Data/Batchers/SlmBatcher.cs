namespace OnnxPretrain.Data;

/// <summary>
/// Swapped language modelling (Di Liello et al. 2021, "Efficient pre-training objectives for Transformers", §3): BERT's
/// selection (each selectable token with p = 0.15) but every selected token is swapped for a uniform replaceable id
/// (<see cref="MaskingVocabulary"/>); no [MASK] is ever used. The model predicts the original ids at the selected positions.
/// <para>Inputs, as <see cref="MlmBatcher"/>: <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (B, T) int64;
/// <c>masked_lm_positions</c> (M) int64, flattened b·T + t of every selected position of the batch (rows in order,
/// ascending t within a row); <c>masked_lm_labels</c> (M) int64 original ids; M = the number selected in the batch, or 1
/// (the dummy slot: position 0, label −100) when none is. The optional cap
/// (<see cref="SlmBatcherOptions.MaxPredictionsPerSequence"/>) works as in <see cref="MlmBatcher"/>.</para>
/// </summary>
public sealed class SlmBatcher : IBatcher
{
    private readonly SlmBatcherOptions _options;
    private readonly MaskingVocabulary _vocabulary;
    private readonly MaskingSpec _spec;

    /// <summary>Creates the batcher.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Vocabulary size and special ids.</param>
    /// <exception cref="ArgumentException">Invalid options or special tokens (names the field and value).</exception>
    public SlmBatcher(SlmBatcherOptions options, SpecialTokens specials)
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
        var arrays = MaskingCore.MaskedLm(sequences, step, _spec, _options.MaxPredictionsPerSequence,
            (_, rng) => _vocabulary.SampleReplaceable(rng), out long tokens);
        return new Batch(arrays, tokens);
    }
}

/// <summary>
/// Options of <see cref="SlmBatcher"/>: swapped language modelling (Di Liello et al. 2021, "Efficient pre-training
/// objectives for Transformers", §3): MLM selection with every selected token swapped for a random id.
/// </summary>
public sealed record SlmBatcherOptions
{
    /// <summary>T, tokens per row; &gt;= 2. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Probability that each selectable token is selected (and swapped); in (0, 1]. Default 0.15.</summary>
    public double MaskProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>Optional cap on the predictions per row; in [1, T], or null (the default) for no cap. A row that selects
    /// more keeps a seeded random subset of that size; the others are un-selected (original ids, not predicted).</summary>
    public int? MaxPredictionsPerSequence { get; init; }

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public SlmBatcherOptions Validate()
    {
        const string type = nameof(SlmBatcherOptions);
        BatcherValidation.SequenceLength(type, SequenceLength);
        BatcherValidation.Probability(type, nameof(MaskProbability), MaskProbability);
        BatcherValidation.MaxPredictions(type, MaxPredictionsPerSequence, SequenceLength);
        return this;
    }
}
