namespace OnnxPretrain.Data;

/// <summary>One sequence-to-sequence training example before padding.</summary>
/// <param name="Source">Encoder ids, ending with the end-of-sequence id; length ≤ S.</param>
/// <param name="Target">Decoder labels, ending with the end-of-sequence id; length ≤ L.</param>
public sealed record Seq2SeqExample(int[] Source, int[] Target);

/// <summary>Names of the seq2seq batch inputs beyond <see cref="BatcherInputNames"/>.</summary>
public static class Seq2SeqInputNames
{
    /// <summary>(B, L) int64 decoder inputs: the labels shifted right by one, starting with the decoder start id, padded with pad.</summary>
    public const string DecoderInputIds = "decoder_input_ids";
}

/// <summary>
/// Pads seq2seq examples into the batch contract of the encoder-decoder (BART / PEGASUS family):
/// <c>input_ids</c> and <c>attention_mask</c> (B, S) int64 (source ids padded with pad; 1 at real ids, 0 at padding);
/// <c>labels</c> (B, L) int64 (target ids, −100 at padding); <c>decoder_input_ids</c> (B, L) int64 = labels shifted
/// right: position 0 holds the decoder start id and position t &gt; 0 the label at t − 1, with pad where that label is
/// −100 (Hugging Face's <c>shift_tokens_right</c>; the end of sequence is thus also the input at the first padded
/// position, whose label is ignored).
/// </summary>
public static class Seq2SeqBatchBuilder
{
    /// <summary>Builds the padded arrays of <paramref name="examples"/>.</summary>
    /// <param name="examples">B ≥ 1 examples, each source ≤ S and target in [1, L] ids, ids in [0, VocabSize).</param>
    /// <param name="sourceLength">S.</param>
    /// <param name="targetLength">L.</param>
    /// <param name="specials">Pad and decoder start ids.</param>
    /// <returns>The batch; <see cref="Batch.TokenCount"/> counts real source plus target ids.</returns>
    /// <exception cref="ArgumentException">No examples, a source or target too long, an empty target, or an id out of range (names row and
    /// position).</exception>
    public static Batch Build(IReadOnlyList<Seq2SeqExample> examples, int sourceLength, int targetLength, Seq2SeqSpecialTokens specials)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(specials);
        if (examples.Count == 0) throw new ArgumentException("A seq2seq batch needs at least one example.", nameof(examples));
        int b = examples.Count;
        var input = new long[b * sourceLength];
        var mask = new long[b * sourceLength];
        var labels = new long[b * targetLength];
        var decoder = new long[b * targetLength];
        Array.Fill(input, specials.PadId);
        Array.Fill(labels, MaskingDefaults.IgnoreLabel);
        Array.Fill(decoder, specials.PadId);
        long tokens = 0;
        for (int r = 0; r < b; r++)
        {
            Seq2SeqExample e = examples[r];
            Check(e.Source, sourceLength, 0, r, "Source", specials.VocabSize);
            Check(e.Target, targetLength, 1, r, "Target", specials.VocabSize);
            for (int t = 0; t < e.Source.Length; t++)
            {
                input[r * sourceLength + t] = e.Source[t];
                mask[r * sourceLength + t] = 1;
            }
            decoder[r * targetLength] = specials.DecoderStartId;
            for (int t = 0; t < e.Target.Length; t++)
            {
                labels[r * targetLength + t] = e.Target[t];
                if (t + 1 < targetLength) decoder[r * targetLength + t + 1] = e.Target[t];
            }
            tokens += e.Source.Length + e.Target.Length;
        }
        var arrays = new Dictionary<string, BatchArray>
        {
            [BatcherInputNames.InputIds] = new(input, [b, sourceLength]),
            [BatcherInputNames.AttentionMask] = new(mask, [b, sourceLength]),
            [Seq2SeqInputNames.DecoderInputIds] = new(decoder, [b, targetLength]),
            [BatcherInputNames.Labels] = new(labels, [b, targetLength]),
        };
        return new Batch(arrays, tokens);
    }

    private static void Check(int[] ids, int max, int min, int row, string field, int vocab)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length > max || ids.Length < min)
            throw new ArgumentException($"Example {row}: {field} has {ids.Length} ids; expected between {min} and {max}.", nameof(ids));
        for (int t = 0; t < ids.Length; t++)
        {
            if ((uint)ids[t] >= (uint)vocab)
                throw new ArgumentException($"Example {row}: {field}[{t}] = {ids[t]} is outside [0, VocabSize = {vocab}).", nameof(ids));
        }
    }
}
