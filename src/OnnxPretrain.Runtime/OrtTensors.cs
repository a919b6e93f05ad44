using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

/// <summary>
/// Copies tensors between managed <see cref="TensorData"/> and ONNX Runtime <see cref="OrtValue"/>s in CPU memory.
/// Supported element types: float, double, int64, int32, uint8 and bool. Tensors are limited to
/// <see cref="int.MaxValue"/> elements (the length of a span).
/// </summary>
public static class OrtTensors
{
    /// <summary>
    /// Creates a CPU <see cref="OrtValue"/> of <paramref name="tensor"/>'s element type and shape, allocated by ONNX Runtime's
    /// default allocator, and copies the elements into it. The value owns its memory and does not reference
    /// <paramref name="tensor"/>; the caller must dispose it.
    /// </summary>
    /// <param name="tensor">Source tensor; any shape, including scalars (<c>[]</c>) and empty tensors.</param>
    /// <returns>A new tensor OrtValue holding a copy of the data.</returns>
    /// <exception cref="ArgumentException">The element type is not supported by ONNX Runtime here.</exception>
    public static OrtValue ToOrtValue(TensorData tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, ToOrtElementType(tensor.Type), tensor.Shape);
        try
        {
            CopyInto(tensor.Data, value);
            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>Copies a CPU tensor <see cref="OrtValue"/> into a new <see cref="TensorData"/> with the same element type and shape.</summary>
    /// <param name="value">A tensor value whose memory is on the CPU; it is not disposed.</param>
    /// <returns>A managed copy of the tensor.</returns>
    /// <exception cref="ArgumentException">The value is not a tensor, lives in non-CPU memory, or has an unsupported element type.</exception>
    public static TensorData ToTensorData(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsTensor)
            throw new ArgumentException($"OrtValue is a {value.OnnxType}, expected a dense tensor.", nameof(value));
        using (var memory = value.GetTensorMemoryInfo())
        {
            if (memory.GetDeviceType() != OrtMemoryInfoDeviceType.CPU)
                throw new ArgumentException($"OrtValue lives in {memory.GetDeviceType()} memory ('{memory.Name}'); copy it to the CPU first.", nameof(value));
        }
        var info = value.GetTensorTypeAndShape();
        var type = FromOrtElementType(info.ElementDataType);
        Array data = type switch
        {
            DataType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            DataType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            DataType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            DataType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
            DataType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray(),
            DataType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
            _ => throw new ArgumentException($"Unsupported element type {type}.", nameof(value)),
        };
        return TensorData.Create(data, info.Shape);
    }

    /// <summary>The ONNX Runtime element type for <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> has no supported ONNX Runtime counterpart.</exception>
    public static TensorElementType ToOrtElementType(DataType type) => type switch
    {
        DataType.Float => TensorElementType.Float,
        DataType.Double => TensorElementType.Double,
        DataType.Int64 => TensorElementType.Int64,
        DataType.Int32 => TensorElementType.Int32,
        DataType.UInt8 => TensorElementType.UInt8,
        DataType.Bool => TensorElementType.Bool,
        _ => throw new ArgumentException($"Data type {type} ({(int)type}) is not supported; expected Float, Double, Int64, Int32, UInt8 or " +
            $"Bool.", nameof(type)),
    };

    /// <summary>The <see cref="DataType"/> for an ONNX Runtime element type.</summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not float, double, int64, int32, uint8 or bool.</exception>
    public static DataType FromOrtElementType(TensorElementType type) => type switch
    {
        TensorElementType.Float => DataType.Float,
        TensorElementType.Double => DataType.Double,
        TensorElementType.Int64 => DataType.Int64,
        TensorElementType.Int32 => DataType.Int32,
        TensorElementType.UInt8 => DataType.UInt8,
        TensorElementType.Bool => DataType.Bool,
        _ => throw new ArgumentException($"ONNX Runtime element type {type} ({(int)type}) is not supported; expected Float, Double, Int64, " +
            $"Int32, UInt8 or Bool.", nameof(type)),
    };

    private static void CopyInto(Array data, OrtValue value)
    {
        switch (data)
        {
            case float[] f: f.AsSpan().CopyTo(value.GetTensorMutableDataAsSpan<float>()); break;
            case double[] d: d.AsSpan().CopyTo(value.GetTensorMutableDataAsSpan<double>()); break;
            case long[] l: l.AsSpan().CopyTo(value.GetTensorMutableDataAsSpan<long>()); break;
            case int[] i: i.AsSpan().CopyTo(value.GetTensorMutableDataAsSpan<int>()); break;
            case byte[] b: b.AsSpan().CopyTo(value.GetTensorMutableDataAsSpan<byte>()); break;
            case bool[] z: z.AsSpan().CopyTo(value.GetTensorMutableDataAsSpan<bool>()); break;
            default: throw new ArgumentException($"Unsupported element array type '{data.GetType().Name}'.", nameof(data));
        }
    }
}
