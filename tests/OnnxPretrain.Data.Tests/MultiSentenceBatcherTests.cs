using static OnnxPretrain.Data.Tests.SentenceLevelFixture;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class MultiSentenceBatcherTests
{
    private const int K = 5, S = 16;

    private static MultiSentenceBatcher Batcher(float maskProbability = 0.15f, long seed = 3) =>
        new(new MultiSentenceBatcherOptions { Candidates = K, SegmentLength = S, Seed = seed, MaskProbability = maskProbability }, Specials, Standard);

    private static int ParagraphOf(int sentence) => Enumerable.Range(0, Standard.ParagraphCount).Single(p =>
        sentence >= Standard.GetParagraphSentences(p).Start && sentence < Standard.GetParagraphSentences(p).End);

    /// <summary>Position of a sentence among its paragraph's non-empty sentences.</summary>
    private static int IndexInParagraph(int sentence) => Usable(Standard, ParagraphOf(sentence)).IndexOf(sentence);

    private static bool Consecutive(int[] span)
    {
        var usable = Usable(Standard, ParagraphOf(span[0]));
        int at = usable.IndexOf(span[0]);
        return span.Length is 1 or 2 && span.Select((s, i) => usable.IndexOf(s) == at + i).All(x => x);
    }

    [TestMethod]
    public void Draw_ManyRows_EveryLabelMatchesWhereItsSpanCameFrom()
    {
        var batcher = Batcher();
        for (int step = 0; step < 60; step++)
        {
            foreach (var s in batcher.Sample(step, 8))
            {
                Assert.AreEqual(K, s.Candidates.Count);
                Assert.AreEqual(1, s.Labels.Count(l => l == 1), "one positive per row");
                int premise = s.Premise.Single(), paragraph = ParagraphOf(premise), document = DocumentOf(Standard, paragraph);
                for (int j = 0; j < K; j++)
                {
                    var span = s.Candidates[j];
                    Assert.IsTrue(Consecutive(span), "a candidate is 1-2 consecutive sentences of one paragraph");
                    int p = ParagraphOf(span[0]), d = DocumentOf(Standard, p);
                    if (s.Labels[j] == 1)
                    {
                        Assert.AreEqual(paragraph, p, "the positive is in the premise's paragraph");
                        Assert.IsGreaterThan(IndexInParagraph(premise), IndexInParagraph(span[0]), "the positive follows the premise");
                    }
                    else if (s.Hard[j])
                    {
                        Assert.AreEqual(document, d, "a hard negative is in the premise's document");
                        if (p == paragraph)
                            Assert.IsLessThan(IndexInParagraph(premise), IndexInParagraph(span[^1]), "a same-paragraph hard negative precedes the premise");
                    }
                    else Assert.AreNotEqual(document, d, "an easy negative is from another document");
                }
            }
        }
    }

    [TestMethod]
    public void Draw_ManyRows_HardNegativesAreMinOfTwoAndThePoolAndThePositiveSlotIsUniform()
    {
        var batcher = Batcher();
        var slot = new int[K];
        int rows = 0;
        for (int step = 0; step < 200; step++)
        {
            foreach (var s in batcher.Sample(step, 8))
            {
                int premise = s.Premise.Single(), paragraph = ParagraphOf(premise), document = DocumentOf(Standard, paragraph);
                int pool = (IndexInParagraph(premise) > 0 ? 1 : 0) + EligibleParagraphs(Standard, document, 2) - 1;
                Assert.AreEqual(Math.Min(2, pool), s.Hard.Count(h => h), $"premise {premise}: pool of {pool}");
                slot[Array.IndexOf(s.Labels, 1L)]++;
                rows++;
            }
        }
        double expected = rows / (double)K, sigma = Math.Sqrt(rows * (1.0 / K) * (1 - 1.0 / K));
        foreach (int c in slot) Assert.AreEqual(expected, c, 4 * sigma, $"positive slots {string.Join(", ", slot)}");
    }

    [TestMethod]
    public void Build_Rows_SegmentsAreClsTextSepPaddedWithTypesAndMaskAndLabels()
    {
        var batcher = Batcher(maskProbability: 1e-6f);                 // nothing masked: the ids are the texts
        var batch = batcher.Build(4, 6, out var samples);
        var ids = batch.Arrays[BatcherInputNames.InputIds].Int64s;
        var types = batch.Arrays[BatcherInputNames.TokenTypeIds].Int64s;
        var mask = batch.Arrays[BatcherInputNames.AttentionMask].Int64s;
        CollectionAssert.AreEqual(new long[] { 6, (K + 1) * S }, batch.Arrays[BatcherInputNames.InputIds].Shape);
        CollectionAssert.AreEqual(samples.SelectMany(s => s.Labels).ToArray(), batch.Arrays[MultiSentenceInputNames.CandidateLabels].Int64s);
        int t = (K + 1) * S;
        for (int b = 0; b < 6; b++)
        {
            var texts = new[] { samples[b].Premise }.Concat(samples[b].Candidates).Select(span => Tokens(Standard, span)).ToList();
            for (int j = 0; j <= K; j++)
            {
                int at = b * t + j * S, n = Math.Min(texts[j].Length, S - 2);
                Assert.AreEqual(Specials.ClsId, ids[at]);
                CollectionAssert.AreEqual(texts[j].Take(n).Select(x => (long)x).ToArray(), ids.Skip(at + 1).Take(n).ToArray(), $"row {b} segment {j}");
                Assert.AreEqual(Specials.SepId, ids[at + 1 + n]);
                for (int i = 0; i < S; i++)
                {
                    Assert.AreEqual(j, types[at + i]);
                    Assert.AreEqual(i <= n + 1 ? 1 : 0, mask[at + i]);
                    if (i > n + 1) Assert.AreEqual(Specials.PadId, ids[at + i]);
                }
            }
        }
        Assert.AreEqual(mask.Sum(), batch.TokenCount);
    }

    [TestMethod]
    public void Build_Masking_NeverSelectsClsSepOrPadAndIsDeterministic()
    {
        var a = Batcher().Build(7, 8);
        var b = Batcher().Build(7, 8);
        foreach (var name in a.Arrays.Keys) CollectionAssert.AreEqual(a.Arrays[name].Int64s, b.Arrays[name].Int64s, name);
        var unmasked = Batcher(maskProbability: 1e-6f).Build(7, 8).Arrays[BatcherInputNames.InputIds].Int64s;
        var positions = a.Arrays[BatcherInputNames.MaskedLmPositions].Int64s;
        Assert.IsGreaterThan(10, positions.Length);
        foreach (long p in positions) Assert.IsFalse(Specials.IsSpecial((int)unmasked[p]), $"position {p} holds {unmasked[p]}");
        CollectionAssert.AreEqual(positions.Select(p => unmasked[p]).ToArray(), a.Arrays[BatcherInputNames.MaskedLmLabels].Int64s);
    }

    [TestMethod]
    public void Options_Invalid_NameTheFieldAndValue()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MultiSentenceBatcherOptions { Candidates = 3, HardNegatives = 3 }.Validate());
        StringAssert.Contains(e.Message, "HardNegatives (3)");
        var one = SentenceLevelFixture.Create(1, _ => 2, seed: 1, minSentences: 2);
        e = Assert.ThrowsExactly<ArgumentException>(() => new MultiSentenceBatcher(new MultiSentenceBatcherOptions(), Specials, one));
        StringAssert.Contains(e.Message, "in 1 documents");
    }
}
