namespace OnnxPretrain.Data.Tests.Seq2Seq;

[TestClass]
public sealed class SpanCorruptionBatcherTests
{
    private static readonly Seq2SeqSpecialTokens Specials = Seq2SeqSpecialTokens.BertBaseUncased;

    private static SpanCorruptionBatcher Batcher(SpanCorruptionBatcherOptions? options = null) =>
        new(options ?? new SpanCorruptionBatcherOptions(), Specials, GsgBatcherTests.Corpus());

    /// <summary>Rebuilds the raw row: each sentinel of the source is replaced by the ids after the same sentinel in the target.</summary>
    private static List<int> Reconstruct(Seq2SeqExample e)
    {
        var spans = new Dictionary<int, List<int>>();
        List<int>? current = null;
        foreach (int id in e.Target[..^1])
        {
            if (Specials.SentinelIds.Contains(id)) spans[id] = current = [];
            else current!.Add(id);
        }
        var row = new List<int>();
        foreach (int id in e.Source[..^1])
        {
            if (spans.TryGetValue(id, out var span)) row.AddRange(span);
            else row.Add(id);
        }
        return row;
    }

    [TestMethod]
    [DataRow(100, 15, 5)]   // round(15.0) = 15, round(5.0) = 5
    [DataRow(10, 2, 1)]     // round(1.5) = 2 (half to even), round(0.67) = 1
    [DataRow(2, 1, 1)]      // round(0.3) = 0 -> at least 1
    [DataRow(512, 77, 26)]  // round(76.8) = 77, round(25.67) = 26
    public void Counts_Lengths_FollowT5Rounding(int length, int noise, int spans) =>
        Assert.AreEqual((noise, spans), SpanCorruptionBatcher.Counts(length, 0.15, 3));

    [TestMethod]
    public void RandomSpansNoiseMask_ManySamples_NoiseFractionAndMeanSpanLengthWithinTolerance()
    {
        long noise = 0, tokens = 0, spans = 0;
        var lengthsSeen = new HashSet<int>();
        var draw = new MaskingRng(1, 0, 99);
        for (int step = 0; step < 3000; step++)
        {
            int length = 20 + draw.NextInt(480);
            bool[] mask = SpanCorruptionBatcher.RandomSpansNoiseMask(length, 0.15, 3, new MaskingRng(1, step, 0));
            Assert.IsFalse(mask[0], "starts with non-noise");
            Assert.IsTrue(mask[^1], "ends with noise");
            tokens += length;
            int run = 0;
            for (int i = 0; i < length; i++)
            {
                if (mask[i]) { noise++; run++; }
                if ((!mask[i] || i == length - 1) && run > 0) { spans++; lengthsSeen.Add(run); run = 0; }
            }
        }
        Assert.AreEqual(0.15, noise / (double)tokens, 0.003, "noise fraction");
        Assert.AreEqual(3.0, noise / (double)spans, 0.1, "mean span length");
        Assert.IsTrue(lengthsSeen.Count >= 5, "span lengths are random, not all equal to the mean");
    }

    [TestMethod]
    public void MakeExample_Row_SourceAndTargetReconstructTheRowWithDistinctOrderedSentinels()
    {
        SpanCorruptionBatcher batcher = Batcher();
        for (int seed = 0; seed < 200; seed++)
        {
            int[] row = [.. Enumerable.Range(0, 2 + seed % 150).Select(i => 1000 + (i * 7919 + seed) % 5000)];
            Seq2SeqExample e = batcher.MakeExample(row, new MaskingRng(seed, 0, 0));
            CollectionAssert.AreEqual(row, Reconstruct(e), $"seed {seed}");
            int[] inSource = [.. e.Source.Where(id => Specials.SentinelIds.Contains(id))];
            int[] inTarget = [.. e.Target.Where(id => Specials.SentinelIds.Contains(id))];
            CollectionAssert.AreEqual(Specials.SentinelIds.Take(inSource.Length).ToArray(), inSource, "sentinel i for span i, each once");
            CollectionAssert.AreEqual(inSource, inTarget);
            Assert.AreEqual(SpanCorruptionBatcher.Counts(row.Length, 0.15, 3).Spans, inSource.Length);
            Assert.IsTrue(Specials.SentinelIds.Contains(e.Target[0]), "the target starts with a sentinel");
            Assert.AreEqual(Specials.EosId, e.Source[^1]);
            Assert.AreEqual(Specials.EosId, e.Target[^1]);
        }
    }

    [TestMethod]
    public void Build_Corpus_DeterministicFitsAndShiftsLabels()
    {
        var options = new SpanCorruptionBatcherOptions { MaxSourceLength = 16, MaxTargetLength = 8, Seed = 11 };
        SpanCorruptionBatcher batcher = Batcher(options);
        Assert.IsTrue(batcher.MaxRawLength >= 15, $"raw length {batcher.MaxRawLength} fills S");
        Batch a = batcher.Build(2, 6, out var raw, out var examples), again = batcher.Build(2, 6);
        foreach (string name in a.Arrays.Keys) CollectionAssert.AreEqual(a.Arrays[name].Int64s, again.Arrays[name].Int64s, name);
        Assert.IsFalse(a.Arrays[BatcherInputNames.InputIds].Int64s.SequenceEqual(batcher.Build(3, 6).Arrays[BatcherInputNames.InputIds].Int64s));
        Seq2SeqAssert.ShiftedRight(a, Specials);
        long[] labels = a.Arrays[BatcherInputNames.Labels].Int64s, input = a.Arrays[BatcherInputNames.InputIds].Int64s;
        for (int b = 0; b < 6; b++)
        {
            CollectionAssert.AreEqual(raw[b], Reconstruct(examples[b]));
            Assert.IsTrue(examples[b].Source.Length <= 16 && examples[b].Target.Length <= 8);
            CollectionAssert.AreEqual(examples[b].Target.Select(i => (long)i).ToArray(), labels.Skip(b * 8).Take(examples[b].Target.Length).ToArray());
            Assert.IsTrue(labels.Skip(b * 8 + examples[b].Target.Length).Take(8 - examples[b].Target.Length).All(y => y == -100));
            Assert.IsTrue(input.Skip(b * 16 + examples[b].Source.Length).Take(16 - examples[b].Source.Length).All(x => x == Specials.PadId));
        }
    }

    [TestMethod]
    public void MaxRawLength_AllLengthsUpToIt_FitSourceAndTarget()
    {
        var options = new SpanCorruptionBatcherOptions { MaxSourceLength = 64, MaxTargetLength = 12 };
        SpanCorruptionBatcher batcher = Batcher(options);
        for (int n = 2; n <= batcher.MaxRawLength; n++)
        {
            (int noise, int spans) = SpanCorruptionBatcher.Counts(n, 0.15, 3);
            Assert.IsTrue(n - noise + spans + 1 <= 64 && noise + spans + 1 <= 12, $"n = {n}");
        }
        (int nextNoise, int nextSpans) = SpanCorruptionBatcher.Counts(batcher.MaxRawLength + 1, 0.15, 3);
        Assert.IsTrue(nextNoise + nextSpans + 1 > 12 || batcher.MaxRawLength + 1 - nextNoise + nextSpans + 1 > 64);
        Assert.ThrowsExactly<ArgumentException>(() => batcher.MakeExample(new int[batcher.MaxRawLength + 1], new MaskingRng(0, 0, 0)));
    }

    [TestMethod]
    public void Options_OutOfRange_ThrowNamingTheField()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new SpanCorruptionBatcherOptions { NoiseDensity = 0 }.Validate());
        StringAssert.Contains(e.Message, "NoiseDensity");
        e = Assert.ThrowsExactly<ArgumentException>(() => new SpanCorruptionBatcherOptions { MeanNoiseSpanLength = 0.5 }.Validate());
        StringAssert.Contains(e.Message, "MeanNoiseSpanLength");
        e = Assert.ThrowsExactly<ArgumentException>(() => new SpanCorruptionBatcherOptions { MaxTargetLength = 2 }.Validate());
        StringAssert.Contains(e.Message, "MaxTargetLength");
    }
}

[TestClass]
public sealed class Seq2SeqSpecialTokensTests
{
    [TestMethod]
    public void BertBaseUncased_Mapping_IsValidAndLeavesBertSpecialsAlone()
    {
        Seq2SeqSpecialTokens s = Seq2SeqSpecialTokens.BertBaseUncased.Validate();
        SpecialTokens bert = SpecialTokens.BertBaseUncased;
        Assert.AreEqual((bert.PadId, bert.ClsId, bert.SepId, bert.MaskId), (s.PadId, s.DecoderStartId, s.EosId, s.SentenceMaskId));
        Assert.AreEqual(100, s.SentinelIds.Count);
        CollectionAssert.AreEqual(new[] { 1, 2, 99, 104 }, new[] { s.SentinelIds[0], s.SentinelIds[1], s.SentinelIds[98], s.SentinelIds[99] });
        Assert.IsTrue(s.SentinelIds.Append(s.MlmMaskId).All(id => bert.NonReplaceableIds.Contains(id) && !bert.IsSpecial(id)),
            "sentinels and [MASK2] are [unusedN] entries");
    }

    [TestMethod]
    public void Validate_SharedId_ThrowsNamingBothRoles()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => (Seq2SeqSpecialTokens.BertBaseUncased with { MlmMaskId = 103 }).Validate());
        StringAssert.Contains(e.Message, "MlmMaskId");
        StringAssert.Contains(e.Message, "SentenceMaskId");
    }

    [TestMethod]
    public void BatchBuilder_Examples_PadsAndShiftsRight()
    {
        Seq2SeqSpecialTokens s = Seq2SeqSpecialTokens.BertBaseUncased;
        Batch batch = Seq2SeqBatchBuilder.Build([new([5, 6, 102], [7, 8, 102]), new([9, 102], [102])], 4, 4, s);
        CollectionAssert.AreEqual(new long[] { 5, 6, 102, 0, 9, 102, 0, 0 }, batch.Arrays[BatcherInputNames.InputIds].Int64s);
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 0, 1, 1, 0, 0 }, batch.Arrays[BatcherInputNames.AttentionMask].Int64s);
        CollectionAssert.AreEqual(new long[] { 7, 8, 102, -100, 102, -100, -100, -100 }, batch.Arrays[BatcherInputNames.Labels].Int64s);
        CollectionAssert.AreEqual(new long[] { 101, 7, 8, 102, 101, 102, 0, 0 }, batch.Arrays[Seq2SeqInputNames.DecoderInputIds].Int64s);
        Assert.AreEqual(9, batch.TokenCount);
        Assert.ThrowsExactly<ArgumentException>(() => Seq2SeqBatchBuilder.Build([new([1, 2, 3, 4, 5], [102])], 4, 4, s));
    }
}
