using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Summarization;

namespace OnnxPretrain.Evaluation.Tests.Summarization;

[TestClass]
public sealed class SummarizationDataTests
{
    [TestMethod]
    public void Read_ValidFile_ReturnsExamplesWithOptionalReferences()
    {
        using var dir = new TempDir();
        string path = dir.File("test.jsonl",
            "{\"id\": \"a\", \"document\": \"Body one.\", \"summary\": \"Subj\", \"references\": [\"r1\", \"r2\"]}\n" +
            "{\"id\": \"b\", \"document\": \"\", \"summary\": \"S2\"}\n");
        var examples = SummarizationData.Read(path);
        Assert.AreEqual(2, examples.Count);
        Assert.AreEqual("Body one.", examples[0].Document);
        CollectionAssert.AreEqual(new[] { "r1", "r2" }, examples[0].References!.ToArray());
        Assert.IsNull(examples[1].References);
        Assert.AreEqual(2, examples[1].Line);
    }

    [TestMethod]
    [DataRow("{\"id\": \"b\", \"document\": \"d\"}", "field 'summary' is missing")]
    [DataRow("{\"id\": \"b\", \"document\": \"d\", \"summary\": 3}", "field 'summary' is a JSON Number")]
    [DataRow("{\"id\": \"b\", \"document\": \"d\", \"summary\": \"s\", \"extra\": 1}", "unknown field 'extra'")]
    [DataRow("{\"id\": \"a\", \"document\": \"d\", \"summary\": \"s\"}", "duplicate id 'a'")]
    [DataRow("{\"id\": \"b\", \"document\": \"d\", \"summary\": \"s\", \"references\": [\"x\", 2]}", "field 'references[1]'")]
    [DataRow("{\"id\": \"b\", \"document\": \"d\", \"summary\": \"s\", \"references\": []}", "field 'references'")]
    [DataRow("{\"id\": \"\", \"document\": \"d\", \"summary\": \"s\"}", "field 'id' is empty")]
    [DataRow("{\"id\": \"b\", ", "invalid JSON")]
    [DataRow("", "empty line")]
    public void Read_BadSecondLine_ThrowsNamingFileLineAndField(string line, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.jsonl", "{\"id\": \"a\", \"document\": \"d\", \"summary\": \"s\"}\n" + line + "\n");
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => SummarizationData.Read(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "line 2");
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void ReadPredictions_DuplicateId_Throws()
    {
        using var dir = new TempDir();
        string path = dir.File("p.jsonl", "{\"id\": \"a\", \"prediction\": \"x\"}\n{\"id\": \"a\", \"prediction\": \"y\"}\n");
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => SummarizationData.ReadPredictions(path));
        StringAssert.Contains(e.Message, "line 2");
    }

    [TestMethod]
    public void SplitPath_PathSeparator_Throws() =>
        Assert.ThrowsExactly<ArgumentException>(() => SummarizationData.SplitPath("/data", "../test"));

    [TestMethod]
    public void Lead1_SeveralLinesAndSentences_ReturnsFirstSentenceOfFirstNonBlankLine()
    {
        Assert.AreEqual("Hello Mr. Smith, see you at 3 p.m. today.",
            LeadBaseline.Lead1("\n  \nHello Mr. Smith, see you at 3 p.m. today. How are you?\nSecond line."));
        Assert.AreEqual("Thanks,", LeadBaseline.Lead1("Thanks,\nJohn"));
        Assert.AreEqual("", LeadBaseline.Lead1(" \n\t"));
    }
}
