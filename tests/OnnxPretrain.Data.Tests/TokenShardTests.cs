using System.Buffers.Binary;
using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class TokenShardTests
{
    private static readonly string Fp1 = new('a', 64);
    private static readonly string Fp2 = new('b', 64);

    /// <summary>doc0: [[1,2,3],[4]] [[],[5,6]]; doc1: no paragraphs; doc2: [[7]].</summary>
    internal static string WriteSample(string path, int vocab = 10)
    {
        using TokenShardWriter w = TokenShardWriter.Create(path, vocab, Fp1, Fp2);
        w.BeginDocument();
        w.BeginParagraph();
        w.AddSentence([1, 2, 3]);
        w.AddSentence([4]);
        w.BeginParagraph();
        w.AddSentence([]);
        w.AddSentence([5, 6]);
        w.BeginDocument();
        w.BeginDocument();
        w.BeginParagraph();
        w.AddSentence([7]);
        return w.Complete();
    }

    [TestMethod]
    public void WriteThenOpen_Sample_RoundTripsStructureAndIds()
    {
        using var dir = new TempDir();
        using TokenShard shard = TokenShard.Open(WriteSample(Path.Combine(dir.Path, "s.shard")));

        Assert.AreEqual((3, 3, 5, 7L, 10), (shard.DocumentCount, shard.ParagraphCount, shard.SentenceCount, shard.TokenCount, shard.VocabSize));
        Assert.AreEqual((Fp1, Fp2), (shard.TokenizerFingerprint, shard.CorpusFingerprint));
        Assert.AreEqual(new IndexRange(0, 2), shard.GetDocumentParagraphs(0));
        Assert.AreEqual(new IndexRange(2, 0), shard.GetDocumentParagraphs(1));
        Assert.AreEqual(new IndexRange(4, 1), shard.GetDocumentSentences(2));
        Assert.AreEqual(new IndexRange(2, 2), shard.GetParagraphSentences(1));
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, shard.GetSentence(0).ToArray());
        Assert.IsTrue(shard.GetSentence(2).IsEmpty);
        CollectionAssert.AreEqual(new[] { 5, 6, 7 }, shard.GetTokens(4, 3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.GetSentence(5));
    }

    [TestMethod]
    public void AddSentence_IdOutsideVocab_ThrowsNamingPosition()
    {
        using var dir = new TempDir();
        using TokenShardWriter w = TokenShardWriter.Create(Path.Combine(dir.Path, "x.shard"), 10, Fp1, Fp2);
        w.BeginDocument();
        w.BeginParagraph();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => w.AddSentence([1, 10]));
        StringAssert.Contains(e.Message, "position 1");
    }

    [TestMethod]
    [DataRow(0, "OPSHARE\0", 0L, "magic")]
    [DataRow(8, "\u0002", 8L, "is 2, expected 1")]
    [DataRow(160, "\u0063", 160L, "id 99")]
    public void Open_CorruptedByte_ThrowsNamingFileAndOffset(int offset, string bytes, long expectedOffset, string expected)
    {
        using var dir = new TempDir();
        string path = WriteSample(Path.Combine(dir.Path, "c.shard"));
        byte[] data = File.ReadAllBytes(path);
        for (int i = 0; i < bytes.Length; i++)
        {
            data[offset + i] = (byte)bytes[i];
        }
        File.WriteAllBytes(path, data);

        var e = Assert.Throws<CorpusFormatException>(() => TokenShard.Open(path));

        Assert.AreEqual(expectedOffset, e.ByteOffset);
        StringAssert.Contains(e.Message, expected);
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void Open_Truncated_ThrowsSayingTruncated()
    {
        using var dir = new TempDir();
        string path = WriteSample(Path.Combine(dir.Path, "t.shard"));
        byte[] data = File.ReadAllBytes(path);
        File.WriteAllBytes(path, data[..^8]);

        var e = Assert.Throws<CorpusFormatException>(() => TokenShard.Open(path));

        StringAssert.Contains(e.Message, "truncated");
        File.WriteAllBytes(path, data[..100]);
        Assert.AreEqual(100L, Assert.Throws<CorpusFormatException>(() => TokenShard.Open(path)).ByteOffset);
    }

    [TestMethod]
    public void Open_NonMonotoneSentenceIndex_ThrowsNamingEntryOffset()
    {
        using var dir = new TempDir();
        string path = WriteSample(Path.Combine(dir.Path, "i.shard"));
        byte[] data = File.ReadAllBytes(path);
        long sentencesAt = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(80));
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan((int)sentencesAt + 16), 1); // entry 2 < entry 1 (3)
        File.WriteAllBytes(path, data);

        var e = Assert.Throws<CorpusFormatException>(() => TokenShard.Open(path));

        Assert.AreEqual(sentencesAt + 16, e.ByteOffset);
        StringAssert.Contains(e.Message, "sentence index");
    }

    [TestMethod]
    public void BuildOrOpen_SecondRun_ReusesAndCorpusChange_Rebuilds()
    {
        using var dir = new TempDir();
        TextTokenizer tok = TextTokenizer.CreateGpt2();
        string path = Path.Combine(dir.Path, "corpus.shard");
        Document[] docs = [new("d1", null, [new Paragraph(["Hello world.", "Second sentence here."])]), new("d2", "t", [new Paragraph(["Third."])])];

        TokenShardBuildResult first = TokenShardBuilder.BuildOrOpen(path, docs, tok);
        int[] firstSentence = first.Shard.GetSentence(0).ToArray();
        first.Shard.Dispose();
        TokenShardBuildResult second = TokenShardBuilder.BuildOrOpen(path, docs, tok);
        second.Shard.Dispose();
        Document[] changed = [docs[0], docs[1] with { Paragraphs = [new Paragraph(["Changed."])] }];
        using TokenShard third = TokenShardBuilder.BuildOrOpen(path, changed, tok).Shard;

        Assert.IsFalse(first.Stats.Reused);
        Assert.IsGreaterThan(0.0, first.Stats.TokensPerSecond);
        Assert.AreEqual((2, 2, 3), (first.Stats.Documents, first.Stats.Paragraphs, first.Stats.Sentences));
        CollectionAssert.AreEqual(tok.Encode("Hello world.").ToArray(), firstSentence);
        Assert.IsTrue(second.Stats.Reused);
        Assert.AreEqual(first.Stats.Tokens, second.Stats.Tokens);
        CollectionAssert.AreEqual(tok.Encode("Changed.").ToArray(), third.GetSentence(2).ToArray());
    }

    [TestMethod]
    public void BuildOrOpen_CorruptExistingFile_Throws()
    {
        using var dir = new TempDir();
        string path = dir.Write("x.shard", new string('z', 200));
        Assert.Throws<CorpusFormatException>(() => TokenShardBuilder.BuildOrOpen(path, [], TextTokenizer.CreateGpt2()));
    }
}
