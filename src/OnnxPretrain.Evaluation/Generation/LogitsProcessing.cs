namespace OnnxPretrain.Evaluation.Generation;

/// <summary>
/// The per-step edits of next-token scores, as pure functions on one row's log-probabilities (V): log-softmax,
/// the minimum length (HF <c>MinLengthLogitsProcessor</c>) and n-gram blocking (HF <c>NoRepeatNGramLogitsProcessor</c>;
/// Paulus et al. 2018 §2.5).
/// </summary>
internal static class LogitsProcessing
{
    /// <summary>In-place log-softmax of <paramref name="row"/> (V), computed in double for stability.</summary>
    public static void LogSoftmax(Span<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (var x in row) max = Math.Max(max, x);
        double sum = 0;
        foreach (var x in row) sum += Math.Exp(x - max);
        float log = (float)(max + Math.Log(sum));
        for (int i = 0; i < row.Length; i++) row[i] -= log;
    }

    /// <summary>Forbids end of sequence (score -inf) while fewer than <paramref name="minLength"/> tokens were generated.</summary>
    public static void ApplyMinLength(Span<float> row, int generated, int minLength, int eos)
    {
        if (generated < minLength) row[eos] = float.NegativeInfinity;
    }

    /// <summary>
    /// Forces end of sequence as the last token a row may generate (HF <c>ForcedEOSTokenLogitsProcessor</c>, applied when
    /// the model's config has <c>forced_eos_token_id</c>): at the step that generates token <paramref name="maxNewTokens"/>
    /// every other score becomes -inf and end of sequence 0.
    /// </summary>
    public static void ApplyForcedEos(Span<float> row, int generated, int maxNewTokens, int eos)
    {
        if (generated != maxNewTokens - 1) return;
        row.Fill(float.NegativeInfinity);
        row[eos] = 0;
    }

    /// <summary>
    /// Forbids every token that would complete an n-gram of size <paramref name="n"/> already present in
    /// <paramref name="sequence"/> (the decoder input so far, start token included).
    /// </summary>
    public static void ApplyNoRepeatNgram(Span<float> row, IReadOnlyList<long> sequence, int n)
    {
        if (n <= 0 || sequence.Count + 1 < n) return;
        int prefixStart = sequence.Count - (n - 1);                                     // the n-1 last tokens
        for (int start = 0; start + n <= sequence.Count; start++)
        {
            bool same = true;
            for (int j = 0; j < n - 1 && same; j++) same = sequence[start + j] == sequence[prefixStart + j];
            if (same) row[(int)sequence[start + n - 1]] = float.NegativeInfinity;
        }
    }
}
