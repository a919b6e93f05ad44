using System.Buffers.Binary;
using System.Text;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Runtime.Tests;

[TestClass]
public sealed class SafetensorsTests
{
    private string _dir = "";

    [TestInitialize]
    public void Init()
    {
        _dir = Path.Combine(Path.GetTempPath(), "st-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TestCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static OrderedDictionary<string, TensorData> AllDtypes() => new()
    {
        ["f32"] = TensorData.Create(new[] { 1.5f, -2f, float.NaN, float.PositiveInfinity, 0f, 3.25f }, 2, 3),
        ["f64"] = TensorData.Create(new[] { Math.PI, -1e300 }, 2),
        ["i64"] = TensorData.Create(new[] { long.MinValue, 0L, long.MaxValue, 42L }, 2, 1, 2),
        ["i32"] = TensorData.Create(new[] { int.MinValue, -1, int.MaxValue }, 3),
        ["u8"] = TensorData.Create(new byte[] { 0, 1, 255 }, 3),
        ["bool"] = TensorData.Create(new[] { true, false, true, true }, 2, 2),
        ["scalar_f32"] = TensorData.Create(new[] { 7.5f }),
        ["scalar_i64"] = TensorData.Create(new[] { -9L }),
        ["scalar_bool"] = TensorData.Create(new[] { true }),
        ["empty_f32"] = TensorData.Create(Array.Empty<float>(), 0, 4),
        ["empty_u8"] = TensorData.Create(Array.Empty<byte>(), 0),
        ["empty_bool"] = TensorData.Create(Array.Empty<bool>(), 3, 0),
    };

    private static void AssertSameTensors(IReadOnlyDictionary<string, TensorData> expected, IReadOnlyDictionary<string, TensorData> actual)
    {
        CollectionAssert.AreEqual(expected.Keys.ToArray(), actual.Keys.ToArray(), "tensor names or order differ");
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.AreEqual(e.Type, a.Type, name);
            CollectionAssert.AreEqual(e.Shape, a.Shape, name);
            CollectionAssert.AreEqual(e.ToBytes(), a.ToBytes(), name);
            Assert.AreEqual(e.Data.GetType(), a.Data.GetType(), name);
        }
    }

    [TestMethod]
    public void Write_AllDtypesScalarsAndEmpty_RoundTrip()
    {
        var tensors = AllDtypes();
        var path = Path.Combine(_dir, "all.safetensors");
        Safetensors.Write(path, tensors);
        var read = Safetensors.Read(path);
        AssertSameTensors(tensors, read.Tensors);
        Assert.AreEqual(0, read.Metadata.Count);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path));
        Assert.AreEqual(0UL, headerLength % 8, "header must be padded to a multiple of 8 bytes");
    }

    [TestMethod]
    public void Serialize_AllDtypes_DeserializeRoundTrip()
    {
        var tensors = AllDtypes();
        var read = Safetensors.Deserialize(Safetensors.Serialize(tensors), "mem");
        AssertSameTensors(tensors, read.Tensors);
    }

    [TestMethod]
    public void Serialize_TinyFile_MatchesSpecByteForByte()
    {
        var tensors = new OrderedDictionary<string, TensorData>
        {
            ["a"] = TensorData.Create(new[] { 1.0f, -2.0f }, 2),
            ["b"] = TensorData.Create(new byte[] { 7 }),
        };
        // Hand-computed: the compact JSON is 105 bytes, padded with 7 spaces to 112 (a multiple of 8).
        const string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[8,9]}}";
        Assert.AreEqual(105, json.Length);
        var expected = new List<byte> { 112, 0, 0, 0, 0, 0, 0, 0 };
        expected.AddRange(Encoding.UTF8.GetBytes(json + "       "));
        expected.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3F }); // 1.0f little-endian
        expected.AddRange(new byte[] { 0x00, 0x00, 0x00, 0xC0 }); // -2.0f little-endian
        expected.Add(7);
        var actual = Safetensors.Serialize(tensors);
        CollectionAssert.AreEqual(expected.ToArray(), actual);
        Assert.AreEqual(8 + 112 + 9, actual.Length);
    }

    [TestMethod]
    public void Serialize_WithMetadata_MetadataFirstAndHeaderPadded()
    {
        var tensors = new Dictionary<string, TensorData> { ["x"] = TensorData.Create(new[] { 5L }, 1) };
        var bytes = Safetensors.Serialize(tensors, new Dictionary<string, string> { ["format"] = "pt" });
        // 85 bytes of JSON padded with 3 spaces to 88.
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        Assert.AreEqual(85, json.Length);
        Assert.AreEqual(88UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.AreEqual(json + "   ", Encoding.UTF8.GetString(bytes, 8, 88));
        Assert.AreEqual(8 + 88 + 8, bytes.Length);
    }

    [TestMethod]
    public void Write_Metadata_RoundTripsInOrder()
    {
        var metadata = new OrderedDictionary<string, string> { ["step"] = "1200", ["format"] = "pt", ["note"] = "ünïcode \"quoted\" + <tag>", ["empty"] = "" };
        var path = Path.Combine(_dir, "meta.safetensors");
        Safetensors.Write(path, new Dictionary<string, TensorData> { ["w"] = TensorData.Scalar(1f) }, metadata);
        var read = Safetensors.Read(path);
        CollectionAssert.AreEqual(metadata.ToArray(), read.Metadata.ToArray());
    }

    [TestMethod]
    public void Write_NonAlphabeticalOrder_OrderPreserved()
    {
        var tensors = new OrderedDictionary<string, TensorData>
        {
            ["zeta"] = TensorData.Scalar(1f),
            ["alpha"] = TensorData.Create(new[] { 2L }, 1),
            ["mid.layer.0"] = TensorData.Create(new[] { true }, 1),
        };
        var read = Safetensors.Deserialize(Safetensors.Serialize(tensors), "mem");
        CollectionAssert.AreEqual(new[] { "zeta", "alpha", "mid.layer.0" }, read.Tensors.Keys.ToArray());
    }

    [TestMethod]
    public void Write_ExistingFile_OverwrittenAtomicallyWithoutTmp()
    {
        var path = Path.Combine(_dir, "nested", "deeper", "ckpt.safetensors");
        Safetensors.Write(path, new Dictionary<string, TensorData> { ["old"] = TensorData.Create(new float[100], 100) });
        Safetensors.Write(path, new Dictionary<string, TensorData> { ["new"] = TensorData.Scalar(3f) });
        Assert.IsFalse(File.Exists(path + ".tmp"));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(Path.GetDirectoryName(path)!));
        var read = Safetensors.Read(path);
        CollectionAssert.AreEqual(new[] { "new" }, read.Tensors.Keys.ToArray());
        Assert.AreEqual(3f, read.Tensors["new"].AsFloats()[0]);
    }

    [TestMethod]
    public void Write_ReservedName_Throws()
    {
        var path = Path.Combine(_dir, "reserved.safetensors");
        var ex = Assert.ThrowsExactly<ArgumentException>(() =>
            Safetensors.Write(path, new Dictionary<string, TensorData> { ["__metadata__"] = TensorData.Scalar(1f) }));
        StringAssert.Contains(ex.Message, "__metadata__");
        Assert.IsFalse(File.Exists(path));
        Assert.IsFalse(File.Exists(path + ".tmp"));
    }

    [TestMethod]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        var path = Path.Combine(_dir, "absent.safetensors");
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => Safetensors.Read(path));
        StringAssert.Contains(ex.Message, path);
    }

    // ------------------------------------------------------------ corrupt files

    /// <summary>Builds a file from raw JSON (padded to 8 bytes) and a data buffer.</summary>
    private static byte[] Build(string json, byte[] buffer)
    {
        var header = Encoding.UTF8.GetBytes(json);
        int padded = (header.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + buffer.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        header.CopyTo(bytes, 8);
        bytes.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        buffer.CopyTo(bytes, 8 + padded);
        return bytes;
    }

    private void AssertCorrupt(byte[] contents, params string[] expectedFragments)
    {
        var name = "corrupt-" + Guid.NewGuid().ToString("N")[..8] + ".safetensors";
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, contents);
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => Safetensors.Read(path));
        StringAssert.Contains(ex.Message, name);
        foreach (var fragment in expectedFragments) StringAssert.Contains(ex.Message, fragment);
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [TestMethod]
    public void Read_ShorterThanPrefix_ThrowsTruncated() =>
        AssertCorrupt(new byte[] { 1, 2, 3 }, "3 bytes", "truncated");

    [TestMethod]
    public void Read_EmptyFile_ThrowsTruncated() =>
        AssertCorrupt(Array.Empty<byte>(), "0 bytes", "truncated");

    [TestMethod]
    public void Read_HugeHeaderLength_ThrowsLimit()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 40);
        AssertCorrupt(bytes, "header length 1099511627776", "100000000-byte limit");
    }

    [TestMethod]
    public void Read_HeaderLengthPastEnd_ThrowsTruncated()
    {
        var bytes = Build("{}", []);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 4096);
        AssertCorrupt(bytes, "header length 4096", "8 bytes that follow", "truncated");
    }

    [TestMethod]
    public void Read_BadJson_Throws() =>
        AssertCorrupt(Build("{\"a\": {\"dtype\": ", []), "not valid JSON");

    [TestMethod]
    public void Read_JsonArrayHeader_Throws() =>
        AssertCorrupt(Build("[1, 2]", []), "Array", "expected a JSON object");

    [TestMethod]
    public void Read_InvalidUtf8Header_Throws()
    {
        var bytes = Build("{\"ab\":{}}", []);
        bytes[10] = 0xFF;
        AssertCorrupt(bytes, "not valid UTF-8");
    }

    [TestMethod]
    public void Read_UnknownDtype_NamesTensorAndDtype() =>
        AssertCorrupt(Build("{" + Entry("w", "F8_E4M3", "[4]", 0, 4) + "}", new byte[4]), "'w'", "unknown dtype 'F8_E4M3'");

    [TestMethod]
    public void Read_NegativeDimension_Throws() =>
        AssertCorrupt(Build("{" + Entry("w", "F32", "[2,-1]", 0, 0) + "}", []), "'w'", "-1", "non-negative integers");

    [TestMethod]
    public void Read_FractionalDimension_Throws() =>
        AssertCorrupt(Build("{" + Entry("w", "F32", "[1.5]", 0, 4) + "}", new byte[4]), "'w'", "1.5", "non-negative integers");

    [TestMethod]
    public void Read_ShapeNotList_Throws() =>
        AssertCorrupt(Build("{" + Entry("w", "F32", "\"2\"", 0, 8) + "}", new byte[8]), "'w'", "shape", "expected a JSON array");

    [TestMethod]
    public void Read_OffsetsBeginAfterEnd_Throws() =>
        AssertCorrupt(Build("{" + Entry("w", "U8", "[1]", 2, 1) + "}", new byte[2]), "'w'", "[2,1]", "begin <= end");

    [TestMethod]
    public void Read_OffsetsWrongArity_Throws() =>
        AssertCorrupt(Build("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[1]), "'w'", "[0]", "[begin, end]");

    [TestMethod]
    public void Read_SizeMismatch_NamesExpectedAndActual() =>
        AssertCorrupt(Build("{" + Entry("w", "F32", "[2,2]", 0, 12) + "}", new byte[12]), "'w'", "needs 16 bytes", "hold 12 bytes", "size mismatch");

    [TestMethod]
    public void Read_OffsetsPastEnd_Throws() =>
        AssertCorrupt(Build("{" + Entry("w", "F32", "[4]", 0, 16) + "}", new byte[8]), "'w'", "[0, 16]", "past the 8-byte data buffer");

    [TestMethod]
    public void Read_OverlappingTensors_Throws() =>
        AssertCorrupt(Build("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[1]", 4, 8) + "}", new byte[8]), "'b'", "overlaps", "contiguous");

    [TestMethod]
    public void Read_GapBetweenTensors_Throws() =>
        AssertCorrupt(Build("{" + Entry("a", "U8", "[2]", 0, 2) + "," + Entry("b", "U8", "[2]", 4, 6) + "}", new byte[6]), "'b'", "gap", "buffer offset 2");

    [TestMethod]
    public void Read_UnusedTrailingBytes_Throws() =>
        AssertCorrupt(Build("{" + Entry("a", "U8", "[2]", 0, 2) + "}", new byte[5]), "3 unused bytes", "buffer offset 2");

    [TestMethod]
    public void Read_NonStringMetadata_Throws() =>
        AssertCorrupt(Build("{\"__metadata__\":{\"step\":3}}", []), "'step'", "expected a string");

    [TestMethod]
    public void Read_MissingDtype_Throws() =>
        AssertCorrupt(Build("{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4]), "'w'", "no 'dtype'");

    [TestMethod]
    public void Read_DuplicateTensorName_Throws() =>
        AssertCorrupt(Build("{" + Entry("a", "U8", "[1]", 0, 1) + "," + Entry("a", "U8", "[1]", 1, 2) + "}", new byte[2]), "'a'", "more than once");

    [TestMethod]
    public void Deserialize_Truncated_NamesSource()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => Safetensors.Deserialize(new byte[] { 1 }, "buffer.safetensors"));
        StringAssert.Contains(ex.Message, "buffer.safetensors");
    }

    [TestMethod]
    public void Read_ReorderedOffsets_ReadsEachTensorFromItsOwnRange()
    {
        // Header order differs from buffer order; both tensors must get their own bytes.
        var buffer = new byte[] { 1, 2, 3, 9 };
        var bytes = Build("{" + Entry("late", "U8", "[1]", 3, 4) + "," + Entry("early", "U8", "[3]", 0, 3) + "}", buffer);
        var read = Safetensors.Deserialize(bytes, "mem");
        CollectionAssert.AreEqual(new[] { "late", "early" }, read.Tensors.Keys.ToArray());
        CollectionAssert.AreEqual(new byte[] { 9 }, (byte[])read.Tensors["late"].Data);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, (byte[])read.Tensors["early"].Data);
    }

    [TestMethod]
    public void Read_F16AndBf16_AreWidenedToF32()
    {
        // F16 1.5 = 0x3E00, -2 = 0xC000; BF16 -3.25 = the top half of float 0xC0500000 (worked out by hand).
        var header = Encoding.UTF8.GetBytes("""{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}""" +
            ""","b":{"dtype":"BF16","shape":[1,1],"data_offsets":[4,6]}}""");
        var padded = header.Concat(Enumerable.Repeat((byte)' ', (8 - header.Length % 8) % 8)).ToArray();
        var bytes = new byte[8].Concat(padded).Concat(new byte[] { 0x00, 0x3E, 0x00, 0xC0, 0x50, 0xC0 }).ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded.Length);
        var file = Safetensors.Deserialize(bytes, "half.safetensors");
        CollectionAssert.AreEqual(new[] { 1.5f, -2f }, file.Tensors["a"].AsFloats());
        CollectionAssert.AreEqual(new[] { -3.25f }, file.Tensors["b"].AsFloats());
        CollectionAssert.AreEqual(new long[] { 1, 1 }, file.Tensors["b"].Shape);
    }
}
