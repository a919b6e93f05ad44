using System.Globalization;

namespace OnnxPretrain.Data;

/// <summary>
/// Options of <see cref="GsgBatcher"/>: PEGASUS gap-sentence generation (Zhang et al. 2020, "PEGASUS: Pre-training with
/// Extracted Gap-sentences for Abstractive Summarization", §3.1, independent scoring with original n-gram counts,
/// "Ind-Orig"), optionally with BERT-style MLM on the encoder input (§3.2; off by default, as in the final PEGASUS).
/// </summary>
public sealed record GsgBatcherOptions
{
    /// <summary>S, source ids per row including the end of sequence (rows are padded to it); &gt;= 3. Default 512 (the paper's).</summary>
    public int MaxSourceLength { get; init; } = 512;

    /// <summary>L, target ids per row including the end of sequence (longer targets are cut); &gt;= 2. Default 256 (the paper's).</summary>
    public int MaxTargetLength { get; init; } = 256;

    /// <summary>Run seed; with the step index it fixes every draw. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Gap-sentence ratio: m = round-half-even(ratio × sentences), at least 1 when there are &gt;= 2 sentences; in (0, 1). Default 0.3.</summary>
    public double GapSentenceRatio { get; init; } = 0.3;

    /// <summary>Probability that a selected sentence is replaced by [MASK1] in the source (else left unchanged); in [0, 1]. Default 0.9.</summary>
    public double SentenceMaskProbability { get; init; } = 0.9;

    /// <summary>Add BERT masked LM on the encoder input (emits <c>masked_lm_positions</c> / <c>masked_lm_labels</c>). Default false.</summary>
    public bool MaskedLm { get; init; }

    /// <summary>MLM: probability that each content token of the source is selected; in (0, 1]. Default 0.15.</summary>
    public double MlmProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>MLM: fraction of selected tokens replaced by [MASK2]; in [0, 1]. Default 0.8.</summary>
    public double MlmMaskTokenFraction { get; init; } = 0.8;

    /// <summary>MLM: fraction replaced by a random replaceable id; in [0, 1] with the mask fraction &lt;= 1 in total (the rest unchanged).
    /// Default 0.1.</summary>
    public double MlmRandomTokenFraction { get; init; } = 0.1;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A field out of range (names the field and the value).</exception>
    public GsgBatcherOptions Validate()
    {
        const string type = nameof(GsgBatcherOptions);
        Seq2SeqValidation.Lengths(type, MaxSourceLength, 3, MaxTargetLength);
        if (!(GapSentenceRatio > 0 && GapSentenceRatio < 1)) throw BatcherValidation.Invalid(type, nameof(GapSentenceRatio),
            GapSentenceRatio, "must be in (0, 1)");
        BatcherValidation.Fraction(type, nameof(SentenceMaskProbability), SentenceMaskProbability);
        BatcherValidation.Probability(type, nameof(MlmProbability), MlmProbability);
        BatcherValidation.Fraction(type, nameof(MlmMaskTokenFraction), MlmMaskTokenFraction);
        BatcherValidation.Fraction(type, nameof(MlmRandomTokenFraction), MlmRandomTokenFraction);
        if (MlmMaskTokenFraction + MlmRandomTokenFraction > 1 + 1e-12)
            throw BatcherValidation.Invalid(type, nameof(MlmRandomTokenFraction), MlmRandomTokenFraction,
                $"plus MlmMaskTokenFraction ({MlmMaskTokenFraction.ToString("R", CultureInfo.InvariantCulture)}) must be <= 1");
        return this;
    }
}

/// <summary>
/// Options of <see cref="SpanCorruptionBatcher"/>: T5's span corruption (Raffel et al. 2020, "Exploring the Limits of
/// Transfer Learning with a Unified Text-to-Text Transformer", §3.1.4 and §3.3.4; the <c>random_spans_noise_mask</c> procedure).
/// </summary>
public sealed record SpanCorruptionBatcherOptions
{
    /// <summary>S, source ids per row including the end of sequence; &gt;= 2. Default 512.</summary>
    public int MaxSourceLength { get; init; } = 512;

    /// <summary>L, target ids per row including the end of sequence; &gt;= 3 (sentinel, one id, end). Default 128.</summary>
    public int MaxTargetLength { get; init; } = 128;

    /// <summary>Run seed. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Fraction of tokens corrupted: noise tokens = round-half-even(length × density), clamped to [1, length − 1]; in (0, 1). Default 0.15.</summary>
    public double NoiseDensity { get; init; } = 0.15;

    /// <summary>Mean noise-span length: spans = max(1, round-half-even(noise / mean)); &gt;= 1. Default 3.</summary>
    public double MeanNoiseSpanLength { get; init; } = 3.0;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A field out of range (names the field and the value).</exception>
    public SpanCorruptionBatcherOptions Validate()
    {
        const string type = nameof(SpanCorruptionBatcherOptions);
        Seq2SeqValidation.Lengths(type, MaxSourceLength, 2, MaxTargetLength);
        if (MaxTargetLength < 3) throw BatcherValidation.Invalid(type, nameof(MaxTargetLength), MaxTargetLength,
            "must be >= 3 (sentinel, one id, end of sequence)");
        if (!(NoiseDensity > 0 && NoiseDensity < 1)) throw BatcherValidation.Invalid(type, nameof(NoiseDensity), NoiseDensity, "must be in (0, 1)");
        if (!(MeanNoiseSpanLength >= 1) || double.IsInfinity(MeanNoiseSpanLength))
            throw BatcherValidation.Invalid(type, nameof(MeanNoiseSpanLength), MeanNoiseSpanLength, "must be a finite number >= 1");
        return this;
    }
}

/// <summary>Shared checks of the seq2seq options.</summary>
internal static class Seq2SeqValidation
{
    public static void Lengths(string type, int source, int minSource, int target)
    {
        if (source < minSource) throw BatcherValidation.Invalid(type, "MaxSourceLength", source, $"must be >= {minSource}");
        if (target < 2) throw BatcherValidation.Invalid(type, "MaxTargetLength", target, "must be >= 2 (one id and the end of sequence)");
    }
}
