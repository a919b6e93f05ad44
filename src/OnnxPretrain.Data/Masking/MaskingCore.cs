namespace OnnxPretrain.Data;

/// <summary>Replaces one selected token: (original id, row generator) → the id put in its place.</summary>
internal delegate int TokenReplacer(int original, MaskingRng rng);

/// <summary>Replaces one substituted token: (flat position b·T + t, original id, row generator) → new id.</summary>
internal delegate int PositionReplacer(int flatPosition, int original, MaskingRng rng);

/// <summary>The common parameters of one masked/substituted batch.</summary>
internal sealed record MaskingSpec(int SequenceLength, long Seed, double Probability, SpecialTokens Specials);

/// <summary>
/// Shared mechanics of the batchers: validation, padding to (B, T), per-token Bernoulli selection of selectable tokens,
/// and the flat (M) layout of masked-LM predictions with its optional per-row cap. Row b of step s draws from stream b
/// of <see cref="MaskingRng"/> (seed, s, b), in this order: one uniform per selectable token (selection), the cap's
/// shuffle if a cap is set and the row exceeds it, then the replacement draws of each kept position in ascending
/// position order.
/// </summary>
internal static class MaskingCore
{
    /// <summary>Checks the rows and fills input_ids (padded with PadId), attention_mask and token_type_ids.</summary>
    public static Dictionary<string, BatchArray> Layout(IReadOnlyList<int[]> sequences, MaskingSpec spec, out long tokens)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("A batch needs at least one sequence, got 0.", nameof(sequences));
        int rows = sequences.Count, t = spec.SequenceLength;
        var ids = new long[rows * t];
        var mask = new long[rows * t];
        Array.Fill(ids, spec.Specials.PadId);
        tokens = 0;
        for (int b = 0; b < rows; b++)
        {
            int[] row = CheckRow(sequences, b, spec);
            for (int i = 0; i < row.Length; i++)
            {
                ids[b * t + i] = row[i];
                mask[b * t + i] = 1;
            }
            tokens += row.Length;
        }
        long[] shape = [rows, t];
        return new Dictionary<string, BatchArray>
        {
            [BatcherInputNames.InputIds] = new(ids, shape),
            [BatcherInputNames.AttentionMask] = new(mask, shape),
            [BatcherInputNames.TokenTypeIds] = new(new long[rows * t], shape),
        };
    }

    /// <summary>Positions of the row's selectable tokens chosen independently with the spec's probability, ascending.</summary>
    public static List<int> Select(int[] row, MaskingSpec spec, MaskingRng rng)
    {
        var selected = new List<int>();
        for (int i = 0; i < row.Length; i++)
        {
            if (spec.Specials.IsSpecial(row[i])) continue;
            if (rng.NextDouble() < spec.Probability) selected.Add(i);
        }
        return selected;
    }

    /// <summary>
    /// Keeps at most <paramref name="max"/> selected positions: when more were selected, a seeded partial Fisher–Yates
    /// shuffle picks which (the first <paramref name="max"/> of a random order) and the rest are un-selected.
    /// The kept positions are returned ascending.
    /// </summary>
    public static void Cap(List<int> selected, int max, MaskingRng rng)
    {
        if (selected.Count <= max) return;
        for (int i = 0; i < max; i++)
        {
            int j = i + rng.NextInt(selected.Count - i);
            (selected[i], selected[j]) = (selected[j], selected[i]);
        }
        selected.RemoveRange(max, selected.Count - max);
        selected.Sort();
    }

    /// <summary>
    /// Masked-LM batch: layout, selection, optional cap, replacement, and the flat, unpadded (M) <c>masked_lm_positions</c>
    /// (flattened b·T + t of every selected position of the batch, rows in order, ascending t within a row) and
    /// <c>masked_lm_labels</c> (original ids there), M = the number selected in the whole batch. When nothing is selected
    /// M = 1: the single dummy slot (position 0, label −100). A non-null <c>cap</c> keeps at most that many predictions
    /// per row (a seeded random subset, see <see cref="Cap"/>); null means no cap.
    /// </summary>
    public static Dictionary<string, BatchArray> MaskedLm(IReadOnlyList<int[]> sequences, long step, MaskingSpec spec,
        int? cap, TokenReplacer replace, out long tokens)
    {
        var arrays = Layout(sequences, spec, out tokens);
        long[] ids = arrays[BatcherInputNames.InputIds].Int64s;
        int rows = sequences.Count, t = spec.SequenceLength;
        var positions = new List<long>();
        var labels = new List<long>();
        for (int b = 0; b < rows; b++)
        {
            var rng = new MaskingRng(spec.Seed, step, (ulong)b);
            int[] row = sequences[b];
            var selected = Select(row, spec, rng);
            if (cap is { } max) Cap(selected, max, rng);
            foreach (int pos in selected)
            {
                ids[b * t + pos] = replace(row[pos], rng);
                positions.Add((long)b * t + pos);
                labels.Add(row[pos]);
            }
        }
        if (positions.Count == 0)
        {
            positions.Add(DummyPosition);
            labels.Add(MaskingDefaults.IgnoreLabel);
        }
        arrays[BatcherInputNames.MaskedLmPositions] = new(positions.ToArray(), [positions.Count]);
        arrays[BatcherInputNames.MaskedLmLabels] = new(labels.ToArray(), [labels.Count]);
        return arrays;
    }

    /// <summary>Position of the one dummy slot of a batch that selected nothing: row 0, t = 0 (its [CLS]).</summary>
    public const long DummyPosition = 0;

    /// <summary>
    /// Substitution batch (RTS, C-RTS): layout, selection (no cap), replacement, and (B, T) <c>labels</c>:
    /// 1 at every selected position whose drawn id differs from the original, 0 at other real tokens (a draw that equals
    /// the original is labelled 0, as ELECTRA labels generator samples that equal the original), −100 at padding.
    /// </summary>
    public static Dictionary<string, BatchArray> Substitution(IReadOnlyList<int[]> sequences, long step, MaskingSpec spec,
        PositionReplacer replace, out long tokens)
    {
        var arrays = Layout(sequences, spec, out tokens);
        long[] ids = arrays[BatcherInputNames.InputIds].Int64s;
        int rows = sequences.Count, t = spec.SequenceLength;
        var labels = new long[rows * t];
        Array.Fill(labels, MaskingDefaults.IgnoreLabel);
        for (int b = 0; b < rows; b++)
        {
            var rng = new MaskingRng(spec.Seed, step, (ulong)b);
            int[] row = sequences[b];
            Array.Fill(labels, 0L, b * t, row.Length);
            foreach (int pos in Select(row, spec, rng))
            {
                int drawn = replace(b * t + pos, row[pos], rng);
                ids[b * t + pos] = drawn;
                labels[b * t + pos] = drawn == row[pos] ? 0 : 1;
            }
        }
        arrays[BatcherInputNames.Labels] = new(labels, [rows, t]);
        return arrays;
    }

    private static int[] CheckRow(IReadOnlyList<int[]> sequences, int b, MaskingSpec spec)
    {
        int[] row = sequences[b] ?? throw new ArgumentException($"Sequence {b} is null.", nameof(sequences));
        if (row.Length > spec.SequenceLength)
            throw new ArgumentException(
                $"Sequence {b} has {row.Length} tokens, more than SequenceLength = {spec.SequenceLength}.", nameof(sequences));
        int vocab = spec.Specials.VocabSize;
        for (int i = 0; i < row.Length; i++)
        {
            if ((uint)row[i] >= (uint)vocab)
                throw new ArgumentException(
                    $"Sequence {b}, position {i}: id {row[i]} is outside [0, VocabSize = {vocab}).", nameof(sequences));
        }
        return row;
    }
}
