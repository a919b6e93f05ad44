namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class PropBatcherTests
{
    private static readonly SpecialTokens Specials = SentenceLevelFixture.Specials;

    /// <summary>
    /// Two one-sentence documents: d0 = 10 10 10 11 12, d1 = 11 11 13 13 13 13 12. Collection counts 10:3 11:3 12:2 13:4
    /// (12 words), μ = (5 + 7) / 2 = 6. P(w|d0) = (tf + 6·cf/12) / (5 + 6): 10 -> 4.5/11, 11 -> 2.5/11, 12 -> 2/11.
    /// </summary>
    private static InMemorySentenceCorpus Tiny() => new([[[[10, 10, 10, 11, 12]]], [[[11, 11, 13, 13, 13, 13, 12]]]], Specials.VocabSize);

    private static readonly Dictionary<int, double> D0 = new() { [10] = 4.5 / 11, [11] = 2.5 / 11, [12] = 2.0 / 11 };

    private static PropBatcher Batcher(ITokenizedCorpus corpus, int t = 32, long seed = 3, PropWordRules? rules = null, int maxSet = 8) =>
        new(new PropBatcherOptions { SequenceLength = t, Seed = seed, MaxSetTokens = maxSet }, Specials, corpus, rules);

    [TestMethod]
    public void SamplePoisson_Lambda3_ZeroTruncatedMomentsWithinTolerance()
    {
        var rng = new MaskingRng(1, 0, 0);
        var draws = Enumerable.Range(0, 40000).Select(_ => PropDocumentModel.SamplePoisson(3, rng)).ToArray();
        double z = 1 - Math.Exp(-3);
        Assert.AreEqual(0, draws.Count(d => d <= 0));
        Assert.AreEqual(3 / z, draws.Average(), 0.03, "mean of the zero-truncated Poisson(3)");
        Assert.AreEqual(3 * Math.Exp(-3) / z, draws.Count(d => d == 1) / (double)draws.Length, 0.008, "P(n = 1)");
        Assert.AreEqual(4.5 * Math.Exp(-3) / z, draws.Count(d => d == 2) / (double)draws.Length, 0.01, "P(n = 2)");
    }

    [TestMethod]
    public void Probability_HandMadeCorpus_EqualsDirichletSmoothedModel()
    {
        var model = Batcher(Tiny()).Model;
        Assert.AreEqual(6.0, model.Mu, 1e-12);
        var p = model.Passage(0);
        Assert.AreEqual(5, p.Length);
        for (int k = 0; k < p.Words.Length; k++)
            Assert.AreEqual(D0[model.Word(p.Words[k])[0]], model.Probability(0, k), 1e-12, $"word {model.Word(p.Words[k])[0]}");
        Assert.AreEqual(4.0 / 12, model.CollectionProbability(model.Passage(1).Words.First(w => model.Word(w)[0] == 13)), 1e-12);
    }

    [TestMethod]
    public void SampleSet_HandMadeDocument_FirstWordFollowsRenormalisedModel()
    {
        var model = Batcher(Tiny()).Model;
        var rng = new MaskingRng(9, 0, 0);
        var first = new Dictionary<int, int>();
        const int n = 30000;
        for (int i = 0; i < n; i++)
        {
            var set = model.SampleSet(0, 3, rng);
            Assert.AreEqual(set.Count, set.Distinct().Count(), "a set has distinct words");
            int w = model.Word(model.Passage(0).Words[set[0]])[0];
            first[w] = first.GetValueOrDefault(w) + 1;
        }
        // Restricted to d0's vocabulary and renormalised: 4.5 : 2.5 : 2 over 9.
        Assert.AreEqual(0.5, first[10] / (double)n, 0.012);
        Assert.AreEqual(2.5 / 9, first[11] / (double)n, 0.012);
        Assert.AreEqual(2.0 / 9, first[12] / (double)n, 0.012);
    }

    [TestMethod]
    public void Sample_TinyCorpus_PositiveHasTheHigherHandComputedQueryLikelihood()
    {
        var batcher = Batcher(Tiny());
        var m = batcher.Model;
        int checkedPairs = 0;
        for (int step = 0; step < 20; step++)
        {
            foreach (var s in batcher.Sample(step, 4).Where(s => s.Passage == 0))
            {
                double pos = s.Positive.Sum(w => Math.Log(D0[m.Word(w)[0]])), neg = s.Negative.Sum(w => Math.Log(D0[m.Word(w)[0]]));
                Assert.AreEqual(pos, s.PositiveLogLikelihood, 1e-9);
                Assert.AreEqual(neg, s.NegativeLogLikelihood, 1e-9);
                Assert.IsGreaterThan(neg, pos, $"step {step}: positive {pos} vs negative {neg}");
                checkedPairs++;
            }
        }
        Assert.IsGreaterThan(10, checkedPairs);
    }

    [TestMethod]
    public void Sample_ConsecutivePairs_ShareTheirSlotsPassage()
    {
        var batcher = Batcher(SentenceLevelFixture.Standard, t: 40);
        var samples = batcher.Sample(0, 16);
        for (int slot = 0; slot < 4; slot++)
            Assert.AreEqual(1, samples.Skip(slot * 4).Take(4).Select(s => s.Passage).Distinct().Count(), $"slot {slot}");
        // Slots are independent of the batch size: pair j of step s is pair j of the run.
        var small = batcher.Sample(1, 8);
        CollectionAssert.AreEqual(samples.Skip(8).Select(s => s.Passage).ToArray(), small.Select(s => s.Passage).ToArray());
    }

    [TestMethod]
    public void Build_Rows_ClsSetSepPassageSepSameMaskOnBothRows()
    {
        var batcher = Batcher(SentenceLevelFixture.Standard, t: 24);
        const int t = 24;
        Batch batch = batcher.Build(2, 6, out var samples);
        long[] ids = batch.Arrays[BatcherInputNames.InputIds].Int64s, types = batch.Arrays[BatcherInputNames.TokenTypeIds].Int64s;
        CollectionAssert.AreEqual(new long[] { 12, t }, batch.Arrays[BatcherInputNames.InputIds].Shape);
        var positions = batch.Arrays[BatcherInputNames.MaskedLmPositions].Int64s;
        var labels = batch.Arrays[BatcherInputNames.MaskedLmLabels].Int64s;
        var original = (long[])ids.Clone();
        for (int i = 0; i < positions.Length; i++) original[positions[i]] = labels[i];
        long[] pairPositions = [], pairMasked = [];
        for (int b = 0; b < 6; b++)
        {
            var passage = batcher.Model.Passage(samples[b].Passage).Tokens;
            Assert.IsLessThanOrEqualTo(t - 3 - 8, passage.Length, "passage budget");
            for (int r = 2 * b; r <= 2 * b + 1; r++)
            {
                int[] expected = batcher.Assemble(r == 2 * b ? samples[b].Positive : samples[b].Negative, samples[b].Passage);
                CollectionAssert.AreEqual(expected.Select(x => (long)x).ToArray(), original[(r * t)..(r * t + expected.Length)], $"row {r}");
                int first = expected.Length - passage.Length - 1;
                for (int i = 0; i < expected.Length; i++) Assert.AreEqual(i < first ? 0L : 1L, types[r * t + i], $"type row {r} pos {i}");
                var rowPositions = positions.Where(p => p / t == r).Select(p => p % t - first).ToArray();
                Assert.IsTrue(rowPositions.All(p => p >= 0 && p < passage.Length), "MLM only on passage tokens");
                var masked = rowPositions.Select(p => ids[r * t + first + p]).ToArray();
                if (r == 2 * b + 1) CollectionAssert.AreEqual(pairPositions, rowPositions, $"pair {b}: same selection");
                if (r == 2 * b + 1) CollectionAssert.AreEqual(pairMasked, masked, $"pair {b}: same replacements");
                (pairPositions, pairMasked) = (rowPositions, masked);
            }
        }
    }

    [TestMethod]
    public void Build_SameSeedAndStep_IdenticalAndStepsDiffer()
    {
        var a = Batcher(SentenceLevelFixture.Standard, seed: 5).Build(3, 8);
        var b = Batcher(SentenceLevelFixture.Standard, seed: 5).Build(3, 8);
        var c = Batcher(SentenceLevelFixture.Standard, seed: 5).Build(4, 8);
        foreach (var (name, array) in a.Arrays) CollectionAssert.AreEqual(array.Int64s, b.Arrays[name].Int64s, name);
        CollectionAssert.AreNotEqual(a.Arrays[BatcherInputNames.InputIds].Int64s, c.Arrays[BatcherInputNames.InputIds].Int64s);
    }

    [TestMethod]
    public void Passages_LongDocument_CutToTheBudgetAtSentenceBoundaries()
    {
        int[] Sentence(int start, int n) => [.. Enumerable.Range(start, n)];
        var corpus = new InMemorySentenceCorpus([[[Sentence(1000, 6), Sentence(1100, 6), Sentence(1200, 30)]], [[Sentence(1300, 4)]]], Specials.VocabSize);
        var model = Batcher(corpus, t: 24).Model;                      // passage budget 24 - 3 - 8 = 13
        var passages = Enumerable.Range(0, model.PassageCount).Select(p => model.Passage(p).Tokens).ToList();
        Assert.AreEqual(3, model.PassageCount);
        CollectionAssert.AreEqual(Sentence(1000, 6).Concat(Sentence(1100, 6)).ToArray(), passages[0], "two sentences fit, the third does not");
        CollectionAssert.AreEqual(Sentence(1200, 13), passages[1], "the over-long sentence is cut to the budget");
        CollectionAssert.AreEqual(Sentence(1300, 4), passages[2]);
        Assert.AreEqual(1, model.Passage(2).Document);
    }

    [TestMethod]
    public void WordRules_WordPieces_MergedAndStopWordsNotCounted()
    {
        var continuation = new bool[50];
        continuation[20] = continuation[21] = true;                   // ids 20, 21 are "##" pieces
        var excluded = new bool[50];
        excluded[5] = true;                                           // punctuation
        var rules = new PropWordRules(continuation, excluded, [[30]]);   // id 30 is a stop word
        CollectionAssert.AreEqual(new[] { (0, 3), (3, 1), (4, 1), (5, 2) }, rules.Words([10, 20, 21, 30, 5, 11, 20]).ToArray());
        Assert.IsTrue(rules.Counts([10, 20, 21]));
        Assert.IsFalse(rules.Counts([30]));
        Assert.IsFalse(rules.Counts([5]));
        var corpus = new InMemorySentenceCorpus([[[[10, 20, 21, 30, 5, 11, 20, 10, 20, 21]]], [[[12, 13]]]], 50);
        var model = new PropDocumentModel(corpus, rules, 100);
        var p = model.Passage(0);
        Assert.AreEqual(3, p.Length);
        CollectionAssert.AreEqual(new[] { 2, 1 }, p.TermFrequencies);
        CollectionAssert.AreEqual(new[] { 10, 20, 21 }, model.Word(p.Words[0]));
    }

    [TestMethod]
    public void WordRules_ForWordPieceTokenizer_MergesPiecesDropsStopWordsAndPunctuation()
    {
        using var dir = new TempDir();
        var tokenizer = TextTokenizer.CreateBert(dir.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n.\nthe\ncat\n##s\nsat\n"));
        var rules = PropWordRules.For(tokenizer);
        int[] ids = [.. tokenizer.Encode("The cats sat.")];
        CollectionAssert.AreEqual(new[] { 6, 7, 8, 9, 5 }, ids);
        var counted = rules.Words(ids).Select(w => ids[w.Start..(w.Start + w.Length)]).Where(rules.Counts).ToList();
        Assert.HasCount(2, counted, "'the' is a stop word and '.' is punctuation");
        CollectionAssert.AreEqual(new[] { 7, 8 }, counted[0], "cat + ##s is one word");
        CollectionAssert.AreEqual(new[] { 9 }, counted[1]);
    }

    [TestMethod]
    public void Options_PairsBeyondSetPairs_NamesFieldAndValue()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new PropBatcherOptions { SetsPerDocument = 3, PairsPerDocument = 4 }.Validate());
        StringAssert.Contains(e.Message, "PairsPerDocument");
        StringAssert.Contains(e.Message, "4");
    }
}
