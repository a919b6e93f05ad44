using Google.Protobuf;
using Onnx;

namespace OnnxPretrain.Onnx;

/// <summary>How parameters appear in a written ONNX model.</summary>
public enum ParameterLayout
{
    /// <summary>Parameters are graph inputs after the runtime inputs (training artifacts: fed as OrtValues every step).</summary>
    AsInputs,
    /// <summary>Parameters are initializers holding their <see cref="Parameter.Initial"/> data (inference exports).</summary>
    AsInitializers,
}

/// <summary>Writes a <see cref="Graph"/> as an ONNX <c>ModelProto</c> (IR version 8, opset 17, <c>com.microsoft</c> 1).</summary>
public static partial class ModelWriter
{
    /// <summary>ONNX IR version written.</summary>
    public const long IrVersion = 8;

    /// <summary>Builds the ModelProto. Inputs: runtime inputs, then parameters (registration order) when they are inputs, then trailing inputs.</summary>
    /// <param name="graph">The graph to write.</param>
    /// <param name="layout">Whether parameters are inputs or initializers.</param>
    /// <param name="parameterData">Overrides for parameter data by name (e.g. trained weights) when writing initializers.</param>
    /// <exception cref="InvalidOperationException">The graph has no outputs.</exception>
    public static ModelProto ToProto(Graph graph, ParameterLayout layout, IReadOnlyDictionary<string, TensorData>? parameterData = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Outputs.Count == 0) throw new InvalidOperationException($"Graph '{graph.Name}' has no outputs.");
        var g = new GraphProto { Name = graph.Name };
        foreach (var v in graph.Inputs) g.Input.Add(ValueInfo(v));
        foreach (var p in graph.Parameters)
        {
            if (layout == ParameterLayout.AsInputs) g.Input.Add(ValueInfo(p.Value));
            else g.Initializer.Add(Tensor(p.Value.Name, parameterData?.GetValueOrDefault(p.Value.Name) ?? p.Initial));
        }
        foreach (var v in graph.TrailingInputs) g.Input.Add(ValueInfo(v));
        foreach (var (name, data) in graph.Constants) g.Initializer.Add(Tensor(name, data));
        foreach (var n in graph.Nodes) g.Node.Add(NodeProto(n));
        foreach (var v in graph.Outputs) g.Output.Add(ValueInfo(v));
        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "OnnxPretrain", ProducerVersion = "0.1", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Graph.OnnxOpset });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = Graph.MsDomain, Version = 1 });
        foreach (var (key, value) in graph.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>Serializes the graph to ONNX bytes.</summary>
    public static byte[] ToBytes(Graph graph, ParameterLayout layout, IReadOnlyDictionary<string, TensorData>? parameterData = null) =>
        ToProto(graph, layout, parameterData).ToByteArray();

    /// <summary>
    /// Writes the graph to <paramref name="path"/> atomically (temp files, then rename). With
    /// <paramref name="external"/> <see cref="ExternalData.Auto"/> the initializers go to ONNX external data
    /// (<c>&lt;file&gt;_data</c>, e.g. <c>model.onnx_data</c>) when they would push the protobuf past its 2 GB limit;
    /// see <see cref="SaveExternal"/>.
    /// </summary>
    /// <returns>The external data file written, or null when every tensor is inline.</returns>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static string? Save(Graph graph, string path, ParameterLayout layout, IReadOnlyDictionary<string, TensorData>? parameterData = null,
        ExternalData external = ExternalData.Auto)
    {
        var model = ToProto(graph, layout, parameterData);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        bool toExternal = external == ExternalData.Always || external == ExternalData.Auto && InitializerBytes(model) > AutoExternalThresholdBytes;
        string? dataFile = toExternal ? SaveExternal(model, path) : null;
        var tmp = path + ".tmp";
        using (var stream = File.Create(tmp)) model.WriteTo(stream);
        File.Move(tmp, path, overwrite: true);
        if (dataFile is null && File.Exists(ExternalDataPath(path))) File.Delete(ExternalDataPath(path));   // stale data of an earlier save
        return dataFile;
    }

    /// <summary>The ONNX ValueInfo (name, element type, dims with <c>dim_param</c> for symbolic dims).</summary>
    public static ValueInfoProto ValueInfo(Value v)
    {
        var shape = new TensorShapeProto();
        foreach (var d in v.Shape.Dims)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (d.IsStatic) dim.DimValue = d.Value;
            else if (!d.IsUnknown) dim.DimParam = d.ToString();
            shape.Dim.Add(dim);
        }
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)v.Type, Shape = shape };
        return new ValueInfoProto { Name = v.Name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>A TensorProto holding <paramref name="data"/> as raw little-endian bytes.</summary>
    public static TensorProto Tensor(string name, TensorData data)
    {
        var t = new TensorProto { Name = name, DataType = (int)data.Type, RawData = ByteString.CopyFrom(data.ToBytes()) };
        t.Dims.AddRange(data.Shape);
        return t;
    }

    private static NodeProto NodeProto(Node n)
    {
        var p = new NodeProto { OpType = n.OpType, Name = n.Name, Domain = n.Domain };
        foreach (var i in n.Inputs) p.Input.Add(i?.Name ?? "");
        foreach (var o in n.Outputs) p.Output.Add(o.Name);
        foreach (var (name, value) in n.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal)) p.Attribute.Add(Attribute(name, value, n));
        return p;
    }

    private static AttributeProto Attribute(string name, object value, Node n)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case long i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ints); break;
            case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
            case TensorData t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = Tensor("", t); break;
            default: throw new NotSupportedException($"Attribute '{name}' of {n} has unsupported type {value.GetType().Name}.");
        }
        return a;
    }
}
