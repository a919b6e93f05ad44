namespace OnnxPretrain.Data;

/// <summary>
/// The special ids of the sequence-to-sequence objectives (PEGASUS gap sentences, T5 span corruption), in one place.
/// <para>bert-base-uncased mapping (<see cref="BertBaseUncased"/>; vocabulary 30,522, whose [PAD] 0, [unused0..98]
/// 1-99, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, [unused99..993] 104-998 are unchanged, see
/// <see cref="SpecialTokens.BertBaseUncased"/>): decoder start = [CLS] 101, end of sequence = [SEP] 102, pad = [PAD] 0,
/// GSG's sentence mask [MASK1] = [MASK] 103, the encoder-MLM mask [MASK2] = [unused100] 105, and T5's sentinels
/// &lt;extra_id_i&gt; = [unused i] for i = 0 … 99, i.e. ids 1 … 99 then 104. The [unusedN] entries are already never
/// used as random replacements by the encoder batchers, so nothing else changes meaning.</para>
/// </summary>
/// <param name="VocabSize">Number of ids; every id is in [0, VocabSize).</param>
/// <param name="PadId">Padding id of <c>input_ids</c> and <c>decoder_input_ids</c>.</param>
/// <param name="DecoderStartId">First decoder input (labels shifted right start with it).</param>
/// <param name="EosId">End of sequence, appended to every source and target.</param>
/// <param name="SentenceMaskId">GSG's [MASK1], which replaces a selected sentence in the source.</param>
/// <param name="MlmMaskId">[MASK2] of the optional encoder MLM.</param>
/// <param name="SentinelIds">T5 sentinels &lt;extra_id_0&gt;, &lt;extra_id_1&gt;, … in order; span i of a row gets SentinelIds[i].</param>
public sealed record Seq2SeqSpecialTokens(int VocabSize, int PadId, int DecoderStartId, int EosId, int SentenceMaskId, int MlmMaskId,
    IReadOnlyList<int> SentinelIds)
{
    /// <summary>The bert-base-uncased mapping described on the type.</summary>
    public static Seq2SeqSpecialTokens BertBaseUncased { get; } = new(30522, 0, 101, 102, 103, 105,
        [.. Enumerable.Range(1, 99), 104]);

    /// <summary>True for the ids that are never content: pad, decoder start, end of sequence, the two masks and the sentinels.</summary>
    /// <param name="id">Any id.</param>
    /// <returns>Whether <paramref name="id"/> is one of this record's special ids.</returns>
    public bool IsSpecial(int id) => id == PadId || id == DecoderStartId || id == EosId || id == SentenceMaskId || id == MlmMaskId || SentinelIds.Contains(id);

    /// <summary>Checks that every id is in [0, VocabSize), that the ids are pairwise distinct and that there is at least one sentinel.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A field out of range or two roles sharing an id (names the fields and values).</exception>
    public Seq2SeqSpecialTokens Validate()
    {
        if (VocabSize < 2) throw new ArgumentException($"Seq2SeqSpecialTokens.VocabSize must be >= 2, got {VocabSize}.", nameof(VocabSize));
        ArgumentNullException.ThrowIfNull(SentinelIds);
        if (SentinelIds.Count == 0) throw new ArgumentException("Seq2SeqSpecialTokens.SentinelIds must list at least one id.", nameof(SentinelIds));
        var seen = new Dictionary<int, string>();
        var roles = new (string Name, int Id)[] { (nameof(PadId), PadId), (nameof(DecoderStartId), DecoderStartId), (nameof(EosId), EosId),
            (nameof(SentenceMaskId), SentenceMaskId), (nameof(MlmMaskId), MlmMaskId) };
        foreach ((string name, int id) in roles.Concat(SentinelIds.Select((id, i) => ($"SentinelIds[{i}]", id))))
        {
            if (id < 0 || id >= VocabSize)
                throw new ArgumentException($"Seq2SeqSpecialTokens.{name} must be in [0, VocabSize = {VocabSize}), got {id}.", name);
            if (!seen.TryAdd(id, name))
                throw new ArgumentException($"Seq2SeqSpecialTokens.{name} = {id} is also {seen[id]}; each special role needs its own id.", name);
        }
        return this;
    }
}
