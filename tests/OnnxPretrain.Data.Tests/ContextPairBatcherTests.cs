using static OnnxPretrain.Data.Tests.SentenceLevelFixture;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class ContextPairBatcherTests
{
    private static ContextPairBatcher Batcher(int t = 48, float maskProbability = 0.15f) => new(new SentenceLevelBatcherOptions
        { SequenceLength = t, Seed = 9, MaskProbability = maskProbability }, Specials, Standard);

    private static int ParagraphOf(int sentence) => Enumerable.Range(0, Standard.ParagraphCount).Single(p =>
        sentence >= Standard.GetParagraphSentences(p).Start && sentence < Standard.GetParagraphSentences(p).End);

    [TestMethod]
    public void Draw_ManyRows_LabelsMatchWhereTheCandidateCameFromAndContextIsItsNeighbours()
    {
        var batcher = Batcher();
        var kinds = new Dictionary<SentenceLevelExampleKind, int>();
        int rows = 0;
        for (int step = 0; step < 250; step++)
            foreach (var s in batcher.Sample(step, 8))
            {
                rows++;
                kinds[s.Kind] = kinds.GetValueOrDefault(s.Kind) + 1;
                int qp = ParagraphOf(s.Question), cp = ParagraphOf(s.Candidate);
                Assert.AreNotEqual(s.Question, s.Candidate);
                if (s.Kind == SentenceLevelExampleKind.Positive) Assert.AreEqual(qp, cp, "a positive shares the question's paragraph");
                else if (s.Kind == SentenceLevelExampleKind.HardNegative)
                {
                    Assert.AreNotEqual(qp, cp);
                    Assert.AreEqual(DocumentOf(Standard, qp), DocumentOf(Standard, cp), "a hard negative shares the question's document");
                }
                else Assert.AreNotEqual(DocumentOf(Standard, qp), DocumentOf(Standard, cp), "an easy negative is from another document");
                // Context: the nearest usable sentences around the candidate in its paragraph, the question skipped.
                var usable = Usable(Standard, cp).Where(x => x != s.Question).ToList();
                int at = usable.IndexOf(s.Candidate);
                Assert.AreEqual(at > 0 ? usable[at - 1] : -1, s.Left);
                Assert.AreEqual(at + 1 < usable.Count ? usable[at + 1] : -1, s.Right);
            }
        // Drawn 50 / 25 / 25; hard draws in one-paragraph documents (4 of 16) fall back to easy, so hard < 25% < easy.
        double positive = kinds[SentenceLevelExampleKind.Positive] / (double)rows, sigma = Math.Sqrt(0.25 / rows);
        Assert.AreEqual(0.5, positive, 4 * sigma);
        Assert.AreEqual(0.5, (kinds[SentenceLevelExampleKind.HardNegative] + kinds[SentenceLevelExampleKind.EasyNegative]) / (double)rows, 4 * sigma);
        Assert.IsLessThan(0.25, kinds[SentenceLevelExampleKind.HardNegative] / (double)rows);
        Assert.IsGreaterThan(0.15, kinds[SentenceLevelExampleKind.HardNegative] / (double)rows);
    }

    [TestMethod]
    [DataRow(48), DataRow(12)]
    public void Build_Rows_ClsQSepCSepContextSepWithTypes012(int t)
    {
        var batcher = Batcher(t, maskProbability: 1e-6f);
        var batch = batcher.Build(3, 8, out var samples);
        var ids = batch.Arrays[BatcherInputNames.InputIds].Int64s;
        var types = batch.Arrays[BatcherInputNames.TokenTypeIds].Int64s;
        CollectionAssert.AreEqual(samples.Select(s => s.Label).ToArray(), batch.Arrays[SentenceLevelInputNames.SentenceLabels].Int64s);
        for (int b = 0; b < 8; b++)
        {
            var s = samples[b];
            var (row, rowTypes) = batcher.Assemble(s);
            Assert.IsLessThanOrEqualTo(t, row.Length);
            CollectionAssert.AreEqual(row.Select(x => (long)x).ToArray(), ids.Skip(b * t).Take(row.Length).ToArray());
            CollectionAssert.AreEqual(rowTypes.Select(x => (long)x).ToArray(), types.Skip(b * t).Take(row.Length).ToArray());
            var seps = Enumerable.Range(0, row.Length).Where(i => row[i] == Specials.SepId).ToArray();
            Assert.HasCount(3, seps);
            Assert.AreEqual(Specials.ClsId, row[0]);
            int[] q = [.. Standard.GetSentence(s.Question).ToArray()], c = [.. Standard.GetSentence(s.Candidate).ToArray()];
            CollectionAssert.AreEqual(q.Take(seps[0] - 1).ToArray(), row[1..seps[0]], "Q's prefix");
            CollectionAssert.AreEqual(c.Take(seps[1] - seps[0] - 1).ToArray(), row[(seps[0] + 1)..seps[1]], "C's prefix");
            int context = seps[2] - seps[1] - 1;
            if (t == 48 && s.Left >= 0 && context > 0 && row.Length < t)
                CollectionAssert.AreEqual(Standard.GetSentence(s.Left).ToArray(), row[(seps[1] + 1)..(seps[1] + 1 + Standard.GetSentence(s.Left).Length)],
                    "all of left");
            for (int i = 0; i < row.Length; i++) Assert.AreEqual(i <= seps[0] ? 0 : i <= seps[1] ? 1 : 2, rowTypes[i]);
        }
    }
}
