using System.Globalization;

namespace OnnxPretrain.Data;

/// <summary>
/// The sentence-level pre-training objectives of Di Liello et al. 2022, "Pre-training Transformer Models with
/// Sentence-Level Objectives for Answer Sentence Selection" (EMNLP 2022, §3), each a binary classification of a pair
/// <c>[CLS] A [SEP] B [SEP]</c> trained jointly with MLM. See <see cref="SentenceLevelBatcher"/> for the sampling rules.
/// </summary>
public enum SentenceLevelTask
{
    /// <summary>Spans in Same Paragraph: A and B are disjoint spans of 1-3 consecutive sentences; positive when both
    /// come from the same paragraph.</summary>
    Ssp,

    /// <summary>Span in Paragraph: A is a span of 1-3 sentences, B a paragraph; positive when A was taken out of B (B is
    /// A's paragraph with A removed).</summary>
    Sp,

    /// <summary>Paragraphs in Same Document: A and B are paragraphs; positive when both come from the same document.</summary>
    Psd,
}

/// <summary>
/// Options of <see cref="SentenceLevelBatcher"/>: the sentence-level objectives (SSP, SP, PSD) of Di Liello et al. 2022,
/// "Pre-training Transformer Models with Sentence-Level Objectives for Answer Sentence Selection" (EMNLP 2022, §3),
/// trained jointly with BERT's masked LM (Devlin et al. 2019, §3.1; the masking fields mean what they mean in
/// <see cref="MlmBatcherOptions"/>). Each row is a positive with probability <see cref="PositiveFraction"/>, a hard
/// negative (same document) with <see cref="HardNegativeFraction"/> and an easy negative (another document) with the
/// rest, 1 − PositiveFraction − HardNegativeFraction; defaults 50% / 25% / 25%.
/// </summary>
public sealed record SentenceLevelBatcherOptions
{
    /// <summary>Fewest sentences in a span (SSP's A and B, SP's A): 1 (paper §3).</summary>
    public const int MinSpanSentences = 1;

    /// <summary>Most sentences in a span (SSP's A and B, SP's A): 3 (paper §3).</summary>
    public const int MaxSpanSentences = 3;

    /// <summary>Smallest allowed T: <c>[CLS] a [SEP] b [SEP]</c> with one token of each segment.</summary>
    public const int MinSequenceLength = 5;

    /// <summary>The objective. Default <see cref="SentenceLevelTask.Ssp"/>.</summary>
    public SentenceLevelTask Task { get; init; } = SentenceLevelTask.Ssp;

    /// <summary>T, tokens per row (rows are padded to it, pairs truncated longest-first to it); &gt;= 5. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed; with the step index it fixes every draw (pairs and masks). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Probability that a row is a positive pair; in [0, 1]. Default 0.5.</summary>
    public double PositiveFraction { get; init; } = 0.5;

    /// <summary>Probability that a row is a hard negative (B from another paragraph of A's document); in [0, 1], with
    /// PositiveFraction + HardNegativeFraction &lt;= 1 (the rest are easy negatives, B from another document). A hard
    /// draw whose document has no other usable paragraph falls back to an easy negative; PSD has no hard negatives
    /// (another paragraph of the same document is its positive), so there this share is drawn as easy negatives.
    /// Default 0.25.</summary>
    public double HardNegativeFraction { get; init; } = 0.25;

    /// <summary>MLM: probability that each selectable token is selected; in (0, 1]. Default 0.15.</summary>
    public double MaskProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>MLM: fraction of selected tokens replaced by [MASK]; in [0, 1]. Default 0.8.</summary>
    public double MaskTokenFraction { get; init; } = 0.8;

    /// <summary>MLM: fraction of selected tokens replaced by a uniform replaceable id; in [0, 1], with
    /// MaskTokenFraction + RandomTokenFraction &lt;= 1 (the rest stay unchanged). Default 0.1.</summary>
    public double RandomTokenFraction { get; init; } = 0.1;

    /// <summary>Easy-negative probability, 1 − PositiveFraction − HardNegativeFraction (before any fallback).</summary>
    public double EasyNegativeFraction => Math.Max(0, 1 - PositiveFraction - HardNegativeFraction);

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public SentenceLevelBatcherOptions Validate()
    {
        const string type = nameof(SentenceLevelBatcherOptions);
        if (!Enum.IsDefined(Task))
            throw new ArgumentException($"{type}.Task must be Ssp, Sp or Psd, got {(int)Task}.", nameof(Task));
        if (SequenceLength < MinSequenceLength)
            throw BatcherValidation.Invalid(type, nameof(SequenceLength), SequenceLength,
                "must be >= 5 ([CLS] A [SEP] B [SEP] with one token of each segment)");
        BatcherValidation.Fraction(type, nameof(PositiveFraction), PositiveFraction);
        BatcherValidation.Fraction(type, nameof(HardNegativeFraction), HardNegativeFraction);
        if (PositiveFraction + HardNegativeFraction > 1 + 1e-12)
            throw BatcherValidation.Invalid(type, nameof(HardNegativeFraction), HardNegativeFraction,
                $"plus PositiveFraction ({Format(PositiveFraction)}) must be <= 1");
        BatcherValidation.Probability(type, nameof(MaskProbability), MaskProbability);
        BatcherValidation.Fraction(type, nameof(MaskTokenFraction), MaskTokenFraction);
        BatcherValidation.Fraction(type, nameof(RandomTokenFraction), RandomTokenFraction);
        if (MaskTokenFraction + RandomTokenFraction > 1 + 1e-12)
            throw BatcherValidation.Invalid(type, nameof(RandomTokenFraction), RandomTokenFraction,
                $"plus MaskTokenFraction ({Format(MaskTokenFraction)}) must be <= 1");
        return this;
    }

    /// <summary>The MLM options of the joint masked-LM objective (same T, seed and masking fractions, no cap).</summary>
    internal MlmBatcherOptions ToMlmOptions() => new()
    {
        SequenceLength = SequenceLength,
        Seed = Seed,
        MaskProbability = MaskProbability,
        MaskTokenFraction = MaskTokenFraction,
        RandomTokenFraction = RandomTokenFraction,
    };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
