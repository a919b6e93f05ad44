namespace OnnxPretrain.Data.Tests.Seq2Seq;

/// <summary>Checks against the real bert-base-uncased vocabulary (inconclusive when it is not cached and cannot be fetched).</summary>
[TestClass]
public sealed class Seq2SeqBertVocabTests
{
    [TestMethod]
    public void BertBaseUncased_SentinelsAndMasks_AreTheDocumentedVocabularyEntries()
    {
        TextTokenizer bert = SharedData.BertBaseUncased();
        Seq2SeqSpecialTokens s = Seq2SeqSpecialTokens.BertBaseUncased;
        for (int i = 0; i < s.SentinelIds.Count; i++) Assert.AreEqual($"[unused{i}]", bert.IdToToken(s.SentinelIds[i]));
        Assert.AreEqual("[unused100]", bert.IdToToken(s.MlmMaskId));
        Assert.AreEqual(("[PAD]", "[CLS]", "[SEP]", "[MASK]"),
            (bert.IdToToken(s.PadId), bert.IdToToken(s.DecoderStartId), bert.IdToToken(s.EosId), bert.IdToToken(s.SentenceMaskId)));
        Assert.AreEqual(bert.VocabSize, s.VocabSize);
    }

    [TestMethod]
    public void FromTokenizer_RealText_GroupsWordPiecesAndSelectsTheHandComputedSentence()
    {
        TextTokenizer bert = SharedData.BertBaseUncased();
        RougeWords words = RougeWords.FromTokenizer(bert);
        int[] ids = [.. bert.Encode("unaffable cats")];
        Assert.IsTrue(ids.Length >= 3, "unaffable is several word pieces");
        words.CountWords(ids, out int total);
        Assert.AreEqual(2, total);

        // ROUGE words (punctuation is not a word): N = 6 + 3 + 3 + 5 = 17; with Ind-Orig, F1 = 2·matches / N since |s| + |rest| = N.
        // s0 "the cat sat on the mat" matches the×2 (2 more elsewhere), cat, sat, on, mat -> 6 -> 12/17.
        // s1 "stock prices fell" -> 0. s2 "the cat sat" -> 3 -> 6/17. s3 "dogs sleep on the mat" -> on, the, mat -> 6/17.
        int[][] doc = [.. new[] { "The cat sat on the mat.", "Stock prices fell.", "The cat sat.", "Dogs sleep on the mat." }
            .Select(t => bert.Encode(t).ToArray())];
        double[] scores = GsgBatcher.SentenceScores(doc, words);
        double[] expected = [12.0 / 17, 0, 6.0 / 17, 6.0 / 17];
        for (int i = 0; i < 4; i++) Assert.AreEqual(expected[i], scores[i], 1e-12, $"sentence {i}");
        CollectionAssert.AreEqual(new[] { 0 }, GsgBatcher.SelectGapSentences(doc, words, 0.3).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 2 }, GsgBatcher.SelectGapSentences(doc, words, 0.5).ToArray()); // s2/s3 tie: earlier
    }

    [TestMethod]
    public void SelectGapSentences_PunctuationIsNotAWord()
    {
        // Counting ",", "." as words, sentence 0 matched the rest through its commas and was selected; under rouge-score's
        // tokenisation sentences 0 and 1 share nothing, and 2 and 3 share "the" x2 and "cat" (3 of 20 words): 2 wins the tie.
        TextTokenizer bert = SharedData.BertBaseUncased();
        int[][] doc = [.. new[] { "Red, green, blue, pink, gold.", "Grey, teal, navy, plum, rose.", "The cat saw the dog.", "The cat ate the fish." }
            .Select(t => bert.Encode(t).ToArray())];
        double[] scores = GsgBatcher.SentenceScores(doc, RougeWords.FromTokenizer(bert));
        CollectionAssert.AreEqual(new[] { 0, 0, 0.3, 0.3 }, scores.Select(x => Math.Round(x, 12)).ToArray());
        CollectionAssert.AreEqual(new[] { 2 }, GsgBatcher.SelectGapSentences(doc, RougeWords.FromTokenizer(bert), 0.3).ToArray());
    }

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Batchers_DefaultCorpusSample_BuildValidBatches()
    {
        CorpusSplit split = SharedData.DefaultCorpusSplit();
        TextTokenizer bert = SharedData.BertBaseUncased();
        using var dir = new TempDir();
        using TokenShard shard = TokenShardBuilder.BuildOrOpen(Path.Combine(dir.Path, "s.shard"), [.. split.Train.Take(30)], bert).Shard;
        Seq2SeqSpecialTokens s = Seq2SeqSpecialTokens.BertBaseUncased;

        var gsg = new GsgBatcher(new GsgBatcherOptions { MaxSourceLength = 128, MaxTargetLength = 64 }, s, shard, RougeWords.FromTokenizer(bert));
        Batch batch = gsg.Build(0, 8, out var examples);
        Seq2SeqAssert.ShiftedRight(batch, s);
        Assert.IsTrue(examples.All(e => e.Selected.Count >= 1 && e.Example.Target.Length >= 2));
        TestContext.WriteLine($"GSG source: {bert.Decode(examples[0].Example.Source, skipSpecialTokens: false)}");
        TestContext.WriteLine($"GSG target: {bert.Decode(examples[0].Example.Target, skipSpecialTokens: false)}");

        var t5 = new SpanCorruptionBatcher(new SpanCorruptionBatcherOptions { MaxSourceLength = 128, MaxTargetLength = 48 }, s, shard);
        batch = t5.Build(0, 8, out var raw, out var rows);
        Seq2SeqAssert.ShiftedRight(batch, s);
        Assert.IsTrue(raw.Any(r => r.Length > 100), "chunks fill the raw length");
        TestContext.WriteLine($"T5 raw length {t5.MaxRawLength}; source: {bert.Decode(rows[0].Source, skipSpecialTokens: false)}");
        TestContext.WriteLine($"T5 target: {bert.Decode(rows[0].Target, skipSpecialTokens: false)}");
    }
}
