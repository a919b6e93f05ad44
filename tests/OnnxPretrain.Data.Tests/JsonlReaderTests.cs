using System.Text;
using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class JsonlReaderTests
{
    [TestMethod]
    public void Read_IdTitleText_SplitsParagraphsAndSentences()
    {
        using var dir = new TempDir();
        string path = dir.Write("c.jsonl",
            "{\"id\":\"d1\",\"title\":\"T\",\"text\":\"Mr. Ames met Bo. They spoke.\\n\\nSecond para.\"}\n"
            + "\n"
            + "{\"_id\":\"beir-7\",\"text\":\"BEIR style.\",\"metadata\":{}}");

        Document[] docs = JsonlReader.Read(path).ToArray();

        Assert.HasCount(2, docs);
        Assert.AreEqual("d1", docs[0].Id);
        Assert.AreEqual("T", docs[0].Title);
        CollectionAssert.AreEqual(new[] { "Mr. Ames met Bo.", "They spoke." }, docs[0].Paragraphs[0].Sentences.ToArray());
        Assert.AreEqual("Second para.", docs[0].Paragraphs[1].Sentences.Single());
        Assert.AreEqual("beir-7", docs[1].Id);
        Assert.IsNull(docs[1].Title);
    }

    [TestMethod]
    public void Read_EmptyFile_YieldsNoDocuments()
    {
        using var dir = new TempDir();
        Assert.IsEmpty(JsonlReader.Read(dir.Write("e.jsonl", "")).ToArray());
    }

    [TestMethod]
    public void Read_EmptyText_KeepsDocumentWithNoParagraphs()
    {
        using var dir = new TempDir();
        Document doc = JsonlReader.Read(dir.Write("e.jsonl", "{\"id\":5,\"text\":\"\"}")).Single();
        Assert.AreEqual("5", doc.Id);
        Assert.IsEmpty(doc.Paragraphs);
    }

    [TestMethod]
    public void Read_InvalidJson_ThrowsNamingFileAndLine()
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":}\n");

        var e = Assert.Throws<CorpusFormatException>(() => JsonlReader.Read(path).ToArray());

        Assert.AreEqual(2L, e.LineNumber);
        Assert.IsGreaterThanOrEqualTo(23L, e.ByteOffset!.Value);
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void Read_MissingText_ThrowsNamingField()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<CorpusFormatException>(() => JsonlReader.Read(dir.Write("m.jsonl", "{\"id\":\"a\"}")).ToArray());
        StringAssert.Contains(e.Message, "\"text\"");
        Assert.AreEqual(1L, e.LineNumber);
    }

    [TestMethod]
    public void Read_DuplicateId_ThrowsNamingBothLines()
    {
        using var dir = new TempDir();
        string path = dir.Write("d.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"a\",\"text\":\"y\"}\n");
        var e = Assert.Throws<CorpusFormatException>(() => JsonlReader.Read(path).ToArray());
        StringAssert.Contains(e.Message, "line 1");
        Assert.AreEqual(2L, e.LineNumber);
    }

    [TestMethod]
    public void Read_NonUtf8Byte_ThrowsWithByteOffset()
    {
        using var dir = new TempDir();
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"id\":\"a\",\"text\":\"x"), 0xFF, .. Encoding.UTF8.GetBytes("\"}\n")];
        string path = dir.WriteBytes("u.jsonl", bytes);

        var e = Assert.Throws<CorpusFormatException>(() => JsonlReader.Read(path).ToArray());

        Assert.AreEqual(19L, e.ByteOffset);
        StringAssert.Contains(e.Message, "0xFF");
    }

    [TestMethod]
    public void Read_OneMegabyteRecordWithoutTrailingNewline_Reads()
    {
        using var dir = new TempDir();
        string text = string.Concat(Enumerable.Repeat("Word one. ", 110_000)).TrimEnd();
        string path = dir.Write("big.jsonl", "{\"id\":\"big\",\"text\":\"" + text + "\"}");

        Document doc = JsonlReader.Read(path).Single();

        Assert.HasCount(110_000, doc.Paragraphs.Single().Sentences);
    }
}
