namespace OnnxPretrain.Data.Tests;

/// <summary>Shared corpus and checks of the batcher tests.</summary>
internal static class BatcherTestData
{
    public const int T = 128;

    /// <summary>V = 1000: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103; 0-103 and 990-999 never replacements.</summary>
    public static readonly SpecialTokens Specials =
        new(1000, 0, 100, 101, 102, 103, [.. Enumerable.Range(0, 104), .. Enumerable.Range(990, 10)]);

    /// <summary>
    /// Rows <c>[CLS] a… [SEP] b… [SEP]</c> of random length in [T/2, T], words drawn from 104-999 (so some are in the
    /// non-replaceable 990-999 range) with an occasional [UNK]; about 24k selectable tokens for 256 rows.
    /// </summary>
    public static List<int[]> Rows(int count, int seed = 1, int t = T)
    {
        var random = new Random(seed);
        var rows = new List<int[]>();
        for (int r = 0; r < count; r++)
        {
            int length = random.Next(t / 2, t + 1), split = random.Next(2, length - 1);
            var row = new int[length];
            for (int i = 0; i < length; i++) row[i] = random.Next(20) == 0 ? 100 : random.Next(104, 1000);
            row[0] = 101;
            row[split] = 102;
            row[length - 1] = 102;
            rows.Add(row);
        }
        return rows;
    }

    public static int Selectable(IEnumerable<int[]> rows) => rows.Sum(r => r.Count(id => !Specials.IsSpecial(id)));

    public static long[] Get(Batch batch, string name) => batch.Arrays[name].Int64s;

    /// <summary>Asserts observed successes within 4 standard deviations of Binomial(n, p).</summary>
    public static void AssertBinomial(long observed, long n, double p, string what)
    {
        double mean = n * p, sigma = Math.Sqrt(n * p * (1 - p));
        Assert.IsLessThanOrEqualTo(4 * sigma, Math.Abs(observed - mean),
            $"{what}: {observed} of {n}, expected {mean:F1} ± 4·{sigma:F1}");
    }

    /// <summary>Checks input_ids/attention_mask/token_type_ids: shapes, padding, mask, zero segments, token count.</summary>
    public static void AssertLayout(Batch batch, IReadOnlyList<int[]> rows, int t = T)
    {
        foreach (string name in (string[])[BatcherInputNames.InputIds, BatcherInputNames.AttentionMask, BatcherInputNames.TokenTypeIds])
            CollectionAssert.AreEqual(new long[] { rows.Count, t }, batch.Arrays[name].Shape, name);
        long[] ids = Get(batch, BatcherInputNames.InputIds), mask = Get(batch, BatcherInputNames.AttentionMask);
        Assert.IsTrue(Get(batch, BatcherInputNames.TokenTypeIds).All(x => x == 0));
        for (int b = 0; b < rows.Count; b++)
        {
            for (int i = 0; i < t; i++)
            {
                bool real = i < rows[b].Length;
                Assert.AreEqual(real ? 1L : 0L, mask[b * t + i]);
                if (!real) Assert.AreEqual((long)Specials.PadId, ids[b * t + i]);
                else if (Specials.IsSpecial(rows[b][i])) Assert.AreEqual((long)rows[b][i], ids[b * t + i], "specials unchanged");
            }
        }
        Assert.AreEqual(rows.Sum(r => (long)r.Length), batch.TokenCount);
    }

    /// <summary>
    /// Checks masked_lm_positions / masked_lm_labels against the rows: both of shape (M) with M &gt;= 1; positions
    /// strictly ascending over the whole batch (so rows in order, ascending t within a row), each a real selectable
    /// token of its row; labels the original ids; per row at most <paramref name="cap"/> when given; every token not
    /// listed keeps its original id. A batch with no listed token must be the single dummy slot (0, −100). Returns every
    /// selected (original, new) pair in slot order.
    /// </summary>
    public static List<(int Original, int Now)> MaskedLmSelections(Batch batch, IReadOnlyList<int[]> rows, int? cap = null, int t = T)
    {
        AssertLayout(batch, rows, t);
        long[] ids = Get(batch, BatcherInputNames.InputIds);
        long[] positions = Get(batch, BatcherInputNames.MaskedLmPositions), labels = Get(batch, BatcherInputNames.MaskedLmLabels);
        int m = positions.Length;
        Assert.IsGreaterThanOrEqualTo(1, m, "M >= 1");
        CollectionAssert.AreEqual(new long[] { m }, batch.Arrays[BatcherInputNames.MaskedLmPositions].Shape);
        CollectionAssert.AreEqual(new long[] { m }, batch.Arrays[BatcherInputNames.MaskedLmLabels].Shape);
        Assert.HasCount(m, labels);
        var pairs = new List<(int, int)>();
        var selected = new HashSet<long>();
        if (labels[0] == -100)
        {
            Assert.AreEqual(1, m, "the dummy slot is alone");
            Assert.AreEqual(0L, positions[0], "dummy slot position");
        }
        else
        {
            var perRow = new int[rows.Count];
            for (int k = 0; k < m; k++)
            {
                long flat = positions[k], label = labels[k];
                Assert.IsTrue(k == 0 || flat > positions[k - 1], $"slot {k}: position {flat} not ascending");
                Assert.IsTrue(flat >= 0 && flat < (long)rows.Count * t, $"slot {k}: position {flat} outside the batch");
                int b = (int)(flat / t), pos = (int)(flat % t);
                Assert.IsLessThan(rows[b].Length, pos, $"slot {k}: position {flat} is padding");
                Assert.IsFalse(Specials.IsSpecial(rows[b][pos]), "special token selected");
                Assert.AreEqual((long)rows[b][pos], label, "label is the original id");
                perRow[b]++;
                selected.Add(flat);
                pairs.Add((rows[b][pos], (int)ids[flat]));
            }
            if (cap is { } max) Assert.IsTrue(perRow.All(c => c <= max), $"a row has more than the cap {max}");
        }
        for (int b = 0; b < rows.Count; b++)
        {
            for (int i = 0; i < rows[b].Length; i++)
                if (!selected.Contains((long)b * t + i))
                    Assert.AreEqual((long)rows[b][i], ids[b * t + i], $"row {b} pos {i} unselected but changed");
        }
        return pairs;
    }

    public static void AssertIdentical(Batch a, Batch b)
    {
        CollectionAssert.AreEquivalent(a.Arrays.Keys.ToList(), b.Arrays.Keys.ToList());
        foreach (var (name, array) in a.Arrays)
        {
            CollectionAssert.AreEqual(array.Shape, b.Arrays[name].Shape, name);
            CollectionAssert.AreEqual(array.Data, b.Arrays[name].Data, name);
        }
        Assert.AreEqual(a.TokenCount, b.TokenCount);
    }
}

[TestClass]
public sealed class BatcherCommonTests
{
    [TestMethod]
    public void MaskedLmOptions_Default_NoCap()
    {
        Assert.IsNull(new MlmBatcherOptions().MaxPredictionsPerSequence);
        Assert.IsNull(new SlmBatcherOptions().MaxPredictionsPerSequence);
        Assert.IsNull(new ElectraBatcherOptions().MaxPredictionsPerSequence);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(129)]
    public void MaskedLmOptions_CapOutOfRange_ThrowsNamingField(int cap)
    {
        Assert.AreEqual("MaxPredictionsPerSequence", Assert.ThrowsExactly<ArgumentException>(
            () => new SlmBatcherOptions { MaxPredictionsPerSequence = cap }.Validate()).ParamName);
        Assert.AreEqual("MaxPredictionsPerSequence", Assert.ThrowsExactly<ArgumentException>(
            () => new ElectraBatcherOptions { MaxPredictionsPerSequence = cap }.Validate()).ParamName);
    }

    [TestMethod]
    public void MaskedLmBatchers_NothingSelectable_OneDummySlotAtZeroWithIgnoreLabel()
    {
        int[][] rows = [[101, 102], [101, 102, 102], [101, 100, 102]];
        IBatcher[] batchers =
        [
            new MlmBatcher(new MlmBatcherOptions { SequenceLength = 4, MaskProbability = 1 }, BatcherTestData.Specials),
            new SlmBatcher(new SlmBatcherOptions { SequenceLength = 4, MaskProbability = 1 }, BatcherTestData.Specials),
            new ElectraGeneratorBatcher(new ElectraBatcherOptions { SequenceLength = 4, MaskProbability = 1 }, BatcherTestData.Specials),
        ];
        foreach (var batcher in batchers)
        {
            var batch = batcher.Build(rows, 0);
            Assert.IsEmpty(BatcherTestData.MaskedLmSelections(batch, rows, t: 4));
            CollectionAssert.AreEqual(new long[] { 0 }, BatcherTestData.Get(batch, BatcherInputNames.MaskedLmPositions));
            CollectionAssert.AreEqual(new long[] { MaskingDefaults.IgnoreLabel }, BatcherTestData.Get(batch, BatcherInputNames.MaskedLmLabels));
        }
        var noise = batchers[2].Build(rows, 0).Arrays[BatcherInputNames.SamplingNoise];
        CollectionAssert.AreEqual(new long[] { 1, BatcherTestData.Specials.VocabSize }, noise.Shape);
        Assert.IsTrue(noise.Floats.All(x => x > 0f && x < 1f));
    }

    [TestMethod]
    public void MaskingRng_SameTriple_SameStream()
    {
        var a = new MaskingRng(7, 3, 2);
        var b = new MaskingRng(7, 3, 2);
        for (int i = 0; i < 100; i++) Assert.AreEqual(a.NextUInt64(), b.NextUInt64());
    }

    [TestMethod]
    public void MaskingRng_DifferentStepOrStream_DifferentValues()
    {
        ulong first = new MaskingRng(7, 3, 2).NextUInt64();
        Assert.AreNotEqual(first, new MaskingRng(7, 4, 2).NextUInt64());
        Assert.AreNotEqual(first, new MaskingRng(7, 3, 3).NextUInt64());
        Assert.AreNotEqual(first, new MaskingRng(8, 3, 2).NextUInt64());
    }

    [TestMethod]
    public void MaskingRng_NextInt_UniformWithinTolerance()
    {
        var rng = new MaskingRng(1, 0, 0);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++) counts[rng.NextInt(7)]++;
        foreach (int c in counts) BatcherTestData.AssertBinomial(c, 70000, 1.0 / 7, "NextInt bucket");
    }

    [TestMethod]
    public void MaskingRng_OpenUnitFloats_StrictlyInsideZeroOne()
    {
        var values = new float[100001];
        new MaskingRng(1, 2, 3).FillOpenUnitFloats(values);
        Assert.IsTrue(values.All(v => v > 0f && v < 1f));
        Assert.AreEqual(0.5, values.Average(), 0.005);
    }

    [TestMethod]
    public void MaskingVocabulary_BertBaseUncased_ExcludesSpecialsAndUnused()
    {
        var vocabulary = new MaskingVocabulary(SpecialTokens.BertBaseUncased);
        Assert.AreEqual(30522 - 999, vocabulary.ReplaceableIds.Count);
        Assert.IsFalse(vocabulary.IsReplaceable(103));
        Assert.IsTrue(vocabulary.IsReplaceable(999));
    }

    [TestMethod]
    [DataRow(1, 0.15, 0.8, 0.1, null, "SequenceLength")]
    [DataRow(128, 0.0, 0.8, 0.1, null, "MaskProbability")]
    [DataRow(128, 1.5, 0.8, 0.1, null, "MaskProbability")]
    [DataRow(128, 0.15, -0.1, 0.1, null, "MaskTokenFraction")]
    [DataRow(128, 0.15, 0.8, 0.3, null, "RandomTokenFraction")]
    [DataRow(128, 0.15, 0.8, 0.1, 0, "MaxPredictionsPerSequence")]
    [DataRow(128, 0.15, 0.8, 0.1, 129, "MaxPredictionsPerSequence")]
    public void MlmBatcherOptions_Invalid_ThrowsNamingField(int t, double p, double mask, double random, int? predictions, string field)
    {
        var options = new MlmBatcherOptions
        {
            SequenceLength = t, MaskProbability = p, MaskTokenFraction = mask, RandomTokenFraction = random,
            MaxPredictionsPerSequence = predictions,
        };
        var e = Assert.ThrowsExactly<ArgumentException>(() => options.Validate());
        Assert.AreEqual(field, e.ParamName);
        StringAssert.Contains(e.Message, field);
    }

    [TestMethod]
    public void OtherOptions_Invalid_ThrowNamingField()
    {
        Assert.AreEqual("MaskTokenFraction", Assert.ThrowsExactly<ArgumentException>(
            () => new ElectraBatcherOptions { MaskTokenFraction = 1.1 }.Validate()).ParamName);
        Assert.AreEqual("MaskProbability", Assert.ThrowsExactly<ArgumentException>(
            () => new SlmBatcherOptions { MaskProbability = double.NaN }.Validate()).ParamName);
        Assert.AreEqual("ReplaceProbability", Assert.ThrowsExactly<ArgumentException>(
            () => new RtsBatcherOptions { ReplaceProbability = 0 }.Validate()).ParamName);
        Assert.AreEqual("Beta", Assert.ThrowsExactly<ArgumentException>(
            () => new CrtsBatcherOptions { Beta = double.PositiveInfinity }.Validate()).ParamName);
    }

    [TestMethod]
    public void Build_RowLongerThanT_ThrowsNamingRow()
    {
        var batcher = new RtsBatcher(new RtsBatcherOptions { SequenceLength = 8 }, BatcherTestData.Specials);
        int[][] rows = [[101, 200, 102], [101, .. Enumerable.Repeat(200, 8), 102]];
        var e = Assert.ThrowsExactly<ArgumentException>(() => batcher.Build(rows, 0));
        StringAssert.Contains(e.Message, "Sequence 1");
    }

    [TestMethod]
    public void Build_IdOutsideVocabulary_ThrowsNamingRowAndPosition()
    {
        var batcher = new MlmBatcher(new MlmBatcherOptions { SequenceLength = 8 }, BatcherTestData.Specials);
        var e = Assert.ThrowsExactly<ArgumentException>(() => batcher.Build([[101, 1000, 102]], 0));
        StringAssert.Contains(e.Message, "Sequence 0, position 1");
    }

    [TestMethod]
    public void Build_NoRows_Throws()
    {
        var batcher = new SlmBatcher(new SlmBatcherOptions(), BatcherTestData.Specials);
        Assert.ThrowsExactly<ArgumentException>(() => batcher.Build([], 0));
    }
}
