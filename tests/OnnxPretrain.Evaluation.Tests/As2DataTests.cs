using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Tests;

[TestClass]
public sealed class As2DataTests
{
    private const string Header = "qid\tquestion\tcandidate\tlabel\n";

    [TestMethod]
    public void Read_InterleavedQids_GroupsInFirstAppearanceOrder()
    {
        using var dir = new TempDir();
        string path = dir.File("a.tsv", Header + "q2\twho\tx one\t0\nq1\twhat\ty two\t1\nq2\twho\tz three\t1\n");
        As2Dataset data = As2Data.Read(path);
        Assert.AreEqual(3, data.Pairs.Count);
        Assert.IsFalse(data.HasScores);
        CollectionAssert.AreEqual(new[] { "q2", "q1" }, data.Questions.Select(q => q.QuestionId).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 2 }, data.Questions[0].Candidates.Select(c => c.Row).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 4 }, data.Questions[0].Candidates.Select(c => c.LineNumber).ToArray());
        Assert.IsTrue(data.Questions[1].HasPositive);
        Assert.IsNull(data.Pairs[0].Score);
    }

    [TestMethod]
    public void Read_ScoreColumnAndCrlf_ParsesScores()
    {
        using var dir = new TempDir();
        string path = dir.File("s.tsv", "qid\tquestion\tcandidate\tlabel\tscore\r\nq\tw\ta\t1\t-1.5\r\nq\tw\tb\t0\t3e-2\r\n");
        As2Dataset data = As2Data.Read(path);
        Assert.IsTrue(data.HasScores);
        CollectionAssert.AreEqual(new[] { -1.5, 0.03 }, data.Scores());
        Assert.AreEqual("a", data.Pairs[0].Candidate);
    }

    [TestMethod]
    public void Scores_FileWithoutScoreColumn_Throws()
    {
        using var dir = new TempDir();
        As2Dataset data = As2Data.Read(dir.File("a.tsv", Header + "q\tw\ta\t1\n"));
        Assert.ThrowsExactly<InvalidOperationException>(() => data.Scores());
    }

    [TestMethod]
    [DataRow("qid\tquestion\tanswer\tlabel\nq\tw\ta\t1\n", 1, "not an AS2 header")]
    [DataRow("", 1, "the file is empty")]
    [DataRow(Header, 2, "no data rows")]
    [DataRow(Header + "q\tw\ta\t1\n\nq\tw\tb\t0\n", 3, "empty line")]
    [DataRow(Header + "q\tw\ta\t1\nq\tw\tb\n", 3, "3 tab-separated fields")]
    [DataRow(Header + "q\tw\ta\t1\nq\tw\tb\t2\n", 3, "label '2' is not 0 or 1")]
    [DataRow(Header + "q\tw\t \t1\n", 2, "column 'candidate' is empty")]
    [DataRow(Header + "q\tw\ta\t1\nq\tother\tb\t0\n", 3, "line 2 gave it 'w'")]
    [DataRow("qid\tquestion\tcandidate\tlabel\tscore\nq\tw\ta\t1\tabc\n", 2, "score 'abc' is not a number")]
    [DataRow("qid\tquestion\tcandidate\tlabel\tscore\nq\tw\ta\t1\tNaN\n", 2, "score 'NaN' is not a number")]
    public void Read_MalformedFile_ThrowsNamingFileLineAndValue(string content, int line, string detail)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.tsv", content);
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => As2Data.Read(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, $"line {line}:");
        StringAssert.Contains(e.Message, detail);
        Assert.AreEqual(line, e.LineNumber);
    }

    [TestMethod]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "none.tsv");
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => As2Data.Read(path));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void SplitPath_NameWithSeparator_Throws() =>
        Assert.ThrowsExactly<ArgumentException>(() => As2Data.SplitPath("data", "../test"));

    [TestMethod]
    [DataRow("train", 873, 8672)]
    [DataRow("dev", 126, 1130)]
    [DataRow("test", 243, 2351)]
    public void Read_WikiQaSplit_HasPublishedCounts(string split, int questions, int pairs)
    {
        As2Dataset data = As2Data.Read(WikiQa.Split(split));
        Assert.AreEqual(questions, data.Questions.Count);
        Assert.AreEqual(pairs, data.Pairs.Count);
        Assert.IsTrue(data.Questions.All(q => q.HasPositive));
    }
}
