using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training.Import;

/// <summary>
/// Reads a Hugging Face model folder: <c>config.json</c> (<c>model_type</c> bert or electra), <c>model.safetensors</c>
/// (F32, F16 or BF16; stored as F32) and the tokenizer (<c>vocab.txt</c> or a WordPiece <c>tokenizer.json</c>).
/// A sentence-transformers folder's <c>1_Pooling/config.json</c> gives the pooling, and its <c>config_sentence_transformers.json</c> the query prefix.
/// </summary>
internal static class HfFolderReader
{
    /// <summary>Reads the folder.</summary>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or describes a model we cannot reproduce (names the file and value).</exception>
    public static PretrainedEncoder Read(string dir)
    {
        var configPath = Path.Combine(dir, "config.json");
        var config = HfEncoderConfig.FromJson(ParseObject(configPath), configPath);
        var weights = Safetensors.Read(Path.Combine(dir, "model.safetensors")).Tensors;
        var tensors = new Dictionary<string, TensorData>();
        foreach (var (name, t) in weights)
        {
            if (t.Type == DataType.Float || name.EndsWith("position_ids", StringComparison.Ordinal)) tensors[name] = t; // buffers are reported unused
            else
                throw new InvalidDataException($"'{Path.Combine(dir, "model.safetensors")}' tensor '{name}' is {t.Type}; expected a float " +
                    $"tensor (F32, F16 or BF16).");
        }
        var sentence = SentenceEmbeddingFiles.Read(dir);
        return new PretrainedEncoder(config, tensors, BertTokenizerFiles.ReadVocabulary(dir), Path.GetFullPath(dir), sentence?.Pooling, sentence?.QueryPrefix);
    }

    /// <summary>Parses a JSON object file.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">It is not a JSON object.</exception>
    public static JsonObject ParseObject(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }
}
