namespace OnnxPretrain.Data;

/// <summary>
/// BERT-style masked LM on a seq2seq batch's encoder input (PEGASUS §3.2 "MLM", with [MASK2]): each real source id
/// that is not a seq2seq special is selected with the options' probability and replaced by [MASK2], a random
/// replaceable id or itself (80/10/10 by default); adds <c>masked_lm_positions</c> and <c>masked_lm_labels</c> (M)
/// int64 in <see cref="MlmBatcher"/>'s layout (flattened b·S + t, rows in order; a single dummy slot at 0 with label
/// −100 when nothing is selected).
/// </summary>
internal static class Seq2SeqMlm
{
    public static Batch Apply(Batch batch, MaskingRng[] rngs, GsgBatcherOptions options, Seq2SeqSpecialTokens specials, MaskingVocabulary vocabulary)
    {
        BatchArray inputArray = batch.Arrays[BatcherInputNames.InputIds];
        long[] input = (long[])inputArray.Int64s.Clone();
        long[] mask = batch.Arrays[BatcherInputNames.AttentionMask].Int64s;
        int s = options.MaxSourceLength;
        var positions = new List<long>();
        var labels = new List<long>();
        for (int b = 0; b < rngs.Length; b++)
        {
            for (int t = 0; t < s; t++)
            {
                int at = b * s + t, id = (int)input[at];
                if (mask[at] == 0 || specials.IsSpecial(id) || rngs[b].NextDouble() >= options.MlmProbability) continue;
                positions.Add(at);
                labels.Add(id);
                double u = rngs[b].NextDouble();
                if (u < options.MlmMaskTokenFraction) input[at] = specials.MlmMaskId;
                else if (u < options.MlmMaskTokenFraction + options.MlmRandomTokenFraction) input[at] = vocabulary.SampleReplaceable(rngs[b]);
            }
        }
        if (positions.Count == 0)
        {
            positions.Add(0);
            labels.Add(MaskingDefaults.IgnoreLabel);
        }
        var arrays = new Dictionary<string, BatchArray>(batch.Arrays)
        {
            [BatcherInputNames.InputIds] = new(input, inputArray.Shape),
            [BatcherInputNames.MaskedLmPositions] = new(positions.ToArray(), [positions.Count]),
            [BatcherInputNames.MaskedLmLabels] = new(labels.ToArray(), [labels.Count]),
        };
        return new Batch(arrays, batch.TokenCount);
    }
}
