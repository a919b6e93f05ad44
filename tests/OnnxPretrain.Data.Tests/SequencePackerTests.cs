using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class SequencePackerTests
{
    private const int Cls = 101, Sep = 102;

    private static TokenShard Shard(TempDir dir, int[][][][] docs)
    {
        string path = Path.Combine(dir.Path, $"{Guid.NewGuid():N}.shard");
        using (TokenShardWriter w = TokenShardWriter.Create(path, 100_000, new string('0', 64), new string('1', 64)))
        {
            foreach (int[][][] doc in docs)
            {
                w.BeginDocument();
                foreach (int[][] para in doc)
                {
                    w.BeginParagraph();
                    foreach (int[] sentence in para)
                    {
                        w.AddSentence(sentence);
                    }
                }
            }
            w.Complete();
        }
        return TokenShard.Open(path);
    }

    private static int[] Run(int start, int count) => Enumerable.Range(start, count).ToArray();

    [TestMethod]
    public void Pack_Sentences_FillsWithoutCrossingDocumentsAndSplitsOnlyLongOnes()
    {
        using var dir = new TempDir();
        using TokenShard shard = Shard(dir,
        [
            [[Run(1, 3), Run(4, 4)], [Run(8, 2), Run(10, 10), []], [Run(20, 1)]],
            [[Run(30, 5)]],
        ]);

        IReadOnlyList<int[]> seqs = SequencePacker.Create(new SequencePackerOptions(8, Cls, Sep)).Pack(shard);

        int[][] expected =
        [
            [Cls, 1, 2, 3, Sep],
            [Cls, 4, 5, 6, 7, 8, 9, Sep],
            [Cls, 10, 11, 12, 13, 14, 15, Sep],
            [Cls, 16, 17, 18, 19, 20, Sep],
            [Cls, 30, 31, 32, 33, 34, Sep],
        ];
        Assert.HasCount(expected.Length, seqs);
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], seqs[i], $"sequence {i}");
        }
    }

    [TestMethod]
    public void Pack_RandomCorpus_KeepsInvariants()
    {
        var rng = new Random(7);
        int next = 1000;
        int[][][][] docs = Enumerable.Range(0, 20).Select(_ =>
            Enumerable.Range(0, rng.Next(0, 4)).Select(_ =>
                Enumerable.Range(0, rng.Next(1, 6)).Select(_ => Run(next += 40, rng.Next(0, 40))).ToArray()).ToArray()).ToArray();
        using var dir = new TempDir();
        using TokenShard shard = Shard(dir, docs);
        SequencePacker packer = SequencePacker.Create(SequencePackerOptions.For(SpecialTokens.BertBaseUncased, 16));

        for (int d = 0; d < docs.Length; d++)
        {
            IReadOnlyList<int[]> seqs = packer.PackDocument(shard, d);
            Assert.IsTrue(seqs.All(s => s.Length <= 16 && s.Length >= 3 && s[0] == Cls && s[^1] == Sep), $"doc {d}");
            int[] bodies = seqs.SelectMany(s => s[1..^1]).ToArray();
            CollectionAssert.AreEqual(docs[d].SelectMany(p => p).SelectMany(s => s).ToArray(), bodies, $"doc {d}");
            Assert.IsTrue(seqs.All(s => !s[1..^1].Contains(Cls) && !s[1..^1].Contains(Sep)));
        }
        CollectionAssert.AreEqual(packer.Pack(shard).SelectMany(s => s).ToArray(), packer.Pack(shard).SelectMany(s => s).ToArray());
    }

    [TestMethod]
    public void Options_MaxLengthBelowThree_ThrowsShowingValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SequencePackerOptions(2, Cls, Sep));
        StringAssert.Contains(e.Message, "got 2");
    }
}

[TestClass]
public sealed class EpochShufflerTests
{
    [TestMethod]
    public void Order_SameSeedAndEpoch_SamePermutation()
    {
        int[] a = new EpochShuffler(42).Order(1000, 3);
        CollectionAssert.AreEqual(a, new EpochShuffler(42).Order(1000, 3));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 1000).ToArray(), a);
    }

    [TestMethod]
    public void Order_DifferentEpochOrSeed_Differs()
    {
        var s = new EpochShuffler(42);
        CollectionAssert.AreNotEqual(s.Order(100, 0), s.Order(100, 1));
        CollectionAssert.AreNotEqual(s.Order(100, 0), new EpochShuffler(43).Order(100, 0));
    }

    [TestMethod]
    public void Order_Pinned_StableAcrossVersions()
    {
        CollectionAssert.AreEqual(PinnedOrder, new EpochShuffler(42).Order(10, 0));
    }

    [TestMethod]
    public void Shuffle_Items_FollowsOrder()
    {
        string[] items = ["a", "b", "c", "d"];
        int[] order = new EpochShuffler(1).Order(4, 2);
        CollectionAssert.AreEqual(order.Select(i => items[i]).ToArray(), new EpochShuffler(1).Shuffle(items, 2).ToArray());
        Assert.IsEmpty(new EpochShuffler(1).Order(0, 0));
    }

    private static readonly int[] PinnedOrder = [5, 1, 4, 8, 6, 3, 9, 2, 0, 7];
}
