namespace OnnxPretrain.Optim.Tests;

[TestClass]
public sealed class LrScheduleTests
{
    private const float Delta = 1e-9f;

    private static LrScheduleOptions Options(string kind, double min = 0) =>
        new() { Kind = kind, PeakLearningRate = 1e-3, WarmupSteps = 10, TotalSteps = 110, MinLearningRate = min };

    [TestMethod]
    [DataRow(0L, 0f)]
    [DataRow(5L, 5e-4f)]
    [DataRow(10L, 1e-3f)]
    [DataRow(35L, 7.5e-4f)]
    [DataRow(60L, 5e-4f)]
    [DataRow(109L, 1e-5f)]
    [DataRow(110L, 0f)]
    [DataRow(200L, 0f)]
    public void LearningRate_Linear_MatchesHandComputedValue(long step, float expected) =>
        Assert.AreEqual(expected, LrSchedule.LearningRate(Options("linear"), step), Delta);

    [TestMethod]
    [DataRow(0L, 0f)]
    [DataRow(5L, 5e-4f)]
    [DataRow(10L, 1e-3f)]
    [DataRow(35L, 8.5355339e-4f)] // 0.5 · (1 + cos(π/4))
    [DataRow(60L, 5e-4f)]
    [DataRow(85L, 1.4644661e-4f)] // 0.5 · (1 + cos(3π/4))
    [DataRow(110L, 0f)]
    [DataRow(200L, 0f)]
    public void LearningRate_Cosine_MatchesHandComputedValue(long step, float expected) =>
        Assert.AreEqual(expected, LrSchedule.LearningRate(Options("cosine"), step), Delta);

    [TestMethod]
    [DataRow(0L, 0f)]
    [DataRow(5L, 5e-4f)]
    [DataRow(10L, 1e-3f)]
    [DataRow(60L, 1e-3f)]
    [DataRow(110L, 1e-3f)]
    [DataRow(500L, 1e-3f)]
    public void LearningRate_Constant_WarmsUpThenHoldsPeak(long step, float expected) =>
        Assert.AreEqual(expected, LrSchedule.LearningRate(Options("constant", min: 1e-4), step), Delta);

    [TestMethod]
    public void LearningRate_MinLearningRate_DecaysToMinimumInsteadOfZero()
    {
        Assert.AreEqual(5e-4f, LrSchedule.LearningRate(Options("linear", min: 1e-4), 5), Delta); // warmup ignores the minimum
        Assert.AreEqual(1e-3f, LrSchedule.LearningRate(Options("linear", min: 1e-4), 10), Delta);
        Assert.AreEqual(5.5e-4f, LrSchedule.LearningRate(Options("linear", min: 1e-4), 60), Delta); // 1e-4 + 9e-4 · 0.5
        Assert.AreEqual(1e-4f, LrSchedule.LearningRate(Options("linear", min: 1e-4), 110), Delta);
        Assert.AreEqual(5.5e-4f, LrSchedule.LearningRate(Options("cosine", min: 1e-4), 60), Delta);
        Assert.AreEqual(1e-4f, LrSchedule.LearningRate(Options("cosine", min: 1e-4), 110), Delta);
        Assert.AreEqual(1e-4f, LrSchedule.LearningRate(Options("cosine", min: 1e-4), 300), Delta);
    }

    [TestMethod]
    public void LearningRate_NoWarmup_StartsAtPeak()
    {
        var o = new LrScheduleOptions { PeakLearningRate = 2e-4, TotalSteps = 4 };
        Assert.AreEqual(2e-4f, LrSchedule.LearningRate(o, 0), Delta);
        Assert.AreEqual(1e-4f, LrSchedule.LearningRate(o, 2), Delta);
        Assert.AreEqual(0f, LrSchedule.LearningRate(o, 4), Delta);
    }

    [TestMethod]
    public void LrScheduleOptions_Defaults_AreHfDefaults()
    {
        var o = new LrScheduleOptions { TotalSteps = 1 };
        Assert.AreSame(o, o.Validate());
        Assert.AreEqual("linear", o.Kind);
        Assert.AreEqual(5e-5, o.PeakLearningRate);
        Assert.AreEqual(0L, o.WarmupSteps);
        Assert.AreEqual(0.0, o.MinLearningRate);
    }

    [TestMethod]
    public void LrScheduleOptions_InvalidField_ThrowsNamingFieldAndValue()
    {
        var ok = Options("linear");
        var cases = new (LrScheduleOptions Options, string Field, string Value)[]
        {
            (ok with { Kind = "Linear" }, "Kind", "'Linear'"),
            (ok with { Kind = "polynomial" }, "Kind", "'polynomial'"),
            (ok with { PeakLearningRate = 0 }, "PeakLearningRate", "got 0"),
            (ok with { PeakLearningRate = double.NaN }, "PeakLearningRate", "NaN"),
            (ok with { WarmupSteps = -1 }, "WarmupSteps", "got -1"),
            (ok with { WarmupSteps = 0, TotalSteps = 0 }, "TotalSteps", "got 0"),
            (ok with { TotalSteps = 9 }, "TotalSteps", "got 9"),
            (ok with { MinLearningRate = -1e-5 }, "MinLearningRate", "got -1E-05"),
            (ok with { MinLearningRate = 2e-3 }, "MinLearningRate", "got 0.002"),
        };
        foreach (var (options, field, value) in cases)
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => options.Validate(), field);
            Assert.AreEqual(field, ex.ParamName);
            StringAssert.Contains(ex.Message, value);
            Assert.ThrowsExactly<ArgumentException>(() => LrSchedule.LearningRate(options, 0));
        }
    }

    [TestMethod]
    public void LearningRate_NegativeStep_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LrSchedule.LearningRate(Options("linear"), -1));

    [TestMethod]
    public void DecayFactors_AtEndpoints_AreOneAndZero()
    {
        Assert.AreEqual(1.0, LrSchedule.LinearDecayFactor(10, 10, 110), 1e-12);
        Assert.AreEqual(0.0, LrSchedule.LinearDecayFactor(110, 10, 110), 1e-12);
        Assert.AreEqual(1.0, LrSchedule.CosineDecayFactor(10, 10, 110), 1e-12);
        Assert.AreEqual(0.0, LrSchedule.CosineDecayFactor(110, 10, 110), 1e-12);
        Assert.AreEqual(0.5, LrSchedule.WarmupFactor(5, 10), 1e-12);
    }
}
