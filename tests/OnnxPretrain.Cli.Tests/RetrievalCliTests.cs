using System.Diagnostics;
using System.Text.Json.Nodes;
using OnnxPretrain.Training.Tests;

namespace OnnxPretrain.Cli.Tests;

[TestClass]
public sealed class RetrievalCliTests
{
    private static Process Start(params string[] args) => CliProcess.Start(args);

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliProcess.Run(args);

    /// <summary>A 6-document BEIR folder over the fixture's vocabulary: query i is about word pair i, judged relevant to doc i (grade 2)
    /// and doc i+4 (grade 1, queries 0-1).</summary>
    private static string WriteBeir(string root)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "beir")).FullName;
        string[] topics = ["cat mat", "dog park", "red ball", "big tree"];
        var docs = topics.Select((t, i) => $$"""{"_id": "d{{i}}", "title": "{{t}}", "text": "the {{t}} sat in the sun"}""")
            .Concat(["""{"_id": "d4", "title": "", "text": "a cat on a mat and a dog"}""",
                """{"_id": "d5", "title": "", "text": "we saw a dog ran to the park"}"""]);
        File.WriteAllLines(Path.Combine(dir, "corpus.jsonl"), docs);
        File.WriteAllLines(Path.Combine(dir, "queries.jsonl"), topics.Select((t, i) => $$"""{"_id": "q{{i}}", "text": "where is the {{t}}"}"""));
        Directory.CreateDirectory(Path.Combine(dir, "qrels"));
        File.WriteAllLines(Path.Combine(dir, "qrels", "test.tsv"),
            ["query-id\tcorpus-id\tscore", "q0\td0\t2", "q0\td4\t1", "q1\td1\t2", "q1\td5\t1", "q2\td2\t2", "q3\td3\t2"]);
        return dir;
    }

    [TestMethod]
    public void EvaluateRetrieval_RunFile_ScoresAgainstQrelsAndWritesOutputs()
    {
        var root = Directory.CreateTempSubdirectory("onnxpretrain-retrieval-").FullName;
        var data = WriteBeir(root);
        // q0: d4 (grade 1) above d0 (grade 2); q1: perfect; q2: nothing relevant retrieved; q3: no run at all.
        var run = Path.Combine(root, "run.trec");
        File.WriteAllLines(run, ["q0 Q0 d4 1 2.0 x", "q0 Q0 d0 2 1.0 x", "q1 Q0 d1 1 5 x", "q1 Q0 d5 2 4 x", "q2 Q0 d3 1 1 x"]);
        var (code, stdout, stderr) = Cli("evaluate", "retrieval", "--data", data, "--run", run, "--out", Path.Combine(root, "out"));
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        // q0 nDCG = (1 + 2/log2 3) / (2 + 1/log2 3) = 2.261860 / 2.630930 = 0.859719; q1 = 1; q2 = q3 = 0 -> mean 0.464930.
        Assert.AreEqual(0.4649, (double)json["metrics"]!["ndcg@10"]!, 1e-4);
        Assert.AreEqual(0.5, (double)json["metrics"]!["mrr@10"]!, 1e-9); // (1 + 1 + 0 + 0) / 4
        Assert.AreEqual(0.5, (double)json["metrics"]!["recall@100"]!, 1e-9);
        Assert.AreEqual(0.5, (double)json["metrics"]!["map@100"]!, 1e-9); // q0 AP = (1 + 2/2)/2 = 1
        Assert.AreEqual(4, (int)json["queries"]!["judged"]!);
        Assert.AreEqual(1, (int)json["queries"]!["without_run"]!);
        StringAssert.Contains(File.ReadAllText(Path.Combine(root, "out", "retrieval.md")), "| run.trec | 0.4649 |");
        Assert.AreEqual(5, File.ReadAllLines(Path.Combine(root, "out", "run.trec")).Length);
        var perQuery = File.ReadAllLines(Path.Combine(root, "out", "per_query.tsv"));
        CollectionAssert.AreEqual(new[] { "q0\t0.8597\t1.0000\t1.0000\t1.0000\t2\t2", "q3\t0.0000\t0.0000\t0.0000\t0.0000\t0\t1" },
            new[] { perQuery[1], perQuery[4] });
    }

    [TestMethod]
    public void EvaluateRetrieval_Bm25_FindsEachTopicDocument()
    {
        var root = Directory.CreateTempSubdirectory("onnxpretrain-retrieval-").FullName;
        var (code, stdout, stderr) = Cli("evaluate", "retrieval", "--data", WriteBeir(root), "--retriever", "bm25", "--out", Path.Combine(root, "out"));
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.AreEqual(1.0, (double)json["metrics"]!["mrr@10"]!, 1e-9);
        Assert.AreEqual(1.0, (double)json["metrics"]!["recall@100"]!, 1e-9);
        Assert.IsGreaterThan(0.0, (double)json["timings"]!["corpus_docs_per_s"]!);
        StringAssert.StartsWith(File.ReadAllLines(Path.Combine(root, "out", "run.trec"))[0], "q0 Q0 d0 1 ");
    }

    [TestMethod]
    public void BenchRetrieval_Bm25_PrintsOneJsonLineOfSpeedFigures()
    {
        var root = Directory.CreateTempSubdirectory("onnxpretrain-bench-ret-").FullName;
        var (code, stdout, stderr) = Cli("bench", "retrieval", "--data", WriteBeir(root), "--retriever", "bm25");
        Assert.AreEqual(0, code, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, stdout);
        var json = JsonNode.Parse(lines[0])!.AsObject();
        Assert.AreEqual("retrieval", (string)json["bench"]!);
        Assert.IsGreaterThan(0.0, (double)json["corpus_docs_per_s"]!);
        Assert.IsGreaterThanOrEqualTo(0.0, (double)json["query_latency_ms_mean"]!);
        Assert.IsTrue(json.ContainsKey("ndcg@10"));
    }

    [TestMethod]
    public void EvaluateRetrieval_BadInput_FailsWithMessage()
    {
        var root = Directory.CreateTempSubdirectory("onnxpretrain-retrieval-").FullName;
        var data = WriteBeir(root);
        var run = Path.Combine(root, "bad.trec");
        File.WriteAllLines(run, ["q0 Q0 d0 1 1.0 x", "q0 Q0 d1 2 oops x"]);
        var (code, _, stderr) = Cli("evaluate", "retrieval", "--data", data, "--run", run);
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "bad.trec");
        StringAssert.Contains(stderr, "'score' is 'oops'");
        (code, _, stderr) = Cli("evaluate", "retrieval", "--data", data, "--retriever", "dense");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "needs --model");
    }

    [TestMethod]
    public void Help_RetrievalCommands_DescribeThemselves()
    {
        foreach (var command in new[] { "evaluate retrieval", "finetune rerank" })
        {
            var (code, stdout, _) = Cli([.. command.Split(' '), "--help"]);
            Assert.AreEqual(0, code, command);
            StringAssert.Contains(stdout, "--data");
        }
    }

    [TestMethod]
    public void TrainingPairs_HardestTakesTheTopNonRelevant_RandomSamplesTheWholeList()
    {
        var data = OnnxPretrain.Evaluation.Retrieval.BeirData.Read(WriteBeir(Directory.CreateTempSubdirectory("onnxpretrain-retrieval-").FullName));
        // q2's BM25 list: d2 (relevant) then five non-relevant documents, best first.
        var list = new[] { "d2", "d0", "d1", "d3", "d4", "d5" }.Select((d, i) => new OnnxPretrain.Evaluation.Retrieval.ScoredDoc(d, 10 - i)).ToList();
        var firstStage = new Dictionary<string, IReadOnlyList<OnnxPretrain.Evaluation.Retrieval.ScoredDoc>> { ["q2"] = list };
        string Doc(string id) => data.Corpus.Single(d => d.Id == id).Contents;

        var hardest = FineTuning.FineTuneRerank.TrainingPairs(data, ["q2"], firstStage, 2, FineTuning.NegativeSampling.Hardest);
        CollectionAssert.AreEqual(new[] { Doc("d2"), Doc("d0"), Doc("d1") }, hardest.Select(p => p.B).ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 0, 0 }, hardest.Select(p => p.Label).ToArray());

        // Random: 2 distinct non-relevant documents per draw; over seeds every non-relevant document is drawn, d2 never as a negative.
        var drawn = new HashSet<string>();
        for (int seed = 0; seed < 50; seed++)
        {
            var pairs = FineTuning.FineTuneRerank.TrainingPairs(data, ["q2"], firstStage, 2, FineTuning.NegativeSampling.Random, seed);
            Assert.AreEqual(3, pairs.Count);
            var negatives = pairs.Where(p => p.Label == 0).Select(p => p.B).ToList();
            Assert.AreEqual(2, negatives.Distinct().Count());
            drawn.UnionWith(negatives);
        }
        CollectionAssert.AreEquivalent(new[] { "d0", "d1", "d3", "d4", "d5" }.Select(Doc).ToArray(), drawn.ToArray());
        Assert.AreEqual(6, FineTuning.FineTuneRerank.TrainingPairs(data, ["q2"], firstStage, 9, FineTuning.NegativeSampling.Random,
            1).Count, "capped by the list");
    }

    [TestMethod]
    public void FinetuneRerank_TwoFoldsOnFixture_ReportsEachFoldAndTheMean()
    {
        var recipe = Fixture.Create(steps: 2);
        var root = Path.GetDirectoryName(recipe)!;
        var (code, stdout, stderr) = Cli("finetune", "rerank", "--recipe", recipe, "--data", WriteBeir(root), "--folds", "2", "--epochs", "1",
            "--batch", "4", "--max-length", "32", "--negatives", "1", "--out", Path.Combine(root, "ft"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        var folds = json["per_fold"]!.AsArray();
        Assert.AreEqual(2, folds.Count);
        Assert.AreEqual(4, folds.Sum(f => (int)f!["test_queries"]!));
        foreach (var f in folds) Assert.AreEqual(2, (int)f!["train_queries"]!);
        var perFold = folds.Select(f => (double)f!["metrics"]!["rerank"]!["ndcg@10"]!).ToArray();
        Assert.AreEqual(perFold.Average(), (double)json["mean_over_folds"]!["rerank"]!["ndcg@10"]!, 1e-4);
        Assert.AreEqual(Math.Abs(perFold[0] - perFold[1]) / Math.Sqrt(2), (double)json["std_over_folds"]!["rerank"]!["ndcg@10"]!, 1e-4);
        Assert.IsTrue(File.Exists(Path.Combine(root, "ft", "fold-2", "export", "model.onnx")));
        StringAssert.Contains(File.ReadAllText(Path.Combine(root, "ft", "rerank_report.md")), "| mean | 4 | bm25 |");
    }

    [TestMethod]
    public void FinetuneRerank_WithDenseModel_AlsoReranksHybrid_WhoseFirstStageEqualsEvaluateRetrievalHybrid()
    {
        var recipe = Fixture.Create(steps: 2);
        var root = Path.GetDirectoryName(recipe)!;
        var data = WriteBeir(root);
        var (code, _, stderr) = Cli("pretrain", "--recipe", recipe, "--out", Path.Combine(root, "run"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var dense = Path.Combine(root, "dense");
        (code, _, stderr) = Cli("export", "--recipe", recipe, "--checkpoint", Path.Combine(root, "run", "checkpoint-2"), "--out", dense);
        Assert.AreEqual(0, code, stderr);
        (code, var hybridOut, stderr) = Cli("evaluate", "retrieval", "--data", data, "--retriever", "hybrid", "--model", dense);
        Assert.AreEqual(0, code, stderr);
        string stdout;
        (code, stdout, stderr) = Cli("finetune", "rerank", "--recipe", recipe, "--data", data, "--folds", "2", "--epochs", "1", "--batch", "4",
            "--max-length", "32", "--negatives", "1", "--dense-model", dense, "--out", Path.Combine(root, "ft"), "--threads", "1");
        Assert.AreEqual(0, code, stderr);
        var mean = JsonNode.Parse(stdout)!["mean_over_folds"]!;
        // Two folds of 2 queries each: the mean over folds equals the mean over the 4 queries.
        Assert.AreEqual((double)JsonNode.Parse(hybridOut)!["metrics"]!["ndcg@10"]!, (double)mean["hybrid"]!["ndcg@10"]!, 1e-4);
        Assert.IsNotNull(mean["rerank_hybrid"]?["ndcg@10"]);
        Assert.IsTrue(File.Exists(Path.Combine(root, "ft", "fold-1", "run-hybrid.trec")));

        // evaluate retrieval re-ranks the hybrid list too: the same documents, so the same Recall@100 as hybrid's.
        (code, stdout, stderr) = Cli("evaluate", "retrieval", "--data", data, "--retriever", "rerank", "--model", Path.Combine(root, "ft", "fold-1", "export"),
            "--first-stage", "hybrid", "--dense-model", dense, "--max-length", "32");
        Assert.AreEqual(0, code, stderr);
        var rerank = JsonNode.Parse(stdout)!;
        Assert.AreEqual("hybrid", (string)rerank["timings"]!["first_stage"]!);
        Assert.AreEqual((double)JsonNode.Parse(hybridOut)!["metrics"]!["recall@100"]!, (double)rerank["metrics"]!["recall@100"]!, 1e-9);
    }
}
