using OnnxPretrain.Data;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Distributed;

namespace OnnxPretrain.Training.Tests;

[TestClass]
public sealed class DistributedTests
{
    private static readonly SessionConfig OneThread = new() { IntraOpThreads = 1 };

    private static readonly TensorSpec[] MlmInputs =
    [
        new("input_ids", DataType.Int64, ["batch", "sequence"]), new("attention_mask", DataType.Int64, ["batch", "sequence"]),
        new("masked_lm_positions", DataType.Int64, ["predictions"]), new("masked_lm_labels", DataType.Int64, ["predictions"]),
    ];

    // B = 3 rows, T = 4; selected positions b·T + t: row 0 t=1; row 1 t=1, t=2; row 2 t=3 (label -100: ignored).
    private static Batch ThreeRows() => new(new Dictionary<string, BatchArray>
    {
        ["input_ids"] = new(Enumerable.Range(0, 12).Select(i => (long)i).ToArray(), [3, 4]),
        ["attention_mask"] = new(new long[] { 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0 }, [3, 4]),
        ["masked_lm_positions"] = new(new long[] { 1, 5, 6, 11 }, [4]),
        ["masked_lm_labels"] = new(new long[] { 10, 11, 12, -100 }, [4]),
    }, 9);

    [TestMethod]
    public void Slice_TwoRanksOfThreeRows_SplitsRowsAndRebasesPositions()
    {
        var r0 = new BatchSlicer(MlmInputs, 0, 2).Slice(ThreeRows());   // rows [0, 1)
        var r1 = new BatchSlicer(MlmInputs, 1, 2).Slice(ThreeRows());   // rows [1, 3)
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3 }, r0.Arrays["input_ids"].Int64s);
        CollectionAssert.AreEqual(new long[] { 1, 4 }, r0.Arrays["input_ids"].Shape);
        CollectionAssert.AreEqual(new long[] { 1 }, r0.Arrays["masked_lm_positions"].Int64s);
        CollectionAssert.AreEqual(new long[] { 10 }, r0.Arrays["masked_lm_labels"].Int64s);
        CollectionAssert.AreEqual(new long[] { 1, 2, 7 }, r1.Arrays["masked_lm_positions"].Int64s);   // 5-4, 6-4, 11-4
        CollectionAssert.AreEqual(new long[] { 11, 12, -100 }, r1.Arrays["masked_lm_labels"].Int64s);
        Assert.AreEqual((4L, 5L), (r0.TokenCount, r1.TokenCount));   // attention_mask sums 4 and 3 + 2
    }

    [TestMethod]
    public void Slice_RankWithNoSelectedToken_GetsTheIgnoredDummySlot()
    {
        var batch = ThreeRows();
        var arrays = batch.Arrays.ToDictionary();
        arrays["masked_lm_positions"] = new(new long[] { 5 }, [1]);
        arrays["masked_lm_labels"] = new(new long[] { 7 }, [1]);
        var r0 = new BatchSlicer(MlmInputs, 0, 3).Slice(batch with { Arrays = arrays });
        CollectionAssert.AreEqual(new long[] { 0 }, r0.Arrays["masked_lm_positions"].Int64s);
        CollectionAssert.AreEqual(new long[] { MaskingDefaults.IgnoreLabel }, r0.Arrays["masked_lm_labels"].Int64s);
    }

    [TestMethod]
    public void Slice_MoreRanksThanRows_ThrowsNamingBatchSize()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new BatchSlicer(MlmInputs, 0, 4).Slice(ThreeRows()));
        StringAssert.Contains(e.Message, "training.batch_size 3");
    }

    private static PretrainResult Train(string recipe, string dir, DataParallel? parallel) =>
        Pretraining.Run(Recipe.Load(recipe), new PretrainOptions(dir, OneThread, false, TextWriter.Null, Parallel: parallel));

    [TestMethod]
    [DataRow(2, "", "mlm"), DataRow(2, ", \"gradient_accumulation_steps\": 2", "mlm"), DataRow(3, "", "mlm")]   // 3 ranks: uneven rows 1, 1, 2
    [DataRow(2, ", \"gradient_accumulation_steps\": 2", "electra"), DataRow(3, "", "ssp")]                         // two loss terms each
    public void ThreadRanks_ShareOfBatchEach_MatchOneProcessLossesAndParameters(int size, string extra, string objective)
    {
        var recipe = Fixture.Create(steps: 3, checkpointEvery: 3, extraTraining: extra, objective: objective);
        var root = Path.GetDirectoryName(recipe)!;
        var single = Train(recipe, Path.Combine(root, "single"), null);
        var ranks = Ranks.Run(size, c => Train(recipe, Path.Combine(root, "dp"), new DataParallel(c)));
        Assert.AreEqual(3, ranks[^1].Summary.Steps);
        var a = Fixture.TrainLosses(Path.Combine(root, "single"));
        var b = Fixture.TrainLosses(Path.Combine(root, "dp"));
        CollectionAssert.AreEqual(a.Keys.ToArray(), b.Keys.ToArray());
        foreach (var step in a.Keys) Assert.AreEqual(a[step], b[step], 1e-5, $"loss at step {step}");
        AssertSameParameters(single.Checkpoint, ranks[0].Checkpoint, 1e-5);
        Assert.AreEqual(Checkpoint.Load(single.Checkpoint).State.DataPosition, Checkpoint.Load(ranks[0].Checkpoint).State.DataPosition);
    }

    public static void AssertSameParameters(string checkpointA, string checkpointB, double tolerance)
    {
        var a = Safetensors.Read(Path.Combine(checkpointA, Checkpoint.ModelFile)).Tensors;
        var b = Safetensors.Read(Path.Combine(checkpointB, Checkpoint.ModelFile)).Tensors;
        CollectionAssert.AreEquivalent(a.Keys.ToArray(), b.Keys.ToArray());
        foreach (var (name, t) in a)
        {
            var x = t.AsFloats();
            var y = b[name].AsFloats();
            double worst = x.Zip(y, (p, q) => Math.Abs((double)p - q)).Max();
            Assert.IsLessThanOrEqualTo(tolerance, worst, $"{name}: max |difference| {worst}");
        }
    }

    [TestMethod]
    public void VerifyIdentical_RanksWithDifferentParameters_ThrowsNamingTheStep()
    {
        var recipe = Fixture.Create(steps: 1);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "arts");
        Pretraining.BuildArtifacts(Recipe.Load(recipe), dir, TextWriter.Null);
        var errors = Ranks.Run(2, c =>
        {
            using var session = TrainingSession.Load(dir, OneThread);
            if (c.Rank == 1) session.GradientBuffer(session.TrainableParameters[0]).Fill(1f);
            var parallel = new DataParallel(c);
            parallel.VerifyIdentical(session, 0);                       // identical after loading
            if (c.Rank == 1)
            {
                session.ZeroGradients();
                session.GradientBuffer(session.TrainableParameters[0]).Fill(1f);
                session.OptimizerStep(0.1f);                            // only rank 1 moves
            }
            try { parallel.VerifyIdentical(session, 7); return ""; }
            catch (InvalidOperationException e) { return e.Message; }
        });
        foreach (var message in errors) StringAssert.Contains(message, "diverged", message);
        StringAssert.Contains(errors[0], "at step 7");
    }
}
