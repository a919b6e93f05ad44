namespace OnnxPretrain.Data;

/// <summary>
/// The row layout of the joint multi-candidate models (Di Liello et al., NAACL 2022): k + 1 segments of exactly S
/// tokens, <c>[CLS] text[..S − 2] [SEP] [PAD]…</c> each, question (premise) first; <c>token_type_ids</c> j over the whole
/// of segment j; <c>attention_mask</c> 1 except at [PAD]. An empty candidate slot (a question with fewer than k
/// candidates left) is <c>[CLS] [SEP]</c> plus padding, and its label is −100. Shared by MSPP pre-training and joint AS2
/// fine-tuning, and the input contract of the joint export.
/// </summary>
public static class JointRows
{
    /// <summary>The <c>config.json</c> key of a joint export: <c>{"head", "candidates", "segment_length"}</c>.</summary>
    public const string ConfigKey = "joint_candidates";

    /// <summary>The value of <see cref="ConfigKey"/>: the layout a client needs to build rows, and the head's settings.</summary>
    public static System.Text.Json.Nodes.JsonObject ConfigJson(string head, int candidates, int segmentLength, string pooling) =>
        new() { ["head"] = head, ["candidates"] = candidates, ["segment_length"] = segmentLength, ["pooling"] = pooling };

    /// <summary>Label of an empty candidate slot (ignored by the loss and the evaluation).</summary>
    public const long EmptySlot = MaskingDefaults.IgnoreLabel;

    /// <summary>The ids of one row: each segment's text ids (no specials; null = empty slot) cut to S − 2 and wrapped.</summary>
    /// <param name="segments">Question then candidates: k + 1 entries.</param>
    /// <param name="segmentLength">S, &gt;= 3.</param>
    /// <param name="specials">[CLS], [SEP] and [PAD] ids.</param>
    /// <returns>(k + 1)·S ids.</returns>
    /// <exception cref="ArgumentOutOfRangeException">S &lt; 3.</exception>
    public static int[] Ids(IReadOnlyList<int[]?> segments, int segmentLength, SpecialTokens specials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentLength, 3);
        var row = new int[segments.Count * segmentLength];
        Array.Fill(row, specials.PadId);
        for (int j = 0; j < segments.Count; j++)
        {
            int at = j * segmentLength, n = Math.Min(segments[j]?.Length ?? 0, segmentLength - 2);
            row[at] = specials.ClsId;
            segments[j]?.AsSpan(0, n).CopyTo(row.AsSpan(at + 1));
            row[at + 1 + n] = specials.SepId;
        }
        return row;
    }

    /// <summary>
    /// Writes row <paramref name="b"/>'s <c>token_type_ids</c> (segment index) and <c>attention_mask</c> (0 at [PAD] of
    /// <paramref name="unmasked"/>, the row before any MLM corruption) into the (B, T) arrays.
    /// </summary>
    public static void TypesAndMask(int[] unmasked, int segmentLength, int padId, int b, long[] types, long[] mask)
    {
        int t = unmasked.Length;
        for (int i = 0; i < t; i++)
        {
            types[b * t + i] = i / segmentLength;
            mask[b * t + i] = unmasked[i] == padId ? 0 : 1;
        }
    }

    /// <summary>The batch of unmasked rows (fine-tuning and export): <c>input_ids</c>, <c>attention_mask</c>,
    /// <c>token_type_ids</c> (B, T) and <c>candidate_labels</c> (B, k).</summary>
    /// <exception cref="ArgumentException">Rows of different lengths, or labels that are not k per row.</exception>
    public static Batch Build(IReadOnlyList<int[]> rows, IReadOnlyList<long[]> labels, int segmentLength, int padId)
    {
        int bsz = rows.Count, t = rows[0].Length, k = t / segmentLength - 1;
        if (rows.Any(r => r.Length != t) || labels.Count != bsz || labels.Any(l => l.Length != k))
            throw new ArgumentException($"Joint rows must all be (k + 1) x {segmentLength} = {t} ids with k = {k} labels each.", nameof(rows));
        var ids = rows.SelectMany(r => r.Select(i => (long)i)).ToArray();
        var types = new long[bsz * t];
        var mask = new long[bsz * t];
        for (int b = 0; b < bsz; b++) TypesAndMask(rows[b], segmentLength, padId, b, types, mask);
        return new Batch(new Dictionary<string, BatchArray>
        {
            [BatcherInputNames.InputIds] = new(ids, [bsz, t]), [BatcherInputNames.AttentionMask] = new(mask, [bsz, t]),
            [BatcherInputNames.TokenTypeIds] = new(types, [bsz, t]),
            [MultiSentenceInputNames.CandidateLabels] = new(labels.SelectMany(l => l).ToArray(), [bsz, k]),
        }, mask.Sum());
    }
}

/// <summary>Names of the inputs that the joint models add to the encoder's.</summary>
public static class MultiSentenceInputNames
{
    /// <summary>(B, k) int64 candidate labels: 1 positive, 0 negative, −100 an empty slot.</summary>
    public const string CandidateLabels = "candidate_labels";
}
