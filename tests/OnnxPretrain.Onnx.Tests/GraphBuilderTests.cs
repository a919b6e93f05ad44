using Onnx;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Onnx.Tests;

[TestClass]
public sealed class GraphBuilderTests
{
    [TestMethod]
    public void MatMul_InnerDimsDiffer_ThrowsNamingNodeOpAndBothShapes()
    {
        var g = Graph.Create();
        var a = g.Input("a", DataType.Float, new Shape("batch", 3));
        var b = g.Input("b", DataType.Float, Shape.Of(4, 5));
        using var scope = g.Scope("encoder.layer.0");
        var e = Assert.ThrowsExactly<ShapeMismatchException>(() => g.MatMul(a, b));
        StringAssert.Contains(e.Message, "encoder.layer.0/MatMul_");
        StringAssert.Contains(e.Message, "(batch, 3)");
        StringAssert.Contains(e.Message, "(4, 5)");
    }

    [TestMethod]
    public void Add_ShapesDoNotBroadcast_ThrowsWithBothShapes()
    {
        var g = Graph.Create();
        var a = g.Input("a", DataType.Float, new Shape("batch", 3));
        var b = g.Input("b", DataType.Float, new Shape("sequence", 3));
        var e = Assert.ThrowsExactly<ShapeMismatchException>(() => g.Add(a, b));
        StringAssert.Contains(e.Message, "Add");
        StringAssert.Contains(e.Message, "(batch, 3)");
        StringAssert.Contains(e.Message, "(sequence, 3)");
    }

    [TestMethod]
    public void Scope_NestedScopes_NameParametersLikeHuggingFace()
    {
        var g = Graph.Create();
        using (g.Scope("encoder"))
        using (g.Scope("layer.3"))
        using (g.Scope("attention.self.query"))
        {
            var w = g.Parameter("weight", TensorData.Zeros(DataType.Float, 4, 4));
            Assert.AreEqual("encoder.layer.3.attention.self.query.weight", w.Name);
            var y = g.Transpose(w, 1, 0);
            StringAssert.StartsWith(y.Producer!.Name, "encoder.layer.3.attention.self.query/Transpose_");
        }
        Assert.AreEqual("", g.CurrentScope);
    }

    [TestMethod]
    public void Reshape_FlattenSymbolicDims_GivesProductDim()
    {
        var g = Graph.Create();
        var x = g.Input("x", DataType.Float, new Shape("batch", "sequence", 8));
        var flat = g.Reshape(x, -1, 8);
        Assert.AreEqual("(batch*sequence, 8)", flat.Shape.ToString());
        var back = g.Reshape(g.Input("y", DataType.Float, new Shape("batch", 24)), 0, -1, 8);
        Assert.AreEqual("(batch, 3, 8)", back.Shape.ToString());
    }

    [TestMethod]
    public void Shapes_AreInferredForCommonOps()
    {
        var g = Graph.Create();
        var x = g.Input("x", DataType.Float, new Shape("batch", "sequence", 16));
        var w = g.Parameter("w", TensorData.Zeros(DataType.Float, 16, 4));
        Assert.AreEqual("(batch, sequence, 4)", g.MatMul(x, w).Shape.ToString());
        Assert.AreEqual("(batch, 16, sequence)", g.Transpose(x, 0, 2, 1).Shape.ToString());
        Assert.AreEqual("(batch, 1, sequence, 16)", g.Unsqueeze(x, 1).Shape.ToString());
        Assert.AreEqual("(batch, sequence)", g.ReduceSum(x, [-1], keepDims: false).Shape.ToString());
        Assert.AreEqual("(batch, sequence, 1)", g.ReduceMean(x, [2], keepDims: true).Shape.ToString());
        Assert.AreEqual("(batch, sequence, 6)", g.Split(x, -1, 10, 6)[1].Shape.ToString());
        Assert.AreEqual("(batch, sequence, 32)", g.Concat([x, x], 2).Shape.ToString());
        Assert.AreEqual("(batch, sequence, 3)", g.Slice(x, [2], [5], [2]).Shape.ToString());
        var ids = g.Input("ids", DataType.Int64, new Shape("batch", "sequence"));
        Assert.AreEqual("(batch, sequence, 4)", g.Gather(w, ids).Shape.ToString());
        var (y, mean, _) = g.LayerNormalization(x, g.Parameter("s", TensorData.Zeros(DataType.Float, 16)), null);
        Assert.AreEqual("(batch, sequence, 1)", mean.Shape.ToString());
        Assert.AreEqual(x.Shape, y.Shape);
    }

    [TestMethod]
    public void Parameter_DuplicateName_Throws()
    {
        var g = Graph.Create();
        g.Parameter("w", TensorData.Zeros(DataType.Float, 2));
        var e = Assert.ThrowsExactly<ArgumentException>(() => g.Parameter("w", TensorData.Zeros(DataType.Float, 2)));
        StringAssert.Contains(e.Message, "'w'");
    }

    [TestMethod]
    public void ModelWriter_SymbolicInputs_WriteDimParamsAndOpsets()
    {
        var g = Graph.Create();
        var x = g.Input("input_ids", DataType.Int64, new Shape("batch", "sequence"));
        g.Output(g.Identity(x), "out");
        var proto = ModelWriter.ToProto(g, ParameterLayout.AsInputs);
        var dims = proto.Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.AreEqual("batch", dims[0].DimParam);
        Assert.AreEqual("sequence", dims[1].DimParam);
        CollectionAssert.AreEquivalent(new[] { "", "com.microsoft" }, proto.OpsetImport.Select(o => o.Domain).ToArray());
        Assert.AreEqual(17, proto.OpsetImport.Single(o => o.Domain == "").Version);
    }

    [TestMethod]
    public void BuiltGraph_WithContribOpsAndSymbolicDims_LoadsAndRunsInOrt()
    {
        var g = Graph.Create();
        var x = g.Input("x", DataType.Float, new Shape("batch", 3));
        var w = g.Parameter("w", TensorData.Create(new[] { 1f, 0, 0, 0, 1, 0, 0, 0, 1 }, 3, 3));
        var y = g.FusedMatMul(x, w, transB: true, alpha: 2f);                // 2 x
        var z = g.Add(g.Gelu(y), g.FastGelu(y));
        g.Output(g.LayerNormalization(z, g.Parameter("s", TensorData.Create(new[] { 1f, 1, 1 }, 3)), null).Y, "y");
        using var model = OnnxModel.Load(ModelWriter.ToBytes(g, ParameterLayout.AsInitializers));
        var outs = model.Run(new Dictionary<string, TensorData> { ["x"] = TensorData.Create(new[] { 1f, 2, 3, -1, 0, 1 }, 2, 3) });
        var row = outs["y"].AsFloats()[..3];
        Assert.AreEqual(0f, row.Sum(), 1e-5f);                                // normalized rows sum to 0
        Assert.IsLessThan(row[1], row[0]);
    }

    [TestMethod]
    public void Dim_Arithmetic_IsExactOrUnknown()
    {
        Dim b = "batch", t = "sequence";
        Assert.AreEqual("batch*sequence", (b * t).ToString());
        Assert.AreEqual(t, (b * t) / b);
        Assert.AreEqual("48", (Dim.Of(6) * 8).ToString());
        Assert.IsTrue((b / t).IsUnknown);
        Assert.AreEqual("2*batch", (b * 2).ToString());
    }
}
