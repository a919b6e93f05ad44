namespace OnnxPretrain.Data;

/// <summary>
/// Ids of a vocabulary's special tokens and its size, as the batchers need them
/// (BERT names: [PAD], [UNK], [CLS], [SEP], [MASK]; RoBERTa's &lt;pad&gt;, &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, &lt;mask&gt; map onto the same roles).
/// </summary>
/// <param name="VocabSize">Number of ids; every id is in [0, VocabSize).</param>
/// <param name="PadId">Padding id ([PAD] = 0 in bert-base-uncased).</param>
/// <param name="UnkId">Unknown-token id ([UNK] = 100).</param>
/// <param name="ClsId">Sequence-start id ([CLS] = 101).</param>
/// <param name="SepId">Separator id ([SEP] = 102).</param>
/// <param name="MaskId">Mask id ([MASK] = 103).</param>
/// <param name="NonReplaceableIds">Ids never used as random replacements (specials, [unusedN] entries); sorted.</param>
public sealed record SpecialTokens(int VocabSize, int PadId, int UnkId, int ClsId, int SepId, int MaskId, IReadOnlyList<int> NonReplaceableIds)
{
    /// <summary>True for ids that batchers never select for masking or substitution ([PAD], [CLS], [SEP], [MASK], [UNK]).</summary>
    public bool IsSpecial(int id) => id == PadId || id == ClsId || id == SepId || id == MaskId || id == UnkId;

    /// <summary>bert-base-uncased's ids: vocabulary 30,522; [PAD] 0, [unused0..98] 1-99, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103,
    /// [unused99..993] 104-998.</summary>
    public static SpecialTokens BertBaseUncased { get; } = new(30522, 0, 100, 101, 102, 103,
        Enumerable.Range(0, 999).ToArray());
}
