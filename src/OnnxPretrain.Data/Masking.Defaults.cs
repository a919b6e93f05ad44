namespace OnnxPretrain.Data;

/// <summary>Defaults shared by the masking batchers and by the graphs that consume their outputs.</summary>
public static class MaskingDefaults
{
    /// <summary>Label of an ignored position (PyTorch's <c>CrossEntropyLoss(ignore_index=-100)</c>).</summary>
    public const long IgnoreLabel = -100;

    /// <summary>Selection probability of BERT's masked LM (Devlin et al. 2019, §3.1): 0.15.</summary>
    public const double SelectionProbability = 0.15;

    /// <summary>
    /// Default P, the masked-LM slots per row: ceil(p·n + 3·sqrt(n·p·(1 − p))) + 1 with n = T − 2 selectable positions
    /// at most (a row holds at least [CLS] and one [SEP]), i.e. the mean of Binomial(n, p) plus three standard deviations
    /// plus one. 32 for T = 128 and p = 0.15 (19 for T = 64, 57 for T = 256, 102 for T = 512). A full-length row
    /// overflows it with probability about 8e-4 at T = 128; the batchers then keep P of the selected positions
    /// (see <see cref="MlmBatcher"/>).
    /// </summary>
    /// <param name="sequenceLength">T, tokens per row; &gt;= 2.</param>
    /// <param name="selectionProbability">p, in (0, 1].</param>
    /// <returns>P, at least 1 and at most T.</returns>
    /// <exception cref="ArgumentOutOfRangeException">T &lt; 2 or p outside (0, 1].</exception>
    public static int MaxPredictionsPerSequence(int sequenceLength, double selectionProbability)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 2);
        if (!(selectionProbability > 0 && selectionProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(selectionProbability), selectionProbability, "must be in (0, 1]");
        double n = sequenceLength - 2, p = selectionProbability;
        int p3 = (int)Math.Ceiling(p * n + 3 * Math.Sqrt(n * p * (1 - p))) + 1;
        return Math.Clamp(p3, 1, sequenceLength);
    }
}
