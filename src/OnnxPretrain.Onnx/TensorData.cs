using System.Runtime.InteropServices;

namespace OnnxPretrain.Onnx;

/// <summary>
/// A dense tensor held in managed memory: element type, static shape and row-major data.
/// Used for initializers, parameters, checkpoints and test fixtures; the runtime copies it into OrtValues.
/// </summary>
public sealed class TensorData
{
    /// <summary>Element type.</summary>
    public DataType Type { get; }

    /// <summary>Static shape, outermost dimension first; empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>Row-major elements: a <c>float[]</c>, <c>double[]</c>, <c>long[]</c>, <c>int[]</c>, <c>byte[]</c> or <c>bool[]</c> matching
    /// <see cref="Type"/>.</summary>
    public Array Data { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount => Data.LongLength;

    private TensorData(DataType type, long[] shape, Array data)
    {
        Type = type;
        Shape = shape;
        Data = data;
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The array's element type does not match a supported type, a dimension is negative, or the
    /// element count differs from the shape's product.</exception>
    public static TensorData Create(Array data, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var type = data switch
        {
            float[] => DataType.Float,
            double[] => DataType.Double,
            long[] => DataType.Int64,
            int[] => DataType.Int32,
            byte[] => DataType.UInt8,
            bool[] => DataType.Bool,
            _ => throw new ArgumentException($"Unsupported element array type '{data.GetType().Name}'; expected float[], double[], long[], " +
                $"int[], byte[] or bool[].", nameof(data)),
        };
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            count *= d;
        }
        if (count != data.LongLength)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {count} elements but the data has {data.LongLength}.", nameof(data));
        return new TensorData(type, (long[])shape.Clone(), data);
    }

    /// <summary>A zero-filled tensor of the given type and shape.</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public static TensorData Zeros(DataType type, params long[] shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            count *= d;
        }
        return Create(Array.CreateInstance(type.ClrType(), count), shape);
    }

    /// <summary>A scalar float tensor (shape <c>[]</c>).</summary>
    public static TensorData Scalar(float value) => Create(new[] { value });

    /// <summary>The elements as <c>float[]</c>.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not float.</exception>
    public float[] AsFloats() => Data as float[] ?? throw new InvalidOperationException($"Tensor is {Type}, not Float.");

    /// <summary>The elements as <c>long[]</c>.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not int64.</exception>
    public long[] AsInt64s() => Data as long[] ?? throw new InvalidOperationException($"Tensor is {Type}, not Int64.");

    /// <summary>The elements as <c>double[]</c>.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not double.</exception>
    public double[] AsDoubles() => Data as double[] ?? throw new InvalidOperationException($"Tensor is {Type}, not Double.");

    /// <summary>The raw little-endian bytes of the elements (bool as one byte 0/1), as ONNX raw_data and safetensors store them.</summary>
    public byte[] ToBytes()
    {
        if (Data is bool[] b) return b.Select(x => x ? (byte)1 : (byte)0).ToArray();
        var bytes = new byte[ElementCount * Type.SizeOf()];
        Buffer.BlockCopy(Data, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Builds a tensor from raw little-endian bytes (the inverse of <see cref="ToBytes"/>).</summary>
    /// <exception cref="ArgumentException">The byte count does not equal the element count times the element size.</exception>
    public static TensorData FromBytes(DataType type, long[] shape, ReadOnlySpan<byte> bytes)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (bytes.Length != count * type.SizeOf())
            throw new ArgumentException($"{type} tensor of shape [{string.Join(", ", shape)}] needs {count * type.SizeOf()} bytes but " +
                $"{bytes.Length} were given.", nameof(bytes));
        var data = Array.CreateInstance(type.ClrType(), count);
        if (data is bool[] bools)
        {
            for (int i = 0; i < bools.Length; i++) bools[i] = bytes[i] != 0;
        }
        else
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(data), bytes.Length)));
        }
        return Create(data, shape);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type}[{string.Join(", ", Shape)}]";
}
