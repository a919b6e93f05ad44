namespace OnnxPretrain.Onnx;

/// <summary>
/// Element types of tensors in our graphs. The numeric values are the ONNX <c>TensorProto.DataType</c> codes,
/// so a cast to <see cref="int"/> gives the code ONNX files store.
/// </summary>
public enum DataType
{
    /// <summary>32-bit IEEE float (ONNX code 1), safetensors <c>F32</c>.</summary>
    Float = 1,
    /// <summary>Unsigned byte (ONNX code 2), safetensors <c>U8</c>.</summary>
    UInt8 = 2,
    /// <summary>32-bit signed integer (ONNX code 6), safetensors <c>I32</c>.</summary>
    Int32 = 6,
    /// <summary>64-bit signed integer (ONNX code 7), safetensors <c>I64</c>.</summary>
    Int64 = 7,
    /// <summary>Boolean stored as one byte (ONNX code 9), safetensors <c>BOOL</c>.</summary>
    Bool = 9,
    /// <summary>64-bit IEEE float (ONNX code 11), safetensors <c>F64</c>.</summary>
    Double = 11,
}

/// <summary>Facts about <see cref="DataType"/> values.</summary>
public static class DataTypeInfo
{
    /// <summary>Size of one element in bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is not one of the supported ones.</exception>
    public static int SizeOf(this DataType type) => type switch
    {
        DataType.Float => 4,
        DataType.UInt8 => 1,
        DataType.Int32 => 4,
        DataType.Int64 => 8,
        DataType.Bool => 1,
        DataType.Double => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported data type."),
    };

    /// <summary>True for floating-point types, the only ones that carry gradients.</summary>
    public static bool IsFloating(this DataType type) => type is DataType.Float or DataType.Double;

    /// <summary>The CLR element type used to hold values of <paramref name="type"/> (bool is held as <see cref="bool"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is not one of the supported ones.</exception>
    public static Type ClrType(this DataType type) => type switch
    {
        DataType.Float => typeof(float),
        DataType.UInt8 => typeof(byte),
        DataType.Int32 => typeof(int),
        DataType.Int64 => typeof(long),
        DataType.Bool => typeof(bool),
        DataType.Double => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported data type."),
    };
}
