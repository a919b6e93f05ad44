namespace OnnxPretrain.Data;

/// <summary>
/// Options of <see cref="PropBatcher"/>: PROP's representative words prediction (ROP; Ma et al., "PROP: Pre-training
/// with Representative Words Prediction for Ad-hoc Retrieval", WSDM 2021, §3–4) trained jointly with BERT's masked LM
/// (Devlin et al. 2019, §3.1; the masking fields mean what they mean in <see cref="MlmBatcherOptions"/>).
/// Defaults follow the paper: word-set lengths ~ Poisson(λ = 3), 10 sets sampled per document, 4 pairs used per document.
/// </summary>
public sealed record PropBatcherOptions
{
    /// <summary>T, tokens per row; rows are <c>[CLS] set [SEP] passage [SEP]</c> padded to T. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed; with the step index it fixes every draw (passages, sets, pairs, masks). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Word sets sampled per document (passage), among which the pairs are chosen; &gt;= 2. Default 10 (paper).</summary>
    public int SetsPerDocument { get; init; } = 10;

    /// <summary>Pairs of sets used per document (consecutive pair rows share the document); in [1, S·(S−1)/2]. Default 4 (paper).</summary>
    public int PairsPerDocument { get; init; } = 4;

    /// <summary>λ of the Poisson distribution of the set length in words (zero draws are redrawn); in (0, 50]. Default 3 (paper).</summary>
    public double PoissonLambda { get; init; } = 3;

    /// <summary>Token budget of the word set; the passage budget is T − 3 − this. In [1, T − 4]. Default 16.</summary>
    public int MaxSetTokens { get; init; } = 16;

    /// <summary>MLM: probability that each passage token is selected; in (0, 1]. Default 0.15.</summary>
    public double MaskProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>MLM: fraction of selected tokens replaced by [MASK]; in [0, 1]. Default 0.8.</summary>
    public double MaskTokenFraction { get; init; } = 0.8;

    /// <summary>MLM: fraction of selected tokens replaced by a uniform replaceable id; MaskTokenFraction + this &lt;= 1. Default 0.1.</summary>
    public double RandomTokenFraction { get; init; } = 0.1;

    /// <summary>Token budget of a passage: T − 3 − <see cref="MaxSetTokens"/>.</summary>
    public int PassageTokens => SequenceLength - 3 - MaxSetTokens;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public PropBatcherOptions Validate()
    {
        const string type = nameof(PropBatcherOptions);
        if (SetsPerDocument < 2) throw BatcherValidation.Invalid(type, nameof(SetsPerDocument), SetsPerDocument, "must be >= 2 (a pair needs two sets)");
        int maxPairs = SetsPerDocument * (SetsPerDocument - 1) / 2;
        if (PairsPerDocument < 1 || PairsPerDocument > maxPairs)
            throw BatcherValidation.Invalid(type, nameof(PairsPerDocument), PairsPerDocument, $"must be in [1, {maxPairs}] (pairs of {SetsPerDocument} sets)");
        if (!(PoissonLambda > 0 && PoissonLambda <= 50)) throw BatcherValidation.Invalid(type, nameof(PoissonLambda), PoissonLambda, "must be in (0, 50]");
        if (MaxSetTokens < 1) throw BatcherValidation.Invalid(type, nameof(MaxSetTokens), MaxSetTokens, "must be >= 1");
        if (SequenceLength < MaxSetTokens + 4)
            throw BatcherValidation.Invalid(type, nameof(SequenceLength), SequenceLength,
                $"must be >= MaxSetTokens + 4 = {MaxSetTokens + 4} (specials + one passage token)");
        BatcherValidation.Probability(type, nameof(MaskProbability), MaskProbability);
        BatcherValidation.Fraction(type, nameof(MaskTokenFraction), MaskTokenFraction);
        BatcherValidation.Fraction(type, nameof(RandomTokenFraction), RandomTokenFraction);
        if (MaskTokenFraction + RandomTokenFraction > 1 + 1e-12)
            throw BatcherValidation.Invalid(type, nameof(RandomTokenFraction), RandomTokenFraction,
                $"plus MaskTokenFraction ({MaskTokenFraction}) must be <= 1");
        return this;
    }
}
