using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

[TestClass]
public sealed class TrainerTests
{
    private static readonly SessionConfig OneThread = new() { IntraOpThreads = 1 };

    private static PretrainResult Run(string recipePath, string runDir, bool resume = false, Func<long, bool>? stopAfter = null)
    {
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (stopAfter?.Invoke(p.Step) == true) cancel.Cancel(); });
        return Pretraining.Run(Recipe.Load(recipePath), new PretrainOptions(runDir, OneThread, resume, TextWriter.Null, progress, Cancel: cancel.Token));
    }

    [TestMethod]
    public void Run_FixtureCorpus_LogsEvaluatesCheckpointsAndLearns()
    {
        var recipe = Fixture.Create(steps: 12);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        var result = Run(recipe, dir);
        Assert.AreEqual(12, result.Summary.Steps);
        var losses = Fixture.TrainLosses(dir);
        Assert.HasCount(12, losses);
        Assert.IsLessThan(losses[1], losses[12], $"loss {losses[1]} -> {losses[12]}");
        var evals = MetricsLog.Read(Path.Combine(dir, "metrics.jsonl")).Where(o => (string?)o["split"] == "eval").ToList();
        CollectionAssert.AreEqual(new long[] { 4, 8, 12 }, evals.Select(e => (long)e["step"]!).ToArray());
        Assert.IsNotNull(evals[0]["mlm_accuracy"]);
        CollectionAssert.AreEqual(new[] { "checkpoint-10", "checkpoint-12" }, Trainer.Checkpoints(dir).Select(Path.GetFileName).ToArray());
        Assert.AreEqual(12 * 1, Checkpoint.Load(result.Checkpoint).State.DataPosition);
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(0.1f)]
    public void Resume_AfterStop_GivesExactlyTheUninterruptedLosses(float dropout)
    {
        var recipe = Fixture.Create(steps: 8, dropout: dropout);
        var root = Path.GetDirectoryName(recipe)!;
        Run(recipe, Path.Combine(root, "straight"));
        var interrupted = Path.Combine(root, "interrupted");
        Run(recipe, interrupted, stopAfter: s => s == 5);                       // checkpoint-4 is the newest valid one
        Assert.AreEqual("checkpoint-4", Path.GetFileName(Trainer.Checkpoints(interrupted)[^1]));
        Directory.CreateDirectory(Path.Combine(interrupted, "checkpoint-6.tmp-deadbeef"));   // a half-written checkpoint is ignored
        Run(recipe, interrupted, resume: true);
        var a = Fixture.TrainLosses(Path.Combine(root, "straight"));
        var b = Fixture.TrainLosses(interrupted);
        CollectionAssert.AreEqual(a.Keys.ToArray(), b.Keys.ToArray());
        foreach (var step in a.Keys) Assert.AreEqual(a[step], b[step], 0.0, $"step {step}");
        // Step 5 ran twice (before the stop and after resuming from checkpoint-4): the log holds it once, the backup has the first.
        var steps = MetricsLog.Read(Path.Combine(interrupted, "metrics.jsonl")).Where(o => (string?)o["split"] == "train").Select(o => (long)o["step"]!);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, steps.ToArray());
        var backup = MetricsLog.Read(Path.Combine(interrupted, "metrics.jsonl.before-resume-4")).Where(o => (string?)o["split"] == "train");
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, backup.Select(o => (long)o["step"]!).ToArray());
        if (dropout == 0) return;
        // Dropout is on: the same recipe without it trains to other losses, so the equality above is not vacuous.
        var off = Fixture.Create(steps: 8);
        Run(off, Path.Combine(Path.GetDirectoryName(off)!, "run"));
        Assert.AreNotEqual(a[8], Fixture.TrainLosses(Path.Combine(Path.GetDirectoryName(off)!, "run"))[8]);
    }

    [TestMethod]
    public void Resume_FolderWithoutCheckpoint_FailsNamingItAndTheRunsNearby()
    {
        var recipe = Fixture.Create(steps: 2);
        var root = Path.GetDirectoryName(recipe)!;
        Run(recipe, Path.Combine(root, "run-a"));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Run(recipe, Path.Combine(root, "run-b"), resume: true));
        StringAssert.Contains(e.Message, Path.Combine(root, "run-b"));
        StringAssert.Contains(e.Message, "no complete checkpoint");
        StringAssert.Contains(e.Message, Path.Combine(root, "run-a"));
        Assert.IsFalse(Directory.Exists(Path.Combine(root, "run-b", "checkpoint")), "nothing was built");
    }

    [TestMethod]
    [DataRow("electra"), DataRow("rts"), DataRow("slm"), DataRow("ssp"), DataRow("sp"), DataRow("psd"), DataRow("all")]
    public void Run_EachObjectiveOnFixture_TrainsWithFiniteLosses(string objective)
    {
        var recipe = Fixture.Create(steps: 4, objective: objective);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        Run(recipe, dir);
        var losses = Fixture.TrainLosses(dir);
        Assert.HasCount(4, losses);
        Assert.IsTrue(losses.Values.All(double.IsFinite));
    }

    [TestMethod]
    public void InitFrom_MlmCheckpoint_ContinuesWithSspAndFreshHead()
    {
        var mlm = Fixture.Create(steps: 2);
        var mlmRun = Path.Combine(Path.GetDirectoryName(mlm)!, "mlm");
        var pretrained = Run(mlm, mlmRun).Checkpoint;
        var ssp = Fixture.Create(steps: 2, objective: "ssp", extraTraining: $", \"init_from\": \"{pretrained}\"");
        var dir = Path.Combine(Path.GetDirectoryName(ssp)!, "ssp");
        var log = new StringWriter();
        Pretraining.Run(Recipe.Load(ssp), new PretrainOptions(dir, OneThread, false, log));
        StringAssert.Contains(log.ToString(), "Initialised");
        var donor = Safetensors.Read(Path.Combine(pretrained, "model.safetensors")).Tensors["electra.encoder.layer.0.attention.self.query.weight"].AsFloats();
        var start = Safetensors.Read(Path.Combine(dir, "checkpoint", "model.safetensors")).Tensors;
        CollectionAssert.AreEqual(donor, start["electra.encoder.layer.0.attention.self.query.weight"].AsFloats());
        Assert.IsTrue(start.ContainsKey("classifier.out_proj.weight"));
    }

    [TestMethod]
    public void Run_Gpt2Tokenizer_TrainsOnTheFixtureCorpus()
    {
        var recipe = Fixture.Create(steps: 2);
        var json = File.ReadAllText(recipe)
            .Replace($"\"vocab_size\": {Fixture.VocabTokens().Length}", "\"vocab_size\": 50262")
            .Replace("\"tokenizer\": \"bert-base-uncased\", \"vocab\": \"vocab.txt\"", "\"tokenizer\": \"gpt2\"");
        File.WriteAllText(recipe, json);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        var result = Run(recipe, dir);
        Assert.AreEqual(2, result.Summary.Steps);
        Assert.IsNull(result.VocabPath);
        Assert.AreEqual(50262, ArtifactManifest.Load(dir).Parameters.First(p => p.Name.EndsWith("word_embeddings.weight")).Shape[0]);
    }

    [TestMethod]
    public void Crts_Run_UpdatesAndCheckpointsClusterCounts()
    {
        var recipe = Fixture.Create(steps: 4, objective: "crts");
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        var result = Run(recipe, dir);
        var counts = ClusterCounts.Load(Path.Combine(result.Checkpoint, ObjectiveData.CountsFile));
        Assert.AreEqual(3, counts.ClusterCount);
        Assert.IsTrue(counts.ToArray().Any(c => c != 1.0), "the discriminator's predictions must move the counts");
        var state = CrtsState.Load(Path.Combine(Path.GetDirectoryName(recipe)!, "clusters.txt"), result.Checkpoint);
        CollectionAssert.AreEqual(counts.ToArray(), state.Counts.ToArray());
    }

    [TestMethod]
    public void ShippedClusterFile_CoversTheBertVocabulary()
    {
        var path = Path.Combine(RecipeTests.RepoRoot(), "models", "clusters", "bert-base-uncased-100.txt");
        var clusters = TokenClusters.Load(path);
        Assert.AreEqual(30522, clusters.VocabSize);
        Assert.AreEqual(100, clusters.ClusterCount);
        Assert.IsTrue(Enumerable.Range(0, 100).All(c => clusters.Members(c).Count > 0));
    }

    [TestMethod]
    public void Run_ExistingCheckpointsWithoutResume_RefusesToOverwrite()
    {
        var recipe = Fixture.Create(steps: 2);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        Run(recipe, dir);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Run(recipe, dir));
        StringAssert.Contains(e.Message, "--resume");
    }

    [TestMethod]
    public void Run_VocabSizeMismatch_NamesBothSizes()
    {
        var recipe = Fixture.Create();
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace($"\"vocab_size\": {Fixture.VocabTokens().Length}", "\"vocab_size\": 100"));
        var e = Assert.ThrowsExactly<ArgumentException>(() => Run(recipe, Path.Combine(Path.GetDirectoryName(recipe)!, "run")));
        StringAssert.Contains(e.Message, "model.vocab_size (100)");
        StringAssert.Contains(e.Message, $"{Fixture.VocabTokens().Length} ids");
    }

    [TestMethod]
    public void Trainer_NaNLoss_StopsNamingTheStep()
    {
        // loss = log(w) with w < 0 after the first update is NaN.
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-nan-").FullName;
        var model = new TrainableModel("nan", (g, _) =>
        {
            var x = g.Input("input_ids", DataType.Int64, new Shape("batch", "sequence"));
            var w = g.Parameter("w", TensorData.Create(new[] { 1e-3f }, 1));
            var xf = g.ReduceMean(g.Cast(x, DataType.Float), [], keepDims: false);
            var loss = g.ReduceSum(g.Mul(g.Log(w), g.Add(xf, g.Scalar(1, DataType.Float))), [], keepDims: false);
            return new ForwardOutputs([new("nan", loss, new LossTargets("input_ids", TargetCounting.Rows))], [], []);
        }, () => new Dictionary<string, TensorData> { ["input_ids"] = TensorData.Create(new long[] { 1, 2 }, 1, 2) });
        ArtifactBuilder.Build(model, new AdamWOptions { WeightDecay = 0, MaxGradNorm = null }, dir);
        using var session = TrainingSession.Load(dir);
        var stream = new BatchStream([[1, 2, 3]], new IdsOnly(), 1, 0);
        var trainer = new Trainer(session, stream, null,
            new TrainingConfig { Steps = 5, LearningRate = 1.0, WarmupSteps = 0, CheckpointEvery = 1, Schedule = "constant" }, dir, 5);
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Run());
        StringAssert.Contains(e.Message, "step 2");
        StringAssert.Contains(e.Message, "checkpoint-1");
        Assert.AreEqual("checkpoint-1", Path.GetFileName(Trainer.Checkpoints(dir)[^1]));
    }

    private sealed class IdsOnly : IBatcher
    {
        public int SequenceLength => 3;

        public Batch Build(IReadOnlyList<int[]> sequences, long step) =>
            new(new Dictionary<string, BatchArray> { ["input_ids"] = new(sequences[0].Select(i => (long)i).ToArray(), [1, 3]) }, 3);
    }

    private sealed class SyncProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
