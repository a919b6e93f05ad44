using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

/// <summary>The contents of a safetensors file: its tensors and its <c>__metadata__</c> strings.</summary>
/// <param name="Tensors">Tensors by name, enumerated in the order their entries appear in the file's JSON header.</param>
/// <param name="Metadata">The <c>__metadata__</c> string map, in file order; empty when the file has none.</param>
public sealed record SafetensorsFile(
    IReadOnlyDictionary<string, TensorData> Tensors,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Reads and writes the Hugging Face safetensors format: an 8-byte little-endian unsigned header length N,
/// N bytes of UTF-8 JSON (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {string: string}}</c>) padded with trailing spaces so N is a multiple of 8, then the byte buffer.
/// Offsets are relative to the start of the buffer; tensors are stored contiguously, little-endian, row-major,
/// with no gaps, overlaps or unused bytes. Supported dtypes: <c>F32</c>, <c>F64</c>, <c>I64</c>, <c>I32</c>,
/// <c>U8</c>, <c>BOOL</c> (one byte, 0 or 1); <c>F16</c> and <c>BF16</c> are read too, widened to F32 (published checkpoints). Assumes a
/// little-endian host, as <see cref="TensorData"/> does.
/// </summary>
public static class Safetensors
{
    /// <summary>Largest JSON header accepted on read, in bytes (the limit the Hugging Face library uses).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";
    private const int PrefixBytes = 8;
    private const int ChunkBytes = 1 << 24;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One tensor's header entry, validated: offsets relative to the data buffer, in bytes;
    /// <see cref="HalfKind"/> is <c>F16</c> or <c>BF16</c> for half-precision tensors, which are read widened to F32.</summary>
    private sealed record Entry(string Name, DataType Type, long[] Shape, long Count, long Begin, long End, string? HalfKind = null);

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically: the bytes go to <c>path + ".tmp"</c>
    /// in the same directory, are flushed to disk, and the temporary file is then renamed over <paramref name="path"/>
    /// (replacing any existing file). The parent directory is created if missing. Tensors are laid out in the
    /// dictionary's enumeration order; pass an <see cref="OrderedDictionary{TKey, TValue}"/> to fix that order.
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="tensors">Tensors by name; no name may be <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string map stored as <c>__metadata__</c>; omitted from the header when null or empty.</param>
    /// <exception cref="ArgumentException">A tensor name is <c>__metadata__</c>, or a tensor or metadata value is null.</exception>
    /// <exception cref="IOException">The file could not be written or renamed; the temporary file is removed.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var tmp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTo(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Serializes <paramref name="tensors"/> to a safetensors byte array (see <see cref="WriteTo"/> for layout and order).</summary>
    /// <returns>The complete file contents; the total must fit a managed array (under 2 GiB).</returns>
    /// <exception cref="ArgumentException">A tensor name is <c>__metadata__</c>, or a tensor or metadata value is null.</exception>
    public static byte[] Serialize(IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        WriteTo(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>
    /// Writes the safetensors encoding of <paramref name="tensors"/> to <paramref name="stream"/>: the header
    /// (<c>__metadata__</c> first when present, then one entry per tensor in enumeration order) and then each
    /// tensor's bytes in that same order.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor name is <c>__metadata__</c>, or a tensor or metadata value is null.</exception>
    public static void WriteTo(Stream stream, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.ToList();
        var header = BuildHeader(ordered, metadata);
        Span<byte> prefix = stackalloc byte[PrefixBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (_, tensor) in ordered) WriteTensorBytes(stream, tensor);
    }

    /// <summary>Reads a safetensors file, validating its header and layout. Large tensors are streamed into their arrays.</summary>
    /// <param name="path">File to read.</param>
    /// <returns>The tensors (in header order) and metadata.</returns>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or malformed; the message names the file, the problem, and the
    /// offending value or offset.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return ReadFrom(stream, stream.Length, path);
    }

    /// <summary>Parses an in-memory safetensors file (the inverse of <see cref="Serialize"/>).</summary>
    /// <param name="bytes">The complete file contents.</param>
    /// <param name="sourceName">Name used in error messages (usually the file name).</param>
    /// <exception cref="InvalidDataException">The bytes are truncated or malformed; the message names <paramref name="sourceName"/>, the
    /// problem, and the offending value or offset.</exception>
    public static SafetensorsFile Deserialize(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return ReadFrom(stream, stream.Length, sourceName);
    }

    /// <summary>The safetensors dtype string for <paramref name="type"/> (<c>F32</c>, <c>F64</c>, <c>I64</c>, <c>I32</c>, <c>U8</c>, <c>BOOL</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type has no safetensors name here.</exception>
    public static string DtypeName(DataType type) => type switch
    {
        DataType.Float => "F32",
        DataType.Double => "F64",
        DataType.Int64 => "I64",
        DataType.Int32 => "I32",
        DataType.UInt8 => "U8",
        DataType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported data type for safetensors."),
    };

    private static DataType? ParseDtype(string name) => name switch
    {
        "F32" => DataType.Float,
        "F64" => DataType.Double,
        "I64" => DataType.Int64,
        "I32" => DataType.Int32,
        "U8" => DataType.UInt8,
        "BOOL" => DataType.Bool,
        _ => null,
    };

    // ---------------------------------------------------------------- writing

    private static byte[] BuildHeader(List<KeyValuePair<string, TensorData>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, WriterOptions))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 }) WriteMetadata(w, metadata);
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot be a tensor name.", nameof(tensors));
                if (tensor is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
                long size = tensor.ElementCount * tensor.Type.SizeOf();
                w.WriteStartObject(name);
                w.WriteString("dtype", DtypeName(tensor.Type));
                w.WriteStartArray("shape");
                foreach (var d in tensor.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        int padded = (int)((json.Length + PrefixBytes - 1) / PrefixBytes * PrefixBytes);
        while (json.Length < padded) json.WriteByte((byte)' ');
        return json.ToArray();
    }

    private static void WriteMetadata(Utf8JsonWriter w, IReadOnlyDictionary<string, string> metadata)
    {
        w.WriteStartObject(MetadataKey);
        foreach (var (key, value) in metadata)
        {
            if (value is null) throw new ArgumentException($"Metadata value for '{key}' is null.", nameof(metadata));
            w.WriteString(key, value);
        }
        w.WriteEndObject();
    }

    private static void WriteTensorBytes(Stream stream, TensorData tensor)
    {
        if (tensor.Data is bool[] bools)
        {
            var buffer = new byte[Math.Min(bools.Length, ChunkBytes)];
            for (int start = 0; start < bools.Length; start += buffer.Length)
            {
                int n = Math.Min(buffer.Length, bools.Length - start);
                for (int i = 0; i < n; i++) buffer[i] = bools[start + i] ? (byte)1 : (byte)0;
                stream.Write(buffer, 0, n);
            }
            return;
        }
        ref byte data = ref MemoryMarshal.GetArrayDataReference(tensor.Data);
        long total = tensor.ElementCount * tensor.Type.SizeOf();
        for (long start = 0; start < total; start += ChunkBytes)
        {
            int n = (int)Math.Min(ChunkBytes, total - start);
            stream.Write(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref data, (nint)start), n));
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // ---------------------------------------------------------------- reading

    private static SafetensorsFile ReadFrom(Stream stream, long length, string source)
    {
        if (length < PrefixBytes)
            throw Bad(source, $"file is {length} bytes long, shorter than the 8-byte header length prefix at offset 0 (truncated file)");
        Span<byte> prefix = stackalloc byte[PrefixBytes];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw Bad(source, $"header length {headerLength} at offset 0 exceeds the {MaxHeaderBytes}-byte limit");
        if (headerLength > (ulong)(length - PrefixBytes))
            throw Bad(source, $"header length {headerLength} at offset 0 is larger than the {length - PrefixBytes} bytes that follow the " +
                $"prefix (truncated file)");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long bufferLength = length - PrefixBytes - (long)headerLength;
        var (entries, metadata) = ParseHeader(header, bufferLength, source);
        CheckLayout(entries, bufferLength, PrefixBytes + (long)headerLength, source);
        var data = new TensorData[entries.Count];
        foreach (var i in Enumerable.Range(0, entries.Count).OrderBy(i => entries[i].Begin).ThenBy(i => entries[i].End))
            data[i] = ReadTensor(stream, entries[i]);
        var tensors = new OrderedDictionary<string, TensorData>(entries.Count);
        for (int i = 0; i < entries.Count; i++) tensors.Add(entries[i].Name, data[i]);
        return new SafetensorsFile(tensors, metadata);
    }

    private static (List<Entry> Entries, OrderedDictionary<string, string> Metadata) ParseHeader(byte[] header, long bufferLength, string source)
    {
        if (!Utf8.IsValid(header))
            throw Bad(source, $"the {header.Length}-byte header at offset {PrefixBytes} is not valid UTF-8");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e)
        {
            throw Bad(source, $"the header at offset {PrefixBytes} is not valid JSON (line {e.LineNumber}, byte {e.BytePositionInLine}): " +
                $"{e.Message.TrimEnd('.')}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(source, $"the header at offset {PrefixBytes} is a JSON {doc.RootElement.ValueKind}, expected a JSON object");
            var entries = new List<Entry>();
            var metadata = new OrderedDictionary<string, string>();
            var seen = new HashSet<string>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Bad(source, $"the header has the key '{property.Name}' more than once");
                if (property.Name == MetadataKey) ParseMetadata(property.Value, metadata, source);
                else entries.Add(ParseEntry(property.Name, property.Value, bufferLength, source));
            }
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement value, OrderedDictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(source, $"'{MetadataKey}' is a JSON {value.ValueKind}, expected an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Bad(source, $"'{MetadataKey}' entry '{item.Name}' is a JSON {item.Value.ValueKind}, expected a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, long bufferLength, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(source, $"tensor '{name}' is a JSON {value.ValueKind}, expected an object with dtype, shape and data_offsets");
        var dtypeText = Required(value, "dtype", JsonValueKind.String, name, source).GetString()!;
        string? half = dtypeText is "F16" or "BF16" ? dtypeText : null;
        var type = (half is null ? ParseDtype(dtypeText) : DataType.Float)
            ?? throw Bad(source, $"tensor '{name}' has unknown dtype '{dtypeText}'; expected one of F32, F64, I64, I32, U8, BOOL, F16, BF16");
        var shape = ParseShape(Required(value, "shape", JsonValueKind.Array, name, source), name, source);
        var offsets = Required(value, "data_offsets", JsonValueKind.Array, name, source);
        var (begin, end) = ParseOffsets(offsets, name, source);
        if (end > bufferLength)
            throw Bad(source, $"tensor '{name}' data_offsets [{begin}, {end}] end past the {bufferLength}-byte data buffer");
        long count = ElementCount(shape, name, source);
        int size = half is null ? type.SizeOf() : 2;
        long expected = count <= long.MaxValue / size ? count * size : -1;
        if (expected != end - begin)
            throw Bad(source, $"tensor '{name}' ({dtypeText}, shape [{string.Join(", ", shape)}]) needs " +
                $"{(expected < 0 ? "more than 2^63" : expected.ToString())} bytes but data_offsets [{begin}, {end}] hold {end - begin} bytes (size mismatch)");
        if (count > Array.MaxLength)
            throw Bad(source, $"tensor '{name}' has {count} elements, more than a managed array can hold ({Array.MaxLength})");
        return new Entry(name, type, shape, count, begin, end, half);
    }

    private static JsonElement Required(JsonElement entry, string field, JsonValueKind kind, string name, string source)
    {
        if (!entry.TryGetProperty(field, out var value))
            throw Bad(source, $"tensor '{name}' has no '{field}' field");
        if (value.ValueKind != kind)
            throw Bad(source, $"tensor '{name}' field '{field}' is a JSON {value.ValueKind} ({value.GetRawText()}), expected a JSON " +
                $"{kind.ToString().ToLowerInvariant()}");
        return value;
    }

    private static long[] ParseShape(JsonElement shape, string name, string source)
    {
        var dims = new long[shape.GetArrayLength()];
        int i = 0;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out dims[i]) || dims[i] < 0)
                throw Bad(source, $"tensor '{name}' shape {shape.GetRawText()} has dimension {i} = {d.GetRawText()}; expected a list of non-negative integers");
            i++;
        }
        return dims;
    }

    private static (long Begin, long End) ParseOffsets(JsonElement offsets, string name, string source)
    {
        var values = new List<long>();
        foreach (var o in offsets.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out var v) || v < 0) { values.Clear(); break; }
            values.Add(v);
        }
        if (values.Count != 2 || values[0] > values[1])
            throw Bad(source, $"tensor '{name}' data_offsets {offsets.GetRawText()} are invalid; expected [begin, end] with 0 <= begin <= end");
        return (values[0], values[1]);
    }

    private static long ElementCount(long[] shape, string name, string source)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d != 0 && count > long.MaxValue / d)
                throw Bad(source, $"tensor '{name}' shape [{string.Join(", ", shape)}] has more than 2^63 elements");
            count *= d;
        }
        return count;
    }

    /// <summary>Checks that the entries tile the buffer exactly: sorted by offset, each begins where the previous ends, the last ends at
    /// the buffer's end.</summary>
    private static void CheckLayout(List<Entry> entries, long bufferLength, long bufferStart, string source)
    {
        long next = 0;
        string previous = "the start of the data buffer";
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != next)
            {
                var problem = e.Begin < next ? "overlaps" : "leaves a gap after";
                throw Bad(source, $"tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] (file offset {bufferStart + e.Begin}) {problem} " +
                    $"{previous}, which ends at buffer offset {next}; tensors must be contiguous");
            }
            next = e.End;
            previous = $"tensor '{e.Name}'";
        }
        if (next != bufferLength)
            throw Bad(source, $"the data buffer has {bufferLength - next} unused bytes at buffer offset {next} (file offset " +
                $"{bufferStart + next}) after {previous}; the tensors cover {next} of {bufferLength} bytes");
    }

    private static TensorData ReadTensor(Stream stream, Entry e)
    {
        if (e.HalfKind is not null) return ReadHalfTensor(stream, e);
        var data = Array.CreateInstance(e.Type.ClrType(), e.Count);
        if (data is bool[] bools)
        {
            var buffer = new byte[Math.Min(bools.Length, ChunkBytes)];
            for (int start = 0; start < bools.Length; start += buffer.Length)
            {
                int n = Math.Min(buffer.Length, bools.Length - start);
                stream.ReadExactly(buffer, 0, n);
                for (int i = 0; i < n; i++) bools[start + i] = buffer[i] != 0;
            }
        }
        else
        {
            ref byte target = ref MemoryMarshal.GetArrayDataReference(data);
            long total = e.End - e.Begin;
            for (long start = 0; start < total; start += ChunkBytes)
            {
                int n = (int)Math.Min(ChunkBytes, total - start);
                stream.ReadExactly(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref target, (nint)start), n));
            }
        }
        return TensorData.Create(data, e.Shape);
    }

    /// <summary>Reads an F16 or BF16 tensor, widened exactly to F32 (every half value is representable in float).</summary>
    private static TensorData ReadHalfTensor(Stream stream, Entry e)
    {
        var values = new float[e.Count];
        var buffer = new byte[Math.Min(e.End - e.Begin, ChunkBytes)];
        for (long done = 0; done < e.Count;)
        {
            int n = (int)Math.Min(buffer.Length / 2, e.Count - done);
            stream.ReadExactly(buffer, 0, 2 * n);
            for (int i = 0; i < n; i++)
            {
                ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(2 * i));
                values[done + i] = e.HalfKind == "BF16" ? BitConverter.Int32BitsToSingle(bits << 16) : (float)BitConverter.UInt16BitsToHalf(bits);
            }
            done += n;
        }
        return TensorData.Create(values, e.Shape);
    }

    private static InvalidDataException Bad(string source, string problem, Exception? inner = null) =>
        new($"Invalid safetensors file '{source}': {problem}.", inner);
}
