using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class DefaultCorpusTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("brown/ca10", true)]
    [DataRow("brown/cr09", false)]
    [DataRow("brown/ca01", false)]
    [DataRow("sotu/1790_george_washington_n", true)]
    [DataRow("sotu/1791_george_washington_n", false)]
    [DataRow("sotu/2020_donald_j_trump_r", true)]
    [DataRow("other/ca10", false)]
    public void IsValidation_FixedRule(string id, bool expected)
    {
        Assert.AreEqual(expected, DefaultCorpus.IsValidation(id));
    }

    [TestMethod]
    public void Load_DefaultCorpus_HasExpectedCountsAndDisjointSplit()
    {
        CorpusSplit split = SharedData.DefaultCorpusSplit();
        Document[] all = [.. split.Train, .. split.Validation];

        Assert.AreEqual((668, 65), (split.Train.Count, split.Validation.Count));
        Assert.AreEqual(500, all.Count(d => d.Id.StartsWith("brown/", StringComparison.Ordinal)));
        Assert.AreEqual(233, all.Count(d => d.Id.StartsWith("sotu/", StringComparison.Ordinal)));
        Assert.AreEqual(all.Length, all.Select(d => d.Id).Distinct().Count());
        Assert.IsTrue(split.Validation.All(d => DefaultCorpus.IsValidation(d.Id)));
        Assert.AreEqual(
            "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced \"no evidence\" that " +
                "any irregularities took place.",
            split.Train[0].Paragraphs[0].Sentences[0]);
        Assert.AreEqual("news", split.Train[0].Title);
        TestContext.WriteLine($"paragraphs {all.Sum(d => d.Paragraphs.Count)}, sentences {all.Sum(d => d.SentenceCount)}");
    }

    [TestMethod]
    public void BuildOrOpen_FullCorpus_ReportsThroughputAndPacks()
    {
        CorpusSplit split = SharedData.DefaultCorpusSplit();
        TextTokenizer tok = SharedData.BertBaseUncased();
        using var dir = new TempDir();

        TokenShardBuildResult built = TokenShardBuilder.BuildOrOpen(Path.Combine(dir.Path, "train.shard"), split.Train, tok);
        using TokenShard shard = built.Shard;
        TestContext.WriteLine($"{built.Stats} tokens/s {built.Stats.TokensPerSecond:F0}");
        IReadOnlyList<int[]> seqs = SequencePacker.Create(SequencePackerOptions.For(tok.Specials, 128)).Pack(shard);

        Assert.IsGreaterThan(2_000_000L, built.Stats.Tokens);
        Assert.IsTrue(seqs.All(s => s.Length <= 128 && s[0] == 101 && s[^1] == 102));
        Assert.AreEqual(shard.TokenCount, seqs.Sum(s => (long)s.Length - 2));
        TestContext.WriteLine($"sequences of ≤128: {seqs.Count}");
    }
}
