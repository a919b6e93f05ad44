using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class BrownReaderTests
{
    [TestMethod]
    public void Detokenize_QuotesAndPunctuation_RestoresSpacing()
    {
        string[] words = ["The", "jury", "said", "``", "no", "evidence", "''", "that", "(", "1", ")", "it", "was", "n't", "Atlanta", "'s", ",", "fine", "."];
        Assert.AreEqual("The jury said \"no evidence\" that (1) it wasn't Atlanta's, fine.", BrownDetokenizer.Detokenize(words));
    }

    [TestMethod]
    public void Detokenize_SingleQuotes_AlternateOpenClose()
    {
        string[] words = ["more", "'", "pro", "'", "letters", "than", "'", "con", "'", "!"];
        Assert.AreEqual("more 'pro' letters than 'con'!", BrownDetokenizer.Detokenize(words));
    }

    [TestMethod]
    public void Detokenize_QuoteAfterComma_AttachesCorrectly()
    {
        string[] words = ["``", "Only", "a", "handful", "''", ",", "the", "jury", "said", ",", "``", "considering", "''", "?"];
        Assert.AreEqual("\"Only a handful\", the jury said, \"considering\"?", BrownDetokenizer.Detokenize(words));
    }

    [TestMethod]
    public void ReadFile_TaggedLines_StripsTagsAfterLastSlashAndGroupsParagraphs()
    {
        using var dir = new TempDir();
        string path = dir.Write("ca01",
            "\n\n\tThe/at Fulton/np-tl County/nn-tl said/vbd ``/`` no/at evidence/nn ''/'' ./.\n"
            + "\tIt/pps wasn't/bedz* 1/2/cd and/or/cc Atlanta's/np$ fault/nn ;/. ;/.\n\n\n"
            + "\tCounts/nns //in minute/nn ?/. ?/.");

        Document doc = BrownReader.ReadFile(path, "ca01", "news")!;

        Assert.AreEqual("news", doc.Title);
        Assert.HasCount(2, doc.Paragraphs);
        CollectionAssert.AreEqual(new[]
        {
            "The Fulton County said \"no evidence\".",
            "It wasn't 1/2 and/or Atlanta's fault;",
        }, doc.Paragraphs[0].Sentences.ToArray());
        Assert.AreEqual("Counts / minute?", doc.Paragraphs[1].Sentences.Single());
    }

    [TestMethod]
    public void ReadFile_TokenWithoutTag_ThrowsNamingFileLineAndOffset()
    {
        using var dir = new TempDir();
        string path = dir.Write("cb01", "\tGood/jj\n\tok/jj broken/ here/rb\n");

        var e = Assert.Throws<CorpusFormatException>(() => BrownReader.ReadFile(path, "cb01"));

        Assert.AreEqual(2L, e.LineNumber);
        Assert.AreEqual(16L, e.ByteOffset);
        StringAssert.Contains(e.Message, "'broken/'");
    }

    [TestMethod]
    public void ReadFile_EmptyFile_ReturnsNull()
    {
        using var dir = new TempDir();
        Assert.IsNull(BrownReader.ReadFile(dir.Write("cc01", ""), "cc01"));
    }

    [TestMethod]
    public void ReadFolder_NltkLayout_UsesCategoriesAndOrder()
    {
        using var dir = new TempDir();
        dir.Write("cb02", "\tB/np ./.\n");
        dir.Write("ca01", "\tA/np ./.\n");
        dir.Write("README", "not a corpus file");
        dir.Write("cats.txt", "ca01 news\ncb02 editorial\n");

        Document[] docs = BrownReader.ReadFolder(dir.Path).ToArray();

        CollectionAssert.AreEqual(new[] { "ca01", "cb02" }, docs.Select(d => d.Id).ToArray());
        CollectionAssert.AreEqual(new[] { "news", "editorial" }, docs.Select(d => d.Title).ToArray());
    }
}

[TestClass]
public sealed class BrownReaderEncodingTests
{
    [TestMethod]
    public void ReadFile_NonUtf8Byte_ThrowsNamingFileAndOffset()
    {
        using var dir = new TempDir();
        string path = dir.WriteBytes("cd01", [.. "\tA/at "u8, 0x92, .. "b/nn\n"u8]);

        var e = Assert.Throws<CorpusFormatException>(() => BrownReader.ReadFile(path, "cd01"));

        Assert.AreEqual(6L, e.ByteOffset);
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "UTF-8");
    }
}
