using OnnxPretrain.Onnx;
using static OnnxPretrain.Autodiff.Tests.GradCheck;

namespace OnnxPretrain.Autodiff.Tests;

[TestClass]
public sealed class LinearAndReduceRuleTests
{
    private static TensorData R(int seed, params long[] shape) => Rand(seed, -1, 1, shape);

    [TestMethod, GradientTest("MatMul")]
    public void MatMul_BatchedActivationTimes2DWeight_MatchesFiniteDifferences() =>
        Check("MatMul", (g, x) => g.MatMul(x[0], x[1]), R(30, 2, 3, 4), R(31, 4, 5));

    [TestMethod, GradientTest("MatMul")]
    public void MatMul_BroadcastBatchDims_MatchesFiniteDifferences() =>
        Check("MatMul", (g, x) => g.MatMul(x[0], x[1]), R(32, 2, 1, 3, 4), R(33, 3, 4, 2));

    [TestMethod, GradientTest("MatMul")]
    public void MatMul_Plain2D_MatchesFiniteDifferences() =>
        Check("MatMul", (g, x) => g.MatMul(x[0], x[1]), R(34, 3, 4), R(35, 4, 2));

    [TestMethod, GradientTest("Gemm")]
    [DataRow(false, false), DataRow(false, true), DataRow(true, false), DataRow(true, true)]
    public void Gemm_AllTransposeCasesWithBias_MatchesFiniteDifferences(bool transA, bool transB)
    {
        var a = transA ? R(36, 4, 3) : R(36, 3, 4);
        var b = transB ? R(37, 5, 4) : R(37, 4, 5);
        Check("Gemm", (g, x) => g.Gemm(x[0], x[1], x[2], alpha: 0.7f, beta: 1.3f, transA: transA, transB: transB), a, b, R(38, 5));
    }

    [TestMethod, GradientTest("ReduceSum")]
    public void ReduceSum_OneAxisNoKeepDims_MatchesFiniteDifferences() =>
        Check("ReduceSum", (g, x) => g.ReduceSum(x[0], [1], keepDims: false), R(40, 2, 3, 4));

    [TestMethod, GradientTest("ReduceSum")]
    public void ReduceSum_AllAxesKeepDims_MatchesFiniteDifferences() =>
        Check("ReduceSum", (g, x) => g.Mul(g.ReduceSum(x[0], [], keepDims: true), x[0]), R(41, 2, 3));

    [TestMethod, GradientTest("ReduceMean")]
    public void ReduceMean_LastAxisKeepDims_MatchesFiniteDifferences() =>
        Check("ReduceMean", (g, x) => g.ReduceMean(x[0], [-1], keepDims: true), R(42, 2, 3, 4));

    [TestMethod, GradientTest("ReduceMean")]
    public void ReduceMean_TwoAxesNoKeepDims_MatchesFiniteDifferences() =>
        Check("ReduceMean", (g, x) => g.ReduceMean(x[0], [0, 2], keepDims: false), R(43, 2, 3, 4));
}
