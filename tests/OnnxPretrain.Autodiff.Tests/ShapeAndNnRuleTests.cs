using OnnxPretrain.Onnx;
using static OnnxPretrain.Autodiff.Tests.GradCheck;

namespace OnnxPretrain.Autodiff.Tests;

[TestClass]
public sealed class ShapeAndNnRuleTests
{
    private static TensorData R(int seed, params long[] shape) => Rand(seed, -1, 1, shape);

    [TestMethod, GradientTest("Reshape")]
    public void Reshape_FlattenWithInferredDim_MatchesFiniteDifferences() =>
        Check("Reshape", (g, x) => g.Mul(g.Reshape(x[0], -1, 4), x[1]), R(50, 2, 3, 4), R(51, 6, 4));

    [TestMethod, GradientTest("Transpose")]
    public void Transpose_ThreeAxisPermutation_MatchesFiniteDifferences() =>
        Check("Transpose", (g, x) => g.Transpose(x[0], 2, 0, 1), R(52, 2, 3, 4));

    [TestMethod, GradientTest("Unsqueeze", "Squeeze")]
    public void UnsqueezeSqueeze_MatchesFiniteDifferences()
    {
        Check("Unsqueeze", (g, x) => g.Mul(g.Unsqueeze(x[0], 1), x[1]), R(53, 2, 3), R(54, 2, 4, 3));
        Check("Squeeze", (g, x) => g.Squeeze(x[0], 1), R(55, 2, 1, 3));
    }

    [TestMethod, GradientTest("Concat")]
    public void Concat_ThreeInputsMiddleAxis_MatchesFiniteDifferences() =>
        Check("Concat", (g, x) => g.Concat([x[0], x[1], x[2]], 1), R(56, 2, 1, 3), R(57, 2, 2, 3), R(58, 2, 3, 3));

    [TestMethod, GradientTest("Split")]
    public void Split_UnusedOutputGetsZeros_MatchesFiniteDifferences() =>
        Check("Split", (g, x) =>
        {
            var parts = g.Split(x[0], -1, 1, 2, 3);
            return g.Mul(parts[0], parts[2]);   // middle output unused
        }, R(59, 2, 6));

    [TestMethod, GradientTest("Slice")]
    public void Slice_NegativeStartTwoAxes_MatchesFiniteDifferences() =>
        Check("Slice", (g, x) => g.Slice(x[0], [-3, 1], [long.MaxValue, 3], [1, 0]), R(60, 4, 5));

    [TestMethod, GradientTest("Expand")]
    public void Expand_ColumnToBatch_MatchesFiniteDifferences() =>
        Check("Expand", (g, x) => g.Expand(x[0], 2, 3, 4), R(61, 3, 1));

    [TestMethod, GradientTest("Gather")]
    public void Gather_EmbeddingWithDuplicateIndices_AccumulatesRows()
    {
        var ids = TensorData.Create(new long[] { 1, 3, 1, 0, 3, 3 }, 2, 3);   // rows 1 and 3 repeat, rows 2 and 4 unused
        Check("Gather", (g, x) => g.Gather(x[0], g.Constant(ids)), R(62, 5, 3));
    }

    [TestMethod, GradientTest("Softmax")]
    [DataRow(-1L), DataRow(1L)]
    public void Softmax_AlongAxis_MatchesFiniteDifferences(long axis) =>
        Check("Softmax", (g, x) => g.Softmax(x[0], axis), R(63, 2, 3, 4));

    [TestMethod, GradientTest("LogSoftmax")]
    public void LogSoftmax_LastAxis_MatchesFiniteDifferences() =>
        Check("LogSoftmax", (g, x) => g.LogSoftmax(x[0]), R(64, 3, 5));

    [TestMethod, GradientTest("LayerNormalization")]
    public void LayerNormalization_InputScaleAndBias_MatchesFiniteDifferences() =>
        Check("LayerNormalization", (g, x) => g.LayerNormalization(x[0], x[1], x[2], epsilon: 1e-5f).Y,
            R(65, 2, 3, 6), Rand(66, 0.5, 1.5, 6), R(67, 6));

    [TestMethod, GradientTest("Dropout")]
    public void Dropout_EvalModeAndZeroRatio_MatchesFiniteDifferences()
    {
        Check("Dropout", (g, x) => g.Dropout(x[0], 0.3f, training: false).Y, R(68, 2, 3));
        Check("Dropout", (g, x) => g.Dropout(x[0], 0f, training: true).Y, R(69, 2, 3));
    }

    [TestMethod, GradientTest("SoftmaxCrossEntropyLoss")]
    public void SoftmaxCrossEntropyLoss_MeanWithIgnoredLabel_MatchesFiniteDifferences()
    {
        var labels = TensorData.Create(new long[] { 2, -100, 0, 4 }, 4);
        Check("SoftmaxCrossEntropyLoss", (g, x) => g.SoftmaxCrossEntropyLoss(x[0], g.Constant(labels)).Loss, R(70, 4, 5));
    }

    [TestMethod, GradientTest("SoftmaxCrossEntropyLoss")]
    public void SoftmaxCrossEntropyLoss_SpatialSumReduction_MatchesFiniteDifferences()
    {
        var labels = TensorData.Create(new long[] { 0, 2, 1, -100, 2, 0 }, 2, 3);
        Check("SoftmaxCrossEntropyLoss", (g, x) => g.SoftmaxCrossEntropyLoss(x[0], g.Constant(labels), reduction: "sum").Loss, R(71, 2, 3, 3));
    }

    [TestMethod, GradientTest("SoftmaxCrossEntropyLoss")]
    public void SoftmaxCrossEntropyLoss_NoReduction_MatchesFiniteDifferences()
    {
        var labels = TensorData.Create(new long[] { 1, 0, 2 }, 3);
        Check("SoftmaxCrossEntropyLoss", (g, x) => g.SoftmaxCrossEntropyLoss(x[0], g.Constant(labels), reduction: "none").Loss, R(72, 3, 3));
    }
}
