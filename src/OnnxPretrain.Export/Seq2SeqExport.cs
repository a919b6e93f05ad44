using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Export;

/// <summary>Token ids an encoder-decoder needs at generation time (written into <c>config.json</c>).</summary>
/// <param name="Pad">Padding id.</param>
/// <param name="DecoderStart">First decoder input of every target.</param>
/// <param name="Eos">End of sequence: generation of a row stops after it.</param>
public sealed record Seq2SeqTokenIds(int Pad, int DecoderStart, int Eos);

/// <summary>
/// Exports a trained BART-family model (<see cref="Seq2Seq"/>) for generation in the layout of Hugging Face Optimum's
/// seq2seq exports, so its C# generator and other clients can decode with a key/value cache:
/// <list type="bullet">
/// <item><c>encoder_model.onnx</c>: <c>input_ids</c>, <c>attention_mask</c> (B, S) int64 -> <c>last_hidden_state</c> (B, S, d).</item>
/// <item><c>decoder_model.onnx</c> (first step, or no cache): <c>encoder_attention_mask</c> (B, S), <c>input_ids</c> (B, L),
/// <c>encoder_hidden_states</c> (B, S, d) -> <c>logits</c> (B, L, V), <c>present.{i}.decoder.key|value</c> (B, N, L, D),
/// <c>present.{i}.encoder.key|value</c> (B, N, S, D).</item>
/// <item><c>decoder_with_past_model.onnx</c>: <c>encoder_attention_mask</c> (B, S), <c>input_ids</c> (B, L),
/// <c>past_key_values.{i}.decoder.key|value</c> (B, N, P, D), <c>past_key_values.{i}.encoder.key|value</c> (B, N, S, D)
/// -> <c>logits</c> (B, L, V), <c>present.{i}.decoder.key|value</c> (B, N, P + L, D).</item>
/// </list>
/// Beside them: <c>model.safetensors</c> (HF names), <c>config.json</c> (BartConfig keys) and the tokenizer files.
/// </summary>
public static class Seq2SeqExport
{
    /// <summary>File names written.</summary>
    public const string EncoderFile = "encoder_model.onnx", DecoderFile = "decoder_model.onnx", DecoderWithPastFile = "decoder_with_past_model.onnx",
        MergedDecoderFile = "decoder_model_merged.onnx";

    /// <summary>Writes the export folder and returns it.</summary>
    /// <param name="config">Model hyper-parameters.</param>
    /// <param name="parameters">Trained parameters by HF name (a checkpoint's <c>model.safetensors</c>); extra entries are ignored.</param>
    /// <param name="outDir">Folder to write (created if missing).</param>
    /// <param name="ids">Special token ids for <c>config.json</c>.</param>
    /// <param name="vocabTxt">bert-style <c>vocab.txt</c> to copy beside the models, or null.</param>
    /// <param name="layout"><see cref="ExportLayout.Optimum"/>: the three models above (our generator's layout);
    /// <see cref="ExportLayout.TransformersJs"/>: <c>onnx/encoder_model.onnx</c> and <c>onnx/decoder_model_merged.onnx</c>
    /// (<see cref="DecoderMerger"/>: one decoder with a <c>use_cache_branch</c> input, weights once), plus
    /// <c>generation_config.json</c>, for transformers.js' seq2seq pipelines.</param>
    /// <exception cref="InvalidDataException">A parameter is missing or has the wrong shape (names it).</exception>
    /// <exception cref="ArgumentException">The sentence-transformers layout (encoders only).</exception>
    public static string Write(Seq2SeqConfig config, IReadOnlyDictionary<string, TensorData> parameters, string outDir,
        Seq2SeqTokenIds ids, string? vocabTxt = null, ExportLayout layout = ExportLayout.Optimum)
    {
        if (layout == ExportLayout.SentenceTransformers) throw new ArgumentException("The sentence-transformers layout is for encoders.", nameof(layout));
        Directory.CreateDirectory(outDir);
        if (layout == ExportLayout.TransformersJs) return WriteTransformersJs(config, parameters, outDir, ids, vocabTxt);
        var all = new Dictionary<string, TensorData>();
        foreach (var (file, graph) in new[] { (EncoderFile, EncoderGraph(config)), (DecoderFile, DecoderGraph(config, withPast: false)),
                     (DecoderWithPastFile, DecoderGraph(config, withPast: true)) })
        {
            var weights = EncoderExport.SelectWeights(graph, parameters, "bart model");
            foreach (var (k, v) in weights) all[k] = v;
            ModelWriter.Save(graph, Path.Combine(outDir, file), ParameterLayout.AsInitializers, weights);
        }
        Safetensors.Write(Path.Combine(outDir, "model.safetensors"), all, new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(outDir, "config.json"), HfConfig(config, ids).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (vocabTxt is not null) EncoderExport.WriteTokenizer(outDir, vocabTxt, seq2seq: true);
        return outDir;
    }

    /// <summary>transformers.js' layout: <c>onnx/encoder_model.onnx</c>, <c>onnx/decoder_model_merged.onnx</c>, configs.</summary>
    private static string WriteTransformersJs(Seq2SeqConfig config, IReadOnlyDictionary<string, TensorData> parameters, string outDir,
        Seq2SeqTokenIds ids, string? vocabTxt)
    {
        var onnx = Directory.CreateDirectory(Path.Combine(outDir, "onnx")).FullName;
        var encoder = EncoderGraph(config);
        ModelWriter.Save(encoder, Path.Combine(onnx, EncoderFile), ParameterLayout.AsInitializers,
            EncoderExport.SelectWeights(encoder, parameters, "bart model"));
        global::Onnx.ModelProto Decoder(bool withPast)
        {
            var g = DecoderGraph(config, withPast);
            return ModelWriter.ToProto(g, ParameterLayout.AsInitializers, EncoderExport.SelectWeights(g, parameters, "bart model"));
        }
        DecoderMerger.Write(Decoder(false), Decoder(true), Path.Combine(onnx, MergedDecoderFile));
        WriteJson(Path.Combine(outDir, "config.json"), HfConfig(config, ids));
        WriteJson(Path.Combine(outDir, "generation_config.json"), new JsonObject
        {
            ["decoder_start_token_id"] = ids.DecoderStart, ["bos_token_id"] = ids.DecoderStart, ["eos_token_id"] = ids.Eos, ["pad_token_id"] = ids.Pad,
            ["forced_eos_token_id"] = ids.Eos, ["max_new_tokens"] = 32, ["num_beams"] = 1, ["no_repeat_ngram_size"] = 0,
        });
        if (vocabTxt is not null) EncoderExport.WriteTokenizer(outDir, vocabTxt, seq2seq: true);
        return outDir;
    }

    private static void WriteJson(string path, JsonObject o) => File.WriteAllText(path,
        o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>The encoder graph: input_ids, attention_mask (B, S) -> last_hidden_state (B, S, d).</summary>
    public static Graph EncoderGraph(Seq2SeqConfig c)
    {
        var g = Graph.Create("encoder");
        var bs = new Shape("batch_size", "encoder_sequence_length");
        var ids = g.Input("input_ids", DataType.Int64, bs);
        var mask = g.Input("attention_mask", DataType.Int64, bs);
        var rows = Seq2Seq.EncoderStack(new Layers(g, 0, c.InitStd), c, ids, mask, training: false);      // (B*S, d)
        g.Output(g.Reshape(rows, g.Concat([g.ShapeOf(ids), g.Int64s(c.DModel)], 0), new Shape(bs[0], bs[1], c.DModel)), "last_hidden_state");
        return g;
    }

    /// <summary>The decoder graph, without (first step) or with a key/value cache; see the class summary for its signature.</summary>
    public static Graph DecoderGraph(Seq2SeqConfig c, bool withPast)
    {
        var g = Graph.Create(withPast ? "decoder_with_past" : "decoder");
        int n = c.DecoderAttentionHeads, headDim = c.DModel / n;
        var mask = g.Input("encoder_attention_mask", DataType.Int64, new Shape("batch_size", "encoder_sequence_length"));
        var ids = g.Input("input_ids", DataType.Int64, new Shape("batch_size", "decoder_sequence_length"));
        var hidden = withPast ? null : g.Input("encoder_hidden_states", DataType.Float, new Shape("batch_size", "encoder_sequence_length", c.DModel));
        var pastShape = new Shape("batch_size", n, "past_decoder_sequence_length", headDim);
        var crossShape = new Shape("batch_size", n, "encoder_sequence_length", headDim);
        var past = withPast ? Enumerable.Range(0, c.DecoderLayers).Select(i => (
            Key: g.Input($"past_key_values.{i}.decoder.key", DataType.Float, pastShape),
                Value: g.Input($"past_key_values.{i}.decoder.value", DataType.Float, pastShape),
            CrossKey: g.Input($"past_key_values.{i}.encoder.key", DataType.Float, crossShape),
                CrossValue: g.Input($"past_key_values.{i}.encoder.value", DataType.Float, crossShape))).ToList() : null;
        var L = new Layers(g, 0, c.InitStd);
        var pastLength = past is null ? null : g.DimOf(past[0].Key, 2);
        var x = Seq2Seq.Embed(L, c, "decoder", ids, pastLength, training: false);                         // (B*L, d)
        var layout = Seq2Seq.HeadsOf(g, ids, n, headDim);
        var causal = Seq2Seq.CausalBias(g, ids, pastLength);                                                // (1, 1, L, P+L)
        var sourceBias = Encoder.MaskBias(g, mask);                                                         // (B, 1, 1, S)
        var sourceRows = hidden is null ? null : g.Reshape(hidden, -1, c.DModel);                          // (B*S, d)
        var sourceLayout = Seq2Seq.HeadsOf(g, mask, n, headDim);
        for (int i = 0; i < c.DecoderLayers; i++)
        {
            using var scope = g.Scope($"model.decoder.layers.{i}");
            x = CachedSelfAttention(L, c, x, layout, causal, past?[i].Key, past?[i].Value, i);
            Value k, v;
            if (past is not null) (k, v) = (past[i].CrossKey, past[i].CrossValue);
            else
            {
                using (g.Scope("encoder_attn"))
                    (k, v) = (Seq2Seq.ProjectHeads(L, "k_proj", sourceRows!, c.DModel, sourceLayout),
                        Seq2Seq.ProjectHeads(L, "v_proj", sourceRows!, c.DModel, sourceLayout));
                g.Output(k, $"present.{i}.encoder.key");
                g.Output(v, $"present.{i}.encoder.value");
            }
            x = Seq2Seq.CrossAttentionBlock(L, c, x, layout, k, v, sourceBias, training: false);
            x = Seq2Seq.FeedForward(L, c, x, c.DecoderFfnDim, training: false);
        }
        var logits = Seq2Seq.LmLogits(g, x);                                                                // (B*L, V)
        g.Output(g.Reshape(logits, g.Concat([g.ShapeOf(ids), g.Int64s(c.VocabSize)], 0), new Shape(ids.Shape[0], ids.Shape[1], c.VocabSize)), "logits");
        return g;
    }

    /// <summary>Decoder self-attention whose keys/values are the cache (B, N, P, D) followed by this step's, output as <c>present.{i}.decoder.*</c>.</summary>
    private static Value CachedSelfAttention(Layers L, Seq2SeqConfig c, Value x, Encoder.HeadLayout layout, Value causal, Value? pastKey,
        Value? pastValue, int layer)
    {
        var g = L.G;
        Value attended;
        using (g.Scope("self_attn"))
        {
            var q = Seq2Seq.ProjectHeads(L, "q_proj", x, c.DModel, layout);                                 // (B, N, L, D)
            var k = Seq2Seq.ProjectHeads(L, "k_proj", x, c.DModel, layout);
            var v = Seq2Seq.ProjectHeads(L, "v_proj", x, c.DModel, layout);
            if (pastKey is not null) (k, v) = (g.Concat([pastKey, k], 2), g.Concat([pastValue!, v], 2));    // (B, N, P+L, D)
            g.Output(k, $"present.{layer}.decoder.key");
            g.Output(v, $"present.{layer}.decoder.value");
            attended = L.Linear("out_proj", Seq2Seq.Attend(L, q, k, v, causal, 0, training: false), c.DModel, c.DModel);
        }
        return L.LayerNorm("self_attn_layer_norm", g.Add(x, attended), c.DModel, c.LayerNormEps);        // (B*L, d)
    }

    /// <summary><c>config.json</c> with Hugging Face's <c>BartConfig</c> keys.</summary>
    public static JsonObject HfConfig(Seq2SeqConfig c, Seq2SeqTokenIds ids) => new()
    {
        ["architectures"] = new JsonArray("BartForConditionalGeneration"),
        ["model_type"] = "bart",
        ["vocab_size"] = c.VocabSize,
        ["d_model"] = c.DModel,
        ["encoder_layers"] = c.EncoderLayers,
        ["decoder_layers"] = c.DecoderLayers,
        ["encoder_attention_heads"] = c.EncoderAttentionHeads,
        ["decoder_attention_heads"] = c.DecoderAttentionHeads,
        ["encoder_ffn_dim"] = c.EncoderFfnDim,
        ["decoder_ffn_dim"] = c.DecoderFfnDim,
        ["activation_function"] = c.ActivationFunction,
        ["dropout"] = c.Dropout,
        ["attention_dropout"] = c.AttentionDropout,
        ["activation_dropout"] = c.ActivationDropout,
        ["max_position_embeddings"] = c.MaxPositionEmbeddings,
        ["init_std"] = c.InitStd,
        ["scale_embedding"] = c.ScaleEmbedding,
        ["is_encoder_decoder"] = true,
        ["tie_word_embeddings"] = true,
        ["pad_token_id"] = ids.Pad,
        ["bos_token_id"] = ids.DecoderStart,
        ["eos_token_id"] = ids.Eos,
        ["decoder_start_token_id"] = ids.DecoderStart,
        ["forced_eos_token_id"] = ids.Eos,
    };
}
