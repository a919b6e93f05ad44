namespace OnnxPretrain.Data.Tests.Seq2Seq;

[TestClass]
public sealed class GsgBatcherTests
{
    private static readonly Seq2SeqSpecialTokens Specials = Seq2SeqSpecialTokens.BertBaseUncased;
    private static readonly RougeWords Words = RougeWords.IdsAsWords;

    private static GsgBatcher Batcher(GsgBatcherOptions options, ITokenizedCorpus? corpus = null) =>
        new(options, Specials, corpus ?? Corpus(), Words, new MaskingVocabulary(SpecialTokens.BertBaseUncased));

    /// <summary>3 documents of 1-2 paragraphs, sentence ids 2000 + …; every sentence 2-6 ids.</summary>
    internal static InMemorySentenceCorpus Corpus()
    {
        int next = 2000;
        int[] S(int n) => [.. Enumerable.Range(0, n).Select(_ => next++ % 2100 + 1000)];
        return new InMemorySentenceCorpus(
        [
            [[S(3), S(4), S(2)], [S(5), S(3)]],
            [[S(6), S(2), S(4), S(3)]],
            [[S(2), S(2)], [S(4), S(5), S(3)]],
        ], 30522);
    }

    [TestMethod]
    public void SentenceScores_SmallDocument_MatchHandComputedRouge1()
    {
        // Words = ids. Totals over the document: 1×4, 2×3, 3, 5, 6, 7, 8, 9 once; 13 words.
        // s0 [7 8], s2 [5 6]: no shared word -> 0.
        // s1 [1 9] vs rest (11 words): matches min(1, 3) = 1 -> P 1/2, R 1/11, F 2/13.
        // s3 [2 1 3] vs rest (10 words): 2: min(1, 2) = 1, 1: min(1, 3) = 1, 3: 0 -> P 2/3, R 1/5, F 4/13.
        // s4 [1 2 1 2] vs rest (9 words): 1: min(2, 2) = 2, 2: min(2, 1) = 1 -> P 3/4, R 1/3, F 6/13.
        int[][] doc = [[7, 8], [1, 9], [5, 6], [2, 1, 3], [1, 2, 1, 2]];
        double[] scores = GsgBatcher.SentenceScores(doc, Words);
        double[] expected = [0, 2.0 / 13, 0, 4.0 / 13, 6.0 / 13];
        for (int i = 0; i < doc.Length; i++) Assert.AreEqual(expected[i], scores[i], 1e-12, $"sentence {i}");
        // m = round(0.4 × 5) = 2 -> the two best, s4 and s3, returned in document order.
        CollectionAssert.AreEqual(new[] { 3, 4 }, GsgBatcher.SelectGapSentences(doc, Words, 0.4).ToArray());
        // m = round(0.3 × 5) = round(1.5) = 2 (half to even); ratio 0.1 -> round(0.5) = 0 -> at least 1: s4.
        CollectionAssert.AreEqual(new[] { 4 }, GsgBatcher.SelectGapSentences(doc, Words, 0.1).ToArray());
    }

    [TestMethod]
    public void SelectGapSentences_TiesAndSingleSentence_EarlierFirstAndNone()
    {
        // s0 [a b c], s1 [a b d]: both 2 matches, P 2/3, R 2/7 -> 0.4; s3 [a g] 0.2; s2 0 -> tie broken by order.
        int[][] doc = [[10, 11, 12], [10, 11, 13], [14, 15], [10, 16]];
        CollectionAssert.AreEqual(new[] { 0 }, GsgBatcher.SelectGapSentences(doc, Words, 0.3).ToArray());
        Assert.AreEqual(0, GsgBatcher.SelectGapSentences([[1, 2, 3]], Words, 0.3).Count);
    }

    [TestMethod]
    public void CountWords_DecodedText_RougeTokensOnly()
    {
        var words = new RougeWords(ids => string.Join("", ids.Select(id => id switch { 1 => "Don", 2 => "'", 3 => "t", 4 => " STOP", 5 => "!", _ => " x" })));
        var counts = words.CountWords([1, 2, 3, 4, 5, 4], out int total);   // "Don't STOP! STOP" -> don, t, stop, stop
        Assert.AreEqual(4, total);
        Assert.AreEqual(2, counts["stop"]);
        CollectionAssert.AreEquivalent(new[] { "don", "t", "stop" }, counts.Keys.ToArray());
    }

    [TestMethod]
    public void MakeExample_AlwaysMask_TargetIsSelectedSentencesInDocumentOrder()
    {
        GsgBatcher batcher = Batcher(new GsgBatcherOptions { GapSentenceRatio = 0.4, SentenceMaskProbability = 1 });
        int[][] doc = [[7, 8], [1, 9], [5, 6], [2, 1, 3], [1, 2, 1, 2]];
        GsgExample e = batcher.MakeExample(doc, new MaskingRng(0, 0, 0));
        // s4 scores higher than s3, but the target keeps document order: s3 then s4.
        CollectionAssert.AreEqual(new[] { 2, 1, 3, 1, 2, 1, 2, Specials.EosId }, e.Example.Target);
        CollectionAssert.AreEqual(new[] { 7, 8, 1, 9, 5, 6, Specials.SentenceMaskId, Specials.SentenceMaskId, Specials.EosId }, e.Example.Source);
    }

    [TestMethod]
    public void MakeExample_DefaultProbability_MasksAbout90PercentOfSelectedSentences()
    {
        GsgBatcher batcher = Batcher(new GsgBatcherOptions());
        int[][] doc = [.. Enumerable.Range(0, 10).Select(i => new[] { 1000 + i, 2000, 3000 + i })];
        int masked = 0, selected = 0;
        for (int step = 0; step < 5000; step++)
        {
            GsgExample e = batcher.MakeExample(doc, new MaskingRng(7, step, 0));
            Assert.AreEqual(3, e.Selected.Count); // round(0.3 × 10)
            selected += e.Masked.Count;
            masked += e.Masked.Count(m => m);
            int kept = e.Masked.Count(m => !m);
            Assert.AreEqual(30 - 3 * e.Masked.Count(m => m) + e.Masked.Count(m => m) + 1, e.Example.Source.Length,
                "each masked sentence of 3 ids becomes 1 [MASK1]");
            Assert.AreEqual(3 - kept, e.Example.Source.Count(id => id == Specials.SentenceMaskId));
        }
        double fraction = masked / (double)selected; // 15,000 Bernoulli(0.9) draws: sd 0.0024
        Assert.AreEqual(0.9, fraction, 0.012, $"masked fraction {fraction}");
    }

    [TestMethod]
    public void MakeExample_LongTarget_CutToMaxTargetLengthWithEos()
    {
        GsgBatcher batcher = Batcher(new GsgBatcherOptions { MaxSourceLength = 8, MaxTargetLength = 4, SentenceMaskProbability = 1 });
        int[][] doc = [[1, 2, 3, 4, 5], [1, 2, 3, 4, 6]]; // tie -> s0 selected; source would be [MASK1] 1 2 3 4 6
        GsgExample e = batcher.MakeExample(doc, new MaskingRng(0, 0, 0));
        CollectionAssert.AreEqual(new[] { 1, 2, 3, Specials.EosId }, e.Example.Target);
        CollectionAssert.AreEqual(new[] { Specials.SentenceMaskId, 1, 2, 3, 4, 6, Specials.EosId }, e.Example.Source);
        GsgBatcher unmasked = Batcher(new GsgBatcherOptions { MaxSourceLength = 8, MaxTargetLength = 4, SentenceMaskProbability = 0 });
        // 10 source ids cut to S − 1 = 7, then the end of sequence.
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 1, 2, Specials.EosId }, unmasked.MakeExample(doc, new MaskingRng(0, 0, 0)).Example.Source);
    }

    [TestMethod]
    public void Build_Corpus_FitsLengthsShiftsLabelsAndIsDeterministic()
    {
        var options = new GsgBatcherOptions { MaxSourceLength = 12, MaxTargetLength = 6, Seed = 3 };
        GsgBatcher batcher = Batcher(options);
        Batch a = batcher.Build(5, 4, out var examples), again = batcher.Build(5, 4);
        foreach (string name in a.Arrays.Keys) CollectionAssert.AreEqual(a.Arrays[name].Int64s, again.Arrays[name].Int64s, name);
        CollectionAssert.AreEqual(new long[] { 4, 12 }, a.Arrays[BatcherInputNames.InputIds].Shape);
        CollectionAssert.AreEqual(new long[] { 4, 6 }, a.Arrays[Seq2SeqInputNames.DecoderInputIds].Shape);
        Seq2SeqAssert.ShiftedRight(a, Specials);
        foreach (GsgExample e in examples)
        {
            Assert.IsTrue(e.Example.Source.Length <= 12 && e.Example.Target.Length <= 6);
            Assert.AreEqual(Specials.EosId, e.Example.Target[^1]);
            Assert.IsTrue(e.Selected.Count >= 1);
        }
        Batch other = batcher.Build(6, 4);
        Assert.IsFalse(a.Arrays[BatcherInputNames.InputIds].Int64s.SequenceEqual(other.Arrays[BatcherInputNames.InputIds].Int64s));
    }

    [TestMethod]
    public void Build_WithMaskedLm_AddsMlmArraysOnContentTokensOnly()
    {
        GsgBatcher batcher = Batcher(new GsgBatcherOptions { MaxSourceLength = 12, MaxTargetLength = 6, MaskedLm = true, MlmProbability = 0.5 });
        Batch batch = batcher.Build(1, 8);
        long[] positions = batch.Arrays[BatcherInputNames.MaskedLmPositions].Int64s;
        long[] labels = batch.Arrays[BatcherInputNames.MaskedLmLabels].Int64s;
        long[] mask = batch.Arrays[BatcherInputNames.AttentionMask].Int64s;
        Assert.IsTrue(positions.Length > 4);
        for (int i = 0; i < positions.Length; i++)
        {
            Assert.AreEqual(1, mask[positions[i]]);
            Assert.IsFalse(Specials.IsSpecial((int)labels[i]), $"label {labels[i]}");
        }
        Assert.IsTrue(batch.Arrays[BatcherInputNames.InputIds].Int64s.Contains(Specials.MlmMaskId));
    }

    [TestMethod]
    public void Options_OutOfRange_ThrowNamingTheField()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new GsgBatcherOptions { GapSentenceRatio = 1.5 }.Validate());
        StringAssert.Contains(e.Message, "GapSentenceRatio");
        e = Assert.ThrowsExactly<ArgumentException>(() => new GsgBatcherOptions { MaxSourceLength = 2 }.Validate());
        StringAssert.Contains(e.Message, "MaxSourceLength");
        e = Assert.ThrowsExactly<ArgumentException>(() => new GsgBatcher(new GsgBatcherOptions { MaskedLm = true }, Specials, Corpus(), Words));
        StringAssert.Contains(e.Message, "MaskingVocabulary");
    }
}

/// <summary>Checks shared by the seq2seq tests.</summary>
internal static class Seq2SeqAssert
{
    /// <summary>decoder_input_ids[b, 0] = start; [b, t] = labels[b, t − 1], pad where that label is −100.</summary>
    public static void ShiftedRight(Batch batch, Seq2SeqSpecialTokens specials)
    {
        BatchArray labels = batch.Arrays[BatcherInputNames.Labels];
        long[] y = labels.Int64s, x = batch.Arrays[Seq2SeqInputNames.DecoderInputIds].Int64s;
        int rows = (int)labels.Shape[0], l = (int)labels.Shape[1];
        for (int b = 0; b < rows; b++)
        {
            Assert.AreEqual(specials.DecoderStartId, x[b * l]);
            for (int t = 1; t < l; t++)
            {
                long previous = y[b * l + t - 1];
                Assert.AreEqual(previous == MaskingDefaults.IgnoreLabel ? specials.PadId : previous, x[b * l + t], $"row {b} position {t}");
            }
        }
    }
}
