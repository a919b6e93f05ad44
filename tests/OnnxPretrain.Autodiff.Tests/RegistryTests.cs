using System.Reflection;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff.Tests;

[TestClass]
public sealed class RegistryTests
{
    [TestMethod]
    public void Registry_EveryRegisteredOp_HasAFiniteDifferenceTest()
    {
        var covered = typeof(RegistryTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<GradientTestAttribute>())
            .SelectMany(a => a.Ops)
            .ToHashSet();
        var missing = GradientRegistry.RegisteredOps.Where(op => !covered.Contains(op)).Order().ToList();
        Assert.IsEmpty(missing, $"Registered ops without a gradient test: {string.Join(", ", missing)}");
    }

    [TestMethod]
    public void Build_OpWithoutRule_ThrowsNamingOpAndNode()
    {
        var g = Graph.Create();
        var x = g.Input("x", DataType.Float, Shape.Of(3));
        var y = g.AddNode("Softplus", [x], [new Graph.OutputSpec(DataType.Float, x.Shape)])[0];
        var loss = g.ReduceSum(y, [], keepDims: false);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => GradientBuilder.Build(g, loss, [x]));
        StringAssert.Contains(e.Message, "Softplus");
        StringAssert.Contains(e.Message, y.Producer!.Name);
    }

    [TestMethod]
    public void Build_ValueNotOnLossPath_GetsZeros()
    {
        var g = Graph.Create();
        var x = g.Input("x", DataType.Float, Shape.Of(3));
        var unused = g.Input("u", DataType.Float, Shape.Of(2));
        var loss = g.ReduceSum(g.Mul(x, x), [], keepDims: false);
        var grads = GradientBuilder.Build(g, loss, [x, unused]);
        Assert.AreEqual("ConstantOfShape", grads[unused].Producer!.OpType);
    }

    [TestMethod]
    public void Build_NonFloatingWrt_ThrowsArgumentException()
    {
        var g = Graph.Create();
        var ids = g.Input("ids", DataType.Int64, Shape.Of(3));
        var x = g.Input("x", DataType.Float, Shape.Of(3));
        var loss = g.ReduceSum(x, [], keepDims: false);
        var e = Assert.ThrowsExactly<ArgumentException>(() => GradientBuilder.Build(g, loss, [ids]));
        StringAssert.Contains(e.Message, "ids");
    }

    [TestMethod]
    public void ReduceToShape_IncompatibleShapes_ThrowsShapeMismatch()
    {
        var g = Graph.Create();
        var grad = g.Input("g", DataType.Float, Shape.Of(2, 3));
        var target = g.Input("t", DataType.Float, Shape.Of(2, 4));
        var e = Assert.ThrowsExactly<ShapeMismatchException>(() => GradientBuilder.ReduceToShape(g, grad, target));
        StringAssert.Contains(e.Message, "(2, 4)");
    }
}
