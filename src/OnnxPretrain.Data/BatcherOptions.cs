using System.Globalization;

namespace OnnxPretrain.Data;

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

/// <summary>
/// Options of <see cref="CrtsBatcher"/>: cluster-based random token substitution (Di Liello et al. 2021, "Efficient
/// pre-training objectives for Transformers", §3).
/// </summary>
public sealed record CrtsBatcherOptions
{
    /// <summary>T, tokens per row; &gt;= 2. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Probability that each selectable token is substituted; in (0, 1]. Default 0.15.</summary>
    public double ReplaceProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>β, the inverse temperature of softmax(β · minmax(counts[c])) over target clusters; finite, &gt;= 0
    /// (0 = uniform target cluster). Default 2.0.</summary>
    public double Beta { get; init; } = 2.0;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public CrtsBatcherOptions Validate()
    {
        const string type = nameof(CrtsBatcherOptions);
        BatcherValidation.SequenceLength(type, SequenceLength);
        BatcherValidation.Probability(type, nameof(ReplaceProbability), ReplaceProbability);
        if (!(Beta >= 0) || double.IsInfinity(Beta))
            throw BatcherValidation.Invalid(type, nameof(Beta), Beta, "must be a finite number >= 0");
        return this;
    }
}

/// <summary>Shared range checks of the batcher options.</summary>
internal static class BatcherValidation
{
    public static void SequenceLength(string type, int value)
    {
        if (value < 2) throw Invalid(type, "SequenceLength", value, "must be >= 2 (room for [CLS] and [SEP])");
    }

    public static void Probability(string type, string field, double value)
    {
        if (!(value > 0 && value <= 1)) throw Invalid(type, field, value, "must be in (0, 1]");
    }

    public static void Fraction(string type, string field, double value)
    {
        if (!(value >= 0 && value <= 1)) throw Invalid(type, field, value, "must be in [0, 1]");
    }

    public static void MaxPredictions(string type, int? value, int sequenceLength)
    {
        if (value is { } p && (p < 1 || p > sequenceLength))
            throw Invalid(type, "MaxPredictionsPerSequence", p, $"must be in [1, SequenceLength = {sequenceLength}] or null");
    }

    public static ArgumentException Invalid(string type, string field, double value, string rule) =>
        new($"{type}.{field} {rule}, got {value.ToString("R", CultureInfo.InvariantCulture)}.", field);
}
