using Google.Protobuf;
using Onnx;

namespace OnnxPretrain.Onnx;

/// <summary>Reads ONNX models written by other tools (PyTorch, Optimum): the protobuf, and tensors as <see cref="TensorData"/>.</summary>
public static class ModelReader
{
    /// <summary>Parses an ONNX model file.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model (protobuf parse error, or no graph).</exception>
    public static ModelProto Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
        return model.Graph is { Node.Count: > 0 } ? model : throw new InvalidDataException($"'{path}' is not an ONNX model: it has no graph nodes.");
    }

    /// <summary>
    /// The tensor's values: float (F32, or F16 widened to F32), int64 or int32, from raw bytes, the typed fields, or
    /// external data in a file beside the model (<paramref name="modelDir"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">Unsupported element type, or data of the wrong size (names the tensor).</exception>
    public static TensorData ToTensorData(TensorProto t, string modelDir)
    {
        long[] shape = t.Dims.ToArray();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        var type = (TensorProto.Types.DataType)t.DataType;
        byte[]? raw = t.DataLocation == TensorProto.Types.DataLocation.External ? ReadExternal(t,
            modelDir) : t.RawData.Length > 0 ? t.RawData.ToByteArray() : null;
        TensorData result = type switch
        {
            TensorProto.Types.DataType.Float => raw is null ? TensorData.Create(t.FloatData.ToArray(),
                shape) : TensorData.FromBytes(DataType.Float, shape, raw),
            TensorProto.Types.DataType.Float16 => TensorData.Create(Half(raw, t, count), shape),
            TensorProto.Types.DataType.Int64 => raw is null ? TensorData.Create(t.Int64Data.ToArray(),
                shape) : TensorData.FromBytes(DataType.Int64, shape, raw),
            TensorProto.Types.DataType.Int32 => raw is null ? TensorData.Create(t.Int32Data.ToArray(),
                shape) : TensorData.FromBytes(DataType.Int32, shape, raw),
            _ => throw new InvalidDataException($"Tensor '{t.Name}' has element type {type}; expected FLOAT, FLOAT16, INT64 or INT32."),
        };
        return result.ElementCount == count ? result
            : throw new InvalidDataException($"Tensor '{t.Name}' has {result.ElementCount} values for shape [{string.Join(", ", shape)}] ({count}).");
    }

    private static float[] Half(byte[]? raw, TensorProto t, long count)
    {
        // FLOAT16 without raw_data stores each value's bits in int32_data.
        var bits = raw is null ? t.Int32Data.Select(i => (ushort)i).ToArray()
            : Enumerable.Range(0, raw.Length / 2).Select(i => BitConverter.ToUInt16(raw, 2 * i)).ToArray();
        if (bits.Length != count) throw new InvalidDataException($"Tensor '{t.Name}' has {bits.Length} FLOAT16 values; its shape needs {count}.");
        return bits.Select(b => (float)BitConverter.UInt16BitsToHalf(b)).ToArray();
    }

    private static byte[] ReadExternal(TensorProto t, string modelDir)
    {
        var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        if (!entries.TryGetValue("location", out var location)) throw new InvalidDataException($"Tensor '{t.Name}' is external but names no location.");
        var path = Path.GetFullPath(Path.Combine(modelDir, location));
        if (!path.StartsWith(Path.GetFullPath(modelDir).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"Tensor '{t.Name}' names external data '{location}' outside the model's folder '{modelDir}'.");
        if (!File.Exists(path)) throw new FileNotFoundException($"External data file '{path}' of tensor '{t.Name}' does not exist.", path);
        long Number(string key, long fallback) => !entries.TryGetValue(key, out var v) ? fallback
            : long.TryParse(v, out var n) && n >= 0 ? n
                : throw new InvalidDataException($"Tensor '{t.Name}' has external data {key} '{v}'; expected a non-negative integer.");
        long offset = Number("offset", 0);
        using var stream = File.OpenRead(path);
        long length = Number("length", stream.Length - offset);
        if (offset + length > stream.Length) throw new InvalidDataException($"Tensor '{t.Name}' reads {length} bytes at {offset} of " +
            $"'{path}', which has {stream.Length}.");
        var bytes = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }
}
