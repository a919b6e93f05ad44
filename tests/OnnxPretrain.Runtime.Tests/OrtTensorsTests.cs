using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Runtime.Tests;

[TestClass]
public sealed class OrtTensorsTests
{
    private static void AssertRoundTrip(TensorData tensor)
    {
        TensorData back;
        using (var value = OrtTensors.ToOrtValue(tensor))
        {
            Assert.IsTrue(value.IsTensor);
            var info = value.GetTensorTypeAndShape();
            Assert.AreEqual(OrtTensors.ToOrtElementType(tensor.Type), info.ElementDataType);
            CollectionAssert.AreEqual(tensor.Shape, info.Shape);
            back = OrtTensors.ToTensorData(value);
        }
        Assert.AreEqual(tensor.Type, back.Type);
        CollectionAssert.AreEqual(tensor.Shape, back.Shape);
        Assert.AreEqual(tensor.Data.GetType(), back.Data.GetType());
        CollectionAssert.AreEqual(tensor.ToBytes(), back.ToBytes());
        if (tensor.ElementCount > 0) Assert.AreNotSame(tensor.Data, back.Data); // empty arrays may be the shared Array.Empty<T>()
    }

    [TestMethod]
    public void ToOrtValue_Float_RoundTripsWithShape() =>
        AssertRoundTrip(TensorData.Create(new[] { 1f, -2.5f, 3e-8f, float.MaxValue, 0f, -0f }, 2, 3));

    [TestMethod]
    public void ToOrtValue_Double_RoundTripsWithShape() =>
        AssertRoundTrip(TensorData.Create(new[] { Math.E, -1e300, 0.1, 4 }, 2, 1, 2));

    [TestMethod]
    public void ToOrtValue_Int64_RoundTripsWithShape() =>
        AssertRoundTrip(TensorData.Create(new[] { long.MinValue, -1L, 0L, long.MaxValue }, 4));

    [TestMethod]
    public void ToOrtValue_Bool_RoundTripsWithShape() =>
        AssertRoundTrip(TensorData.Create(new[] { true, false, false, true, true, false }, 3, 2));

    [TestMethod]
    public void ToOrtValue_Int32AndUInt8_RoundTrip()
    {
        AssertRoundTrip(TensorData.Create(new[] { int.MinValue, 7, int.MaxValue }, 3));
        AssertRoundTrip(TensorData.Create(new byte[] { 0, 128, 255, 1 }, 2, 2));
    }

    [TestMethod]
    public void ToOrtValue_Scalar_RoundTripsWithEmptyShape() =>
        AssertRoundTrip(TensorData.Scalar(42.5f));

    [TestMethod]
    public void ToOrtValue_EmptyTensor_RoundTrips() =>
        AssertRoundTrip(TensorData.Create(Array.Empty<float>(), 0, 5));

    [TestMethod]
    public void ToOrtValue_SourceMutatedAfterCopy_ValueUnchanged()
    {
        var data = new[] { 1f, 2f, 3f };
        using var value = OrtTensors.ToOrtValue(TensorData.Create(data, 3));
        data[0] = 99f;
        GC.Collect();
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f }, OrtTensors.ToTensorData(value).AsFloats());
    }

    [TestMethod]
    public void ElementTypes_AllSupported_MapBothWays()
    {
        foreach (var type in Enum.GetValues<DataType>())
            Assert.AreEqual(type, OrtTensors.FromOrtElementType(OrtTensors.ToOrtElementType(type)));
    }

    [TestMethod]
    public void FromOrtElementType_Unsupported_ThrowsArgumentException()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => OrtTensors.FromOrtElementType(TensorElementType.Float16));
        StringAssert.Contains(ex.Message, "Float16");
    }

    [TestMethod]
    public void ToOrtElementType_Unsupported_ThrowsArgumentException()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => OrtTensors.ToOrtElementType((DataType)16));
        StringAssert.Contains(ex.Message, "16");
    }
}
