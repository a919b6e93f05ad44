using System.Text.Json.Nodes;
using Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Cli.Commands;

/// <summary>
/// <c>inspect &lt;path&gt;</c>: describes an artifacts folder (manifest), an <c>.onnx</c> file (inputs, outputs,
/// initializers, op counts, opsets) or a <c>.safetensors</c> file (tensors, dtypes, shapes, counts, metadata) as JSON.
/// </summary>
public static class Inspect
{
    /// <summary>The JSON description of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="ArgumentException">The file type is not one of the supported ones.</exception>
    public static JsonObject Describe(string path)
    {
        if (Directory.Exists(path)) return Folder(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".onnx" => OnnxFile(path),
            ".safetensors" => SafetensorsFile(path),
            _ => throw new ArgumentException($"Cannot inspect '{path}': expected an artifacts folder, an .onnx or a .safetensors file."),
        };
    }

    private static JsonObject Folder(string dir)
    {
        var m = ArtifactManifest.Load(dir);
        return new JsonObject
        {
            ["kind"] = "artifacts",
            ["model_name"] = m.ModelName,
            ["parameter_count"] = m.Parameters.Sum(p => p.Count),
            ["trainable_parameter_count"] = m.TrainableParameters.Sum(p => p.Count),
            ["batch_inputs"] = new JsonArray(m.BatchInputs.Select(Spec).ToArray()),
            ["metrics"] = new JsonArray(m.Metrics.Select(x => (JsonNode)x!).ToArray()),
            ["parameters"] = new JsonArray(m.Parameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name, ["dtype"] = p.Dtype.ToString(), ["shape"] = new JsonArray(p.Shape.Select(d => (JsonNode)d).ToArray()),
                ["count"] = p.Count, ["trainable"] = p.Trainable,
            }).ToArray()),
            ["models"] = new JsonObject
            {
                ["training"] = Io(m.TrainingModel), ["eval"] = Io(m.EvalModel), ["optimizer"] = Io(m.OptimizerModel),
            },
            ["versions"] = new JsonObject(m.Versions.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
    }

    private static JsonObject Io(ModelIo io) => new()
    {
        ["file"] = io.File,
        ["inputs"] = io.Inputs.Count,
        ["outputs"] = new JsonArray(io.Outputs.Where(o => !o.Name.EndsWith(OnnxPretrain.Onnx.ArtifactNames.Grad(""),
            StringComparison.Ordinal)).Select(Spec).ToArray()),
    };

    private static JsonNode Spec(TensorSpec s) => new JsonObject
    {
        ["name"] = s.Name, ["dtype"] = s.Dtype.ToString(), ["shape"] = new JsonArray(s.Shape.Select(d => (JsonNode)d).ToArray()),
    };

    private static JsonObject OnnxFile(string path)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var g = model.Graph;
        var init = g.Initializer.Select(t => t.Name).ToHashSet();
        return new JsonObject
        {
            ["kind"] = "onnx",
            ["ir_version"] = model.IrVersion,
            ["opsets"] = new JsonObject(model.OpsetImport.Select(o => KeyValuePair.Create(o.Domain.Length == 0 ? "ai.onnx" : o.Domain, (JsonNode?)o.Version))),
            ["inputs"] = new JsonArray(g.Input.Where(i => !init.Contains(i.Name)).Select(ValueInfo).ToArray()),
            ["outputs"] = new JsonArray(g.Output.Select(ValueInfo).ToArray()),
            ["initializers"] = g.Initializer.Count,
            ["initializer_elements"] = g.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b)),
            ["nodes"] = g.Node.Count,
            ["op_counts"] = new JsonObject(g.Node.GroupBy(n => n.Domain.Length == 0 ? n.OpType : $"{n.Domain}.{n.OpType}")
                .OrderByDescending(x => x.Count()).Select(x => KeyValuePair.Create(x.Key, (JsonNode?)x.Count()))),
        };
    }

    private static JsonNode ValueInfo(ValueInfoProto v)
    {
        var t = v.Type.TensorType;
        var dims = t.Shape?.Dim.Select(d => d.DimParam.Length > 0 ? (JsonNode)d.DimParam : d.DimValue).ToArray() ?? [];
        return new JsonObject
        {
            ["name"] = v.Name, ["dtype"] = ((TensorProto.Types.DataType)t.ElemType).ToString(), ["shape"] = new JsonArray(dims),
        };
    }

    private static JsonObject SafetensorsFile(string path)
    {
        var f = Safetensors.Read(path);
        return new JsonObject
        {
            ["kind"] = "safetensors",
            ["tensor_count"] = f.Tensors.Count,
            ["element_count"] = f.Tensors.Values.Sum(t => t.ElementCount),
            ["metadata"] = new JsonObject(f.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["tensors"] = new JsonArray(f.Tensors.Select(kv => (JsonNode)new JsonObject
            {
                ["name"] = kv.Key, ["dtype"] = Safetensors.DtypeName(kv.Value.Type),
                ["shape"] = new JsonArray(kv.Value.Shape.Select(d => (JsonNode)d).ToArray()), ["count"] = kv.Value.ElementCount,
            }).ToArray()),
        };
    }
}
