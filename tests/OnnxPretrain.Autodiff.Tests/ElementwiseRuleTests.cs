using OnnxPretrain.Onnx;
using static OnnxPretrain.Autodiff.Tests.GradCheck;

namespace OnnxPretrain.Autodiff.Tests;

[TestClass]
public sealed class ElementwiseRuleTests
{
    private static TensorData R(int seed, params long[] shape) => Rand(seed, -1, 1, shape);
    private static TensorData Pos(int seed, params long[] shape) => Rand(seed, 0.5, 2, shape);

    [TestMethod, GradientTest("Add")]
    public void Add_BroadcastRowVector_MatchesFiniteDifferences() =>
        Check("Add", (g, x) => g.Add(x[0], x[1]), R(1, 2, 3), R(2, 3));

    [TestMethod, GradientTest("Add", "Mul")]
    public void Add_FanOutOfOneInput_SumsGradients() =>
        Check("Add", (g, x) => g.Add(g.Mul(x[0], x[0]), x[0]), R(3, 2, 3));

    [TestMethod, GradientTest("Sub")]
    public void Sub_BroadcastBothSides_MatchesFiniteDifferences() =>
        Check("Sub", (g, x) => g.Sub(x[0], x[1]), R(4, 2, 1, 3), R(5, 4, 3));

    [TestMethod, GradientTest("Mul")]
    public void Mul_ScalarBroadcast_MatchesFiniteDifferences() =>
        Check("Mul", (g, x) => g.Mul(x[0], x[1]), R(6, 3, 4), R(7));

    [TestMethod, GradientTest("Div")]
    public void Div_BroadcastDenominator_MatchesFiniteDifferences() =>
        Check("Div", (g, x) => g.Div(x[0], x[1]), R(8, 2, 3), Pos(9, 2, 1));

    [TestMethod, GradientTest("Neg")]
    public void Neg_MatchesFiniteDifferences() => Check("Neg", (g, x) => g.Neg(x[0]), R(10, 5));

    [TestMethod, GradientTest("Sqrt")]
    public void Sqrt_PositiveInputs_MatchesFiniteDifferences() => Check("Sqrt", (g, x) => g.Sqrt(x[0]), Pos(11, 2, 3));

    [TestMethod, GradientTest("Pow")]
    public void Pow_ConstantExponents_MatchesFiniteDifferences()
    {
        Check("Pow", (g, x) => g.Pow(x[0], g.Scalar(3, x[0].Type)), R(12, 2, 3));
        Check("Pow", (g, x) => g.Pow(x[0], g.Scalar(0.5, x[0].Type)), Pos(13, 4));
    }

    [TestMethod, GradientTest("Exp")]
    public void Exp_MatchesFiniteDifferences() => Check("Exp", (g, x) => g.Exp(x[0]), R(14, 2, 3));

    [TestMethod, GradientTest("Log")]
    public void Log_PositiveInputs_MatchesFiniteDifferences() => Check("Log", (g, x) => g.Log(x[0]), Pos(15, 2, 3));

    [TestMethod, GradientTest("Tanh")]
    public void Tanh_MatchesFiniteDifferences() => Check("Tanh", (g, x) => g.Tanh(x[0]), R(16, 2, 3));

    [TestMethod, GradientTest("Sigmoid")]
    public void Sigmoid_MatchesFiniteDifferences() => Check("Sigmoid", (g, x) => g.Sigmoid(x[0]), R(17, 2, 3));

    [TestMethod, GradientTest("Relu")]
    public void Relu_InputsAwayFromKink_MatchesFiniteDifferences()
    {
        var x = TensorData.Create(new[] { -1.5, -0.3, 0.2, 0.7, 1.1, -0.8 }, 2, 3);
        Check("Relu", (g, xs) => g.Relu(xs[0]), x);
    }

    [TestMethod, GradientTest("Erf")]
    public void Erf_MatchesFiniteDifferences() => Check("Erf", (g, x) => g.Erf(x[0]), Rand(18, -2, 2, 2, 4));

    [TestMethod, GradientTest("com.microsoft.Gelu")]
    public void Gelu_Exact_MatchesFiniteDifferences() => Check("com.microsoft.Gelu", (g, x) => g.Gelu(x[0]), Rand(19, -3, 3, 2, 5));

    [TestMethod, GradientTest("com.microsoft.FastGelu")]
    public void FastGelu_TanhApproximation_MatchesFiniteDifferences() =>
        Check("com.microsoft.FastGelu", (g, x) => g.FastGelu(x[0]), Rand(20, -3, 3, 2, 5));

    [TestMethod, GradientTest("Where")]
    public void Where_BothBranchesWithBroadcast_MatchesFiniteDifferences()
    {
        var cond = TensorData.Create(new[] { true, false, true, false, false, true }, 2, 3);
        Check("Where", (g, x) => g.Where(g.Constant(cond), x[0], x[1]), R(21, 2, 3), R(22, 3));
    }

    [TestMethod, GradientTest("Cast")]
    public void Cast_FloatRoundTrip_MatchesFiniteDifferences()
    {
        // float32 x -> float64 -> back to float32; both Cast nodes are differentiated (float32 tolerance).
        CheckAs([DataType.Float], "Cast", (g, x) =>
            g.Mul(g.Cast(g.Mul(g.Cast(x[0], DataType.Double), g.Cast(x[0], DataType.Double)), DataType.Float), x[0]), R(23, 2, 3));
    }

    [TestMethod, GradientTest("Identity")]
    public void Identity_MatchesFiniteDifferences() => Check("Identity", (g, x) => g.Mul(g.Identity(x[0]), x[0]), R(24, 3));
}
