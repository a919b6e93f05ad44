using System.Text.Json.Nodes;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Training.Tests.Import;

/// <summary>A tiny published-style BERT written by the tests: a Hugging Face folder with the fixture's 59-token vocabulary.</summary>
public static class ImportFixture
{
    /// <summary>The tiny BERT's shape.</summary>
    public static readonly EncoderConfig Tiny = new()
    {
        ModelType = "bert", VocabSize = 59, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 32,
        MaxPositionEmbeddings = 48, LayerNormEps = 1e-7f,
    };

    /// <summary>Random tensors under BertModel's names (no <c>bert.</c> prefix), plus the position_ids buffer.</summary>
    public static Dictionary<string, TensorData> HfTensors(int seed = 5)
    {
        var rng = new Random(seed);
        var tensors = PretrainedImport.EncoderParameters(Tiny).ToDictionary(kv => kv.Key["bert.".Length..],
            kv => TensorData.Create(Enumerable.Range(0,
                (int)kv.Value.Aggregate(1L, (a, d) => a * d)).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), kv.Value));
        tensors["embeddings.position_ids"] = TensorData.Create(Enumerable.Range(0, 48).Select(i => (long)i).ToArray(), 1, 48);
        return tensors;
    }

    /// <summary>Writes config.json, model.safetensors and vocab.txt into a new temp folder; returns it.</summary>
    public static string HfFolder(Dictionary<string, TensorData>? tensors = null, JsonObject? config = null)
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-hf-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), (config ?? HfEncoderConfig.ToJson(Tiny)).ToJsonString());
        Safetensors.Write(Path.Combine(dir, "model.safetensors"), tensors ?? HfTensors());
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Fixture.VocabTokens());
        return dir;
    }
}
