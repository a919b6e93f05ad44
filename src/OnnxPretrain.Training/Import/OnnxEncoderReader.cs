using Onnx;
using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Training.Import;

/// <summary>
/// Reads the weights of a BERT/ELECTRA inference model exported from PyTorch (Optimum, <c>torch.onnx</c>) from its
/// initializers. Such exports keep Hugging Face's names for embeddings, LayerNorms and biases but store most Linear
/// weights as anonymous constants W (in, out) used as <c>MatMul(x, W)</c> then <c>Add(bias)</c>: the name comes from
/// the bias that Add consumes, and W is transposed to Hugging Face's (out, in). The shape comes from a
/// <c>config.json</c> beside the model when there is one, else from the weights' shapes and the graph (heads from the
/// attention Reshape, LayerNorm epsilon from the constant added under the square root, GELU from Erf).
/// </summary>
internal static class OnnxEncoderReader
{
    /// <summary>Reads the model; the vocabulary comes from <c>vocab.txt</c> / <c>tokenizer.json</c> beside it, or <paramref name="vocabulary"/>.</summary>
    /// <exception cref="InvalidDataException">A float initializer cannot be named (lists every one), or the shape cannot be inferred.</exception>
    public static PretrainedEncoder Read(string modelPath, IReadOnlyList<string>? vocabulary = null, EncoderConfig? config = null)
    {
        var full = Path.GetFullPath(modelPath);
        var dir = Path.GetDirectoryName(full)!;
        var index = new OnnxGraphIndex(ModelReader.Load(full), dir);
        var (tensors, unmapped) = NameWeights(index);
        if (unmapped.Count > 0)
            throw new InvalidDataException($"'{full}': {unmapped.Count} weight(s) could not be mapped to Hugging Face names " +
                $"(expected named tensors, or MatMul weights followed by an Add of a named bias): {string.Join(", ", unmapped)}.");
        var configJson = Path.Combine(dir, "config.json");
        config ??= File.Exists(configJson) ? HfEncoderConfig.FromJson(HfFolderReader.ParseObject(configJson), configJson) : InferConfig(index, tensors, full);
        vocabulary ??= BertTokenizerFiles.ReadVocabulary(dir);
        return new PretrainedEncoder(config, tensors, vocabulary, full);
    }

    /// <summary>Every float weight under its Hugging Face name, (out, in) for Linear weights; and the ones that could not be named.</summary>
    internal static (Dictionary<string, TensorData> Tensors, List<string> Unmapped) NameWeights(OnnxGraphIndex index)
    {
        var tensors = new Dictionary<string, TensorData>();
        var unmapped = new List<string>();
        foreach (var t in index.Graph.Initializer)
        {
            if ((TensorProto.Types.DataType)t.DataType is not (TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16)) continue;
            var (name, transpose) = HfName(index, t.Name);
            if (name is null)
            {
                if (t.Dims.Aggregate(1L, (a, d) => a * d) > 1) unmapped.Add($"{t.Name} [{string.Join(", ", t.Dims)}]");
                continue; // anonymous scalars are graph constants (scales, epsilons)
            }
            var data = index.Tensor(t.Name);
            if (!tensors.TryAdd(name, transpose ? Transpose(data) : data)) unmapped.Add($"{t.Name} (a second tensor for {name})");
        }
        return (tensors, unmapped);
    }

    private static (string? Name, bool Transpose) HfName(OnnxGraphIndex index, string initializer)
    {
        var users = index.Consumers(initializer);
        bool matmulB = users.Count > 0 && users.All(n => n.OpType == "MatMul" && n.Input[1] == initializer);
        bool gemmB = users.Count == 1 && users[0].OpType == "Gemm" && users[0].Input[1] == initializer;
        if (IsHfName(initializer))
        {
            if (gemmB) return (initializer, (OnnxGraphIndex.IntAttribute(users[0], "transB") ?? 0) == 0);
            return (initializer, matmulB);
        }
        if (!matmulB || users.Count != 1) return (null, false);
        foreach (var add in index.Consumers(users[0].Output[0]).Where(n => n.OpType == "Add"))
            foreach (var input in add.Input)
                if (input.EndsWith(".bias", StringComparison.Ordinal) && index.IsInitializer(input)) return (input[..^"bias".Length] + "weight", true);
        return (null, false);
    }

    private static bool IsHfName(string name) =>
        name.Contains('.') && (name.EndsWith(".weight", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal)
            || name.EndsWith(".gamma", StringComparison.Ordinal) || name.EndsWith(".beta", StringComparison.Ordinal));

    private static TensorData Transpose(TensorData t)
    {
        if (t.Shape.Length != 2) throw new InvalidDataException($"A MatMul weight of shape [{string.Join(", ", t.Shape)}] is not a matrix.");
        int rows = (int)t.Shape[0], cols = (int)t.Shape[1];
        var src = t.AsFloats();
        var dst = new float[src.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
        return TensorData.Create(dst, cols, rows);
    }

    /// <summary>The encoder's shape from the weights (sizes, layers) and the graph (heads, epsilon, activation).</summary>
    /// <exception cref="InvalidDataException">Something cannot be inferred; says to put a config.json beside the model.</exception>
    internal static EncoderConfig InferConfig(OnnxGraphIndex index, IReadOnlyDictionary<string, TensorData> tensors, string source)
    {
        bool electra = tensors.Keys.Any(k => k.StartsWith("electra.", StringComparison.Ordinal) || k.Contains("embeddings_project"));
        bool bert = tensors.Keys.Any(k => k.StartsWith("bert.", StringComparison.Ordinal) || k.Contains("pooler."));
        if (electra == bert)
            throw new InvalidDataException($"'{source}': whether this is a BERT or an ELECTRA encoder cannot be told from its weight names " +
                $"(no prefix, pooler or " +
                "embeddings_project); put the model's config.json beside it.");
        string type = electra ? "electra" : "bert";
        var byOurName = tensors.Where(kv => HfNames.ToParameter(kv.Key, type) is not null).ToDictionary(kv => HfNames.ToParameter(kv.Key,
            type)!, kv => kv.Value);
        long[] Shape(string name) => byOurName.TryGetValue($"{type}.{name}", out var t) ? t.Shape
            : throw new InvalidDataException($"'{source}': no '{name}' weight, so the shape cannot be inferred; put the model's config.json beside it.");
        var words = Shape("embeddings.word_embeddings.weight");
        int hidden = (int)Shape("encoder.layer.0.attention.self.query.bias")[0];
        int layers = 1 + byOurName.Keys.Select(k => k.Split('.')).Where(p => p.Length > 3 && p[1] == "encoder" && p[2] == "layer")
            .Select(p => int.Parse(p[3])).Max();
        var queryBias = tensors.Keys.First(k => k.EndsWith("encoder.layer.0.attention.self.query.bias", StringComparison.Ordinal));
        var config = new EncoderConfig
        {
            ModelType = type,
            VocabSize = (int)words[0],
            EmbeddingSize = type == "electra" ? (int)words[1] : null,
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = index.AttentionHeads(queryBias, hidden)
                ?? throw new InvalidDataException($"'{source}': the number of attention heads cannot be read from the graph; put the " +
                    $"model's config.json beside it."),
            IntermediateSize = (int)Shape("encoder.layer.0.intermediate.dense.bias")[0],
            HiddenAct = index.Activation()
                ?? throw new InvalidDataException($"'{source}': the feed-forward activation (Erf GELU or tanh GELU) was not found; put the " +
                    $"model's config.json beside it."),
            MaxPositionEmbeddings = (int)Shape("embeddings.position_embeddings.weight")[0],
            TypeVocabSize = (int)Shape("embeddings.token_type_embeddings.weight")[0],
            LayerNormEps = index.LayerNormEpsilon()
                ?? throw new InvalidDataException($"'{source}': the LayerNorm epsilon was not found; put the model's config.json beside it."),
        };
        try { return config.Validate("inferred"); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{source}': {e.Message}", e); }
    }
}
