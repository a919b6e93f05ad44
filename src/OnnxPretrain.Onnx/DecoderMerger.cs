using Google.Protobuf;
using Onnx;

namespace OnnxPretrain.Onnx;

/// <summary>
/// Merges a seq2seq decoder's two exports into one model, as Optimum's <c>decoder_model_merged.onnx</c>: a bool[1] input
/// <c>use_cache_branch</c> selects, with one <c>If</c>, the with-past decoder (true) or the first-step decoder (false).
/// The weights are stored once, in the outer graph, and both branches read them. The merged model takes the union of
/// the inputs (the first step ignores the past, the cached steps ignore <c>encoder_hidden_states</c>, but every input is
/// fed) and gives the first-step decoder's outputs; in the cached branch the cross-attention <c>present.*.encoder.*</c>
/// are the <c>past_key_values.*.encoder.*</c> inputs passed through.
/// </summary>
public static class DecoderMerger
{
    /// <summary>Name of the branch-selecting input.</summary>
    public const string UseCacheBranch = "use_cache_branch";

    /// <summary>Merges <paramref name="firstStep"/> (no past) and <paramref name="withPast"/> (exports of one checkpoint).</summary>
    /// <exception cref="InvalidDataException">An output of the first step is neither produced by the cached decoder nor an
    /// encoder cache it can pass through.</exception>
    public static ModelProto Merge(ModelProto firstStep, ModelProto withPast)
    {
        var graph = new GraphProto { Name = "decoder_model_merged" };
        // Tensors both decoders hold under one name with the same data (the weights) move to the outer graph, once; the
        // rest (small constants, whose generated names can repeat with other values) stay in their branch.
        var cached = withPast.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var initializers = firstStep.Graph.Initializer.Where(t => cached.TryGetValue(t.Name, out var other) && other.Equals(t))
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
        graph.Initializer.AddRange(initializers.Values);
        var inputs = withPast.Graph.Input.Concat(firstStep.Graph.Input).Where(i => !initializers.ContainsKey(i.Name)).DistinctBy(i => i.Name).ToList();
        graph.Input.AddRange(inputs);
        graph.Input.Add(BoolInput(UseCacheBranch));
        var outputs = firstStep.Graph.Output.ToList();
        graph.Output.AddRange(outputs);
        var names = outputs.Select(o => o.Name).ToList();
        var outer = inputs.Select(i => i.Name).Concat(initializers.Keys).Append(UseCacheBranch).ToHashSet(StringComparer.Ordinal);
        var then = Branch(withPast.Graph, "with_past", names, outer);
        var @else = Branch(firstStep.Graph, "first_step", names, outer);
        then.Initializer.AddRange(withPast.Graph.Initializer.Where(t => !initializers.ContainsKey(t.Name)));
        @else.Initializer.AddRange(firstStep.Graph.Initializer.Where(t => !initializers.ContainsKey(t.Name)));
        var node = new NodeProto { Name = "use_cache_branch_if", OpType = "If" };
        node.Input.Add(UseCacheBranch);
        node.Output.AddRange(names);
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = @else });
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = firstStep.IrVersion, ProducerName = "OnnxPretrain",
            ProducerVersion = firstStep.ProducerVersion, Graph = graph };
        model.OpsetImport.AddRange(firstStep.OpsetImport);
        return model;
    }

    /// <summary>
    /// One branch: the decoder's nodes with every value it computes renamed under <paramref name="prefix"/> (so no name
    /// repeats across branches or shadows the outer graph), and outputs in the order of <paramref name="outputs"/>;
    /// an output the decoder lacks (<c>present.i.encoder.*</c>) is an Identity of the matching past input.
    /// </summary>
    private static GraphProto Branch(GraphProto source, string prefix, IReadOnlyList<string> outputs, HashSet<string> outer)
    {
        var produced = source.Node.SelectMany(n => n.Output).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        string Rename(string name) => produced.Contains(name) ? $"{prefix}/{name}" : name;
        var branch = new GraphProto { Name = prefix };
        foreach (var n in source.Node)
        {
            var copy = n.Clone();
            copy.Name = $"{prefix}/{n.Name}";
            for (int i = 0; i < copy.Input.Count; i++) copy.Input[i] = Rename(copy.Input[i]);
            for (int i = 0; i < copy.Output.Count; i++) copy.Output[i] = Rename(copy.Output[i]);
            branch.Node.Add(copy);
        }
        var sourceOutputs = source.Output.ToDictionary(o => o.Name, StringComparer.Ordinal);
        foreach (var name in outputs)
        {
            string value;
            if (sourceOutputs.ContainsKey(name)) value = Rename(name);
            else
            {
                var past = name.Replace("present.", "past_key_values.", StringComparison.Ordinal);
                if (!name.Contains(".encoder.", StringComparison.Ordinal) || !outer.Contains(past))
                    throw new InvalidDataException($"The cached decoder has no output '{name}' and no input '{past}' to pass through.");
                value = $"{prefix}/{name}";
                var identity = new NodeProto { Name = $"{prefix}/pass_{name}", OpType = "Identity" };
                identity.Input.Add(past);
                identity.Output.Add(value);
                branch.Node.Add(identity);
            }
            branch.Output.Add(new ValueInfoProto { Name = value });
        }
        return branch;
    }

    private static ValueInfoProto BoolInput(string name)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        return new ValueInfoProto { Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Bool, Shape = shape } } };
    }

    /// <summary>Writes the merged model of two decoder files to <paramref name="path"/>.</summary>
    public static void MergeFiles(string firstStep, string withPast, string path) => Write(ModelReader.Load(firstStep), ModelReader.Load(withPast), path);

    /// <summary>Writes the merged model of two decoders to <paramref name="path"/> (atomically: a temporary file, then a rename).</summary>
    public static void Write(ModelProto firstStep, ModelProto withPast, string path)
    {
        File.WriteAllBytes(path + ".tmp", Merge(firstStep, withPast).ToByteArray());
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
