using System.Text;
using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class TextFolderReaderTests
{
    [TestMethod]
    public void Read_FolderOfTxtFiles_KeepsDocumentParagraphSentenceStructure()
    {
        using var dir = new TempDir();
        dir.Write("b/second.txt", "Dr. Who arrived. He left.\n\nNew paragraph here.\n");
        dir.Write("a.txt", "One line\ncontinues here. Next one!\n");

        Document[] docs = TextFolderReader.Read(dir.Path).ToArray();

        CollectionAssert.AreEqual(new[] { "a.txt", "b/second.txt" }, docs.Select(d => d.Id).ToArray());
        CollectionAssert.AreEqual(new[] { "One line continues here.", "Next one!" }, docs[0].Paragraphs.Single().Sentences.ToArray());
        Assert.HasCount(2, docs[1].Paragraphs);
        CollectionAssert.AreEqual(new[] { "Dr. Who arrived.", "He left." }, docs[1].Paragraphs[0].Sentences.ToArray());
        CollectionAssert.AreEqual(new[] { "New paragraph here." }, docs[1].Paragraphs[1].Sentences.ToArray());
        Assert.IsNull(docs[0].Title);
    }

    [TestMethod]
    public void Read_EmptyAndBlankFiles_YieldNoDocuments()
    {
        using var dir = new TempDir();
        dir.Write("empty.txt", "");
        dir.Write("blank.txt", "  \n\t\n\r\n");

        Assert.IsEmpty(TextFolderReader.Read(dir.Path).ToArray());
    }

    [TestMethod]
    public void Read_NoTrailingNewlineAndCrLf_ReadsLastLine()
    {
        using var dir = new TempDir();
        dir.Write("x.txt", "First para.\r\n\r\nLast line without newline");

        Document doc = TextFolderReader.Read(dir.Path).Single();

        Assert.HasCount(2, doc.Paragraphs);
        Assert.AreEqual("Last line without newline", doc.Paragraphs[1].Sentences.Single());
    }

    [TestMethod]
    public void Read_Utf8BomAndNonAscii_DecodesText()
    {
        using var dir = new TempDir();
        dir.WriteBytes("bom.txt", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("Café naïve — ok.")]);

        Assert.AreEqual("Café naïve — ok.", TextFolderReader.Read(dir.Path).Single().Paragraphs[0].Sentences[0]);
    }

    [TestMethod]
    public void Read_InvalidUtf8_ThrowsNamingFileLineAndByteOffset()
    {
        using var dir = new TempDir();
        string path = dir.WriteBytes("bad.txt", [.. Encoding.UTF8.GetBytes("ok line\nab"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("cd\n")]);

        var e = Assert.Throws<CorpusFormatException>(() => TextFolderReader.Read(dir.Path).ToArray());

        Assert.AreEqual(10L, e.ByteOffset);
        Assert.AreEqual(2L, e.LineNumber);
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "byte offset 10");
        StringAssert.Contains(e.Message, "0xC3");
    }

    [TestMethod]
    public void Read_OneMegabyteSingleLine_ReadsWholeLine()
    {
        using var dir = new TempDir();
        string word = "abcdefghi ";
        var text = new StringBuilder();
        while (text.Length < 1 << 20)
        {
            text.Append(word);
        }
        dir.Write("big.txt", text.ToString().TrimEnd() + ".");

        Document doc = TextFolderReader.Read(dir.Path).Single();

        string sentence = doc.Paragraphs.Single().Sentences.Single();
        Assert.AreEqual(text.ToString().TrimEnd() + ".", sentence);
    }

    [TestMethod]
    public void Read_MissingFolder_ThrowsNamingIt()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => TextFolderReader.Read("/no/such/folder-xyz").ToArray());
        StringAssert.Contains(e.Message, "/no/such/folder-xyz");
    }
}

[TestClass]
public sealed class DocumentModelTests
{
    [TestMethod]
    public void Document_EmptyIdEvenViaWith_Throws()
    {
        var doc = new Document("a", null, [new Paragraph(["s"])]);
        Assert.Throws<ArgumentException>(() => new Document(" ", null, []));
        Assert.Throws<ArgumentException>(() => doc with { Id = "" });
        Assert.Throws<ArgumentException>(() => new Paragraph([]));
        Assert.AreEqual(1, doc.SentenceCount);
    }
}
