using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Retrieval;

namespace OnnxPretrain.Evaluation.Tests.Retrieval;

[TestClass]
public sealed class BeirAndTrecReaderTests
{
    [TestMethod]
    public void Read_WellFormedFolder_ReadsCorpusQueriesAndGradedQrels()
    {
        using var dir = new TempDir();
        var data = BeirData.Read(RetrievalFixtures.Write(dir));
        Assert.AreEqual(4, data.Corpus.Count);
        Assert.AreEqual("Heat transfer Heat conduction in composite slabs and cylinders.", data.Corpus[1].Contents);
        Assert.AreEqual("Buckling of thin cylindrical shells under axial compression.", data.Corpus[2].Contents); // empty title: text only
        Assert.AreEqual("heat conduction in composite slabs", data.Queries["q1"]);
        Assert.AreEqual(2, data.Qrels.ByQuery["q1"]["d2"]);
        Assert.AreEqual(0, data.Qrels.ByQuery["q2"]["d1"]);
        CollectionAssert.AreEqual(new[] { "q1", "q2" }, data.JudgedQueryIds.ToArray());
    }

    [TestMethod]
    public void ReadCorpus_MissingTextField_ErrorNamesFileLineAndField()
    {
        using var dir = new TempDir();
        var path = dir.File("corpus.jsonl", "{\"_id\": \"a\", \"text\": \"ok\"}\n{\"_id\": \"b\", \"title\": \"t\"}\n");
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.ReadCorpus(path));
        StringAssert.Contains(e.Message, "corpus.jsonl");
        StringAssert.Contains(e.Message, "2");
        StringAssert.Contains(e.Message, "'text'");
    }

    [TestMethod]
    public void ReadCorpus_BadJsonOrDuplicateId_Throws()
    {
        using var dir = new TempDir();
        var bad = dir.File("bad.jsonl", "{\"_id\": \"a\", \"text\": \n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.ReadCorpus(bad)).Message, "not valid JSON");
        var dup = dir.File("dup.jsonl", "{\"_id\": \"a\", \"text\": \"x\"}\n{\"_id\": \"a\", \"text\": \"y\"}\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.ReadCorpus(dup)).Message, "duplicate _id 'a'");
        var num = dir.File("num.jsonl", "{\"_id\": 7, \"text\": \"x\"}\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.ReadCorpus(num)).Message, "field '_id' is a JSON Number");
    }

    [TestMethod]
    public void ReadQrels_BadHeaderOrScore_ErrorNamesLineAndField()
    {
        using var dir = new TempDir();
        var header = dir.File("h.tsv", "qid\tdocid\trel\nq\td\t1\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.ReadQrels(header)).Message, "header");
        var score = dir.File("s.tsv", "query-id\tcorpus-id\tscore\nq\td\t1\nq\te\thigh\n");
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.ReadQrels(score));
        StringAssert.Contains(e.Message, "'score' is 'high'");
        Assert.AreEqual(3L, e.LineNumber);
        var fields = dir.File("f.tsv", "query-id\tcorpus-id\tscore\nq\td\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.ReadQrels(fields)).Message, "2 tab-separated fields");
    }

    [TestMethod]
    public void Read_QrelsJudgeUnknownDocument_Throws()
    {
        using var dir = new TempDir();
        var path = RetrievalFixtures.Write(dir, "query-id\tcorpus-id\tscore\nq1\tnope\t1\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => BeirData.Read(path)).Message, "'nope'");
    }

    [TestMethod]
    public void Read_MissingFolderOrFile_Throws()
    {
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => BeirData.Read("/nonexistent/beir"));
        using var dir = new TempDir();
        dir.File("corpus.jsonl", RetrievalFixtures.Corpus[0]);
        Assert.ThrowsExactly<FileNotFoundException>(() => BeirData.Read(dir.Path));
    }

    [TestMethod]
    public void TrecRun_WriteThenRead_RoundTripsInTrecOrder()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "run.trec");
        var run = new Dictionary<string, IReadOnlyList<ScoredDoc>>
        {
            ["q1"] = [new("a", 0.25), new("b", 1.5), new("c", 0.25)], ["q2"] = [new("z", -3.125)],
        };
        TrecRun.Write(path, run, "test");
        var lines = File.ReadAllLines(path);
        CollectionAssert.AreEqual(new[] { "q1 Q0 b 1 1.5 test", "q1 Q0 c 2 0.25 test", "q1 Q0 a 3 0.25 test", "q2 Q0 z 1 -3.125 test" }, lines);
        var back = TrecRun.Read(path);
        CollectionAssert.AreEqual(new ScoredDoc[] { new("b", 1.5), new("c", 0.25), new("a", 0.25) }, back["q1"].ToArray());
    }

    [TestMethod]
    public void TrecRun_Malformed_ErrorNamesLineAndField()
    {
        using var dir = new TempDir();
        var fields = dir.File("f.trec", "q1 Q0 a 1 0.5 tag\nq1 Q0 b 2 0.4\n");
        var e = Assert.ThrowsExactly<CorpusFormatException>(() => TrecRun.Read(fields));
        Assert.AreEqual(2L, e.LineNumber);
        StringAssert.Contains(e.Message, "5 fields");
        var score = dir.File("s.trec", "q1 Q0 a 1 high tag\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => TrecRun.Read(score)).Message, "'score' is 'high'");
        var dup = dir.File("d.trec", "q1 Q0 a 1 1 t\nq1 Q0 a 2 0.5 t\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => TrecRun.Read(dup)).Message, "second time");
        var rank = dir.File("r.trec", "q1 Q0 a first 1 t\n");
        StringAssert.Contains(Assert.ThrowsExactly<CorpusFormatException>(() => TrecRun.Read(rank)).Message, "'rank' is 'first'");
    }
}
