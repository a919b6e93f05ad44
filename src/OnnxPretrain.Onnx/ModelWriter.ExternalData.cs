using Google.Protobuf;
using Onnx;

namespace OnnxPretrain.Onnx;

/// <summary>Whether <see cref="ModelWriter.Save"/> moves initializers into an ONNX external data file.</summary>
public enum ExternalData
{
    /// <summary>External only when the inline initializers exceed <see cref="ModelWriter.AutoExternalThresholdBytes"/> (protobuf's 2 GB
    /// limit, less headroom).</summary>
    Auto,
    /// <summary>Always external (tensors of at least <see cref="ModelWriter.ExternalTensorMinBytes"/> bytes).</summary>
    Always,
    /// <summary>Never: everything inline; serialisation fails beyond 2 GB.</summary>
    Never,
}

public static partial class ModelWriter
{
    /// <summary>Inline initializer bytes above which <see cref="ExternalData.Auto"/> writes external data: 2 GiB less 64 MiB for the graph itself.</summary>
    public const long AutoExternalThresholdBytes = (2L << 30) - (64L << 20);

    /// <summary>Tensors smaller than this stay inline even in external-data models (the <c>onnx</c> package's <c>size_threshold</c>
    /// default, 1024 bytes).</summary>
    public const int ExternalTensorMinBytes = 1024;

    /// <summary>Offsets of external tensors are multiples of this (64 KiB, the allocation granularity ONNX Runtime memory-maps with on every OS).</summary>
    public const int ExternalDataAlignment = 65536;

    /// <summary>The external data file of a model path: <c>model.onnx</c> -> <c>model.onnx_data</c> (the torch.onnx / Optimum name).</summary>
    public static string ExternalDataPath(string modelPath) => modelPath + "_data";

    /// <summary>Total raw bytes of the model's initializers.</summary>
    public static long InitializerBytes(ModelProto model) => model.Graph.Initializer.Sum(t => (long)t.RawData.Length);

    /// <summary>
    /// Moves every initializer of at least <see cref="ExternalTensorMinBytes"/> bytes into <c>&lt;path&gt;_data</c>
    /// (ONNX external data: <c>data_location = EXTERNAL</c>, <c>external_data</c> entries <c>location</c> (file name,
    /// relative to the model), <c>offset</c>, <c>length</c>; offsets aligned to <see cref="ExternalDataAlignment"/>),
    /// written to a temp file and renamed into place. Specification: onnx/docs/ExternalData.md.
    /// </summary>
    /// <returns>The external data file's path.</returns>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static string SaveExternal(ModelProto model, string path)
    {
        var dataPath = ExternalDataPath(path);
        var tmp = dataPath + ".tmp";
        using (var stream = File.Create(tmp))
        {
            foreach (var t in model.Graph.Initializer.Where(t => t.RawData.Length >= ExternalTensorMinBytes))
            {
                long offset = (stream.Position + ExternalDataAlignment - 1) / ExternalDataAlignment * ExternalDataAlignment;
                stream.SetLength(Math.Max(stream.Length, offset));
                stream.Position = offset;
                t.RawData.WriteTo(stream);
                Point(t, Path.GetFileName(dataPath), offset, t.RawData.Length);
            }
        }
        File.Move(tmp, dataPath, overwrite: true);
        return dataPath;
    }

    private static void Point(TensorProto t, string location, long offset, long length)
    {
        t.RawData = ByteString.Empty;
        t.DataLocation = TensorProto.Types.DataLocation.External;
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }
}
