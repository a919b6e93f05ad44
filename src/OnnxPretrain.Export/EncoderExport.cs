using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Export;

/// <summary>What an exported model computes (Optimum's task names).</summary>
public enum ExportTask
{
    /// <summary><c>last_hidden_state</c> (B, T, H) (+ <c>pooler_output</c> (B, H) for BERT when the checkpoint has a pooler).</summary>
    FeatureExtraction,
    /// <summary><c>logits</c> (B, 2) of the [CLS] classification head (AS2 cross-encoder).</summary>
    SequenceClassification,

    /// <summary><c>logits</c> (B, k) of a joint multi-candidate model (rows laid out by <c>Data.JointRows</c>; config.json
    /// carries <c>joint_candidates</c>).</summary>
    JointCandidates,
}

/// <summary>Where the files of an export go, for the clients that load it.</summary>
public enum ExportLayout
{
    /// <summary><c>model.onnx</c> beside <c>config.json</c> and the tokenizer files (Optimum's <c>ORTModel.from_pretrained</c>).</summary>
    Optimum,

    /// <summary><c>onnx/model.onnx</c>, the rest at the top (transformers.js' <c>pipeline</c>).</summary>
    TransformersJs,

    /// <summary>The transformers.js layout plus <c>modules.json</c>, <c>sentence_bert_config.json</c>,
    /// <c>1_Pooling/config.json</c> (and <c>2_Normalize</c>) and <c>config_sentence_transformers.json</c>
    /// (sentence-transformers with <c>backend="onnx"</c>); feature extraction only.</summary>
    SentenceTransformers,
}

/// <summary>
/// Exports a trained encoder as an inference model in a Hugging Face-style folder: <c>model.onnx</c> (inputs
/// <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> int64 (batch, sequence); output
/// <c>last_hidden_state</c> float (batch, sequence, H), as Optimum names them; weights as initializers, no loss or
/// gradient nodes, dropout removed), <c>model.safetensors</c> (the encoder's parameters under HF names),
/// <c>config.json</c> (HF keys) and, when a vocabulary is given, the BERT tokenizer files.
/// </summary>
public static class EncoderExport
{
    /// <summary>Writes the export folder and returns the path of <c>model.onnx</c>.</summary>
    /// <param name="config">Encoder hyper-parameters (its <c>ModelType</c> is the parameter prefix).</param>
    /// <param name="parameters">Trained parameters by name (e.g. a checkpoint's <c>model.safetensors</c>); extra entries are ignored.</param>
    /// <param name="outDir">Folder to write (created if missing).</param>
    /// <param name="vocabTxt">bert-style <c>vocab.txt</c> to copy beside the model, or null.</param>
    /// <param name="task">Feature extraction (hidden states) or sequence classification (logits).</param>
    /// <param name="external">Whether the weights go to <c>model.onnx_data</c> (ONNX external data): by default only when
    /// <c>model.onnx</c> would pass protobuf's 2 GB limit (see <see cref="ModelWriter.Save"/>).</param>
    /// <param name="layout">Where the files go (<see cref="ExportLayout"/>).</param>
    /// <param name="sentence">Feature extraction: the sentence embedding (pooling, query prefix) written as sentence-transformers' files in every
    /// layout (<see cref="SentenceEmbeddingFiles"/>; default mean pooling, normalised, no prefix); <c>modules.json</c> only in
    /// <see cref="ExportLayout.SentenceTransformers"/>.</param>
    /// <param name="gpt2Tokenizer">Without <paramref name="vocabTxt"/>: write our GPT-2 byte-level BPE's <c>tokenizer.json</c>
    /// (<see cref="Data.Gpt2TokenizerFiles"/>) for a model trained with it.</param>
    /// <param name="contextualAs2">A contextual AS2 cross-encoder (question, candidate, neighbours as token types 0/1/2):
    /// config.json gets <c>"contextual_as2": true</c>, which the AS2 scorer reads.</param>
    /// <param name="joint">The joint layout (k, S, head) of a <see cref="ExportTask.JointCandidates"/> export, else null.</param>
    /// <exception cref="InvalidDataException">A parameter the encoder needs is missing or has the wrong shape (names it).</exception>
    /// <exception cref="ArgumentException">The sentence-transformers layout for another task than feature extraction.</exception>
    public static string Write(EncoderConfig config, IReadOnlyDictionary<string, TensorData> parameters, string outDir, string? vocabTxt = null,
        ExportTask task = ExportTask.FeatureExtraction, ExternalData external = ExternalData.Auto, ExportLayout layout = ExportLayout.Optimum,
        SentenceEmbeddingSpec? sentence = null, bool gpt2Tokenizer = false, IJointCandidates? joint = null, bool contextualAs2 = false)
    {
        if ((task == ExportTask.JointCandidates) != (joint is not null))
            throw new ArgumentException("The joint layout is given exactly for the joint-candidates task.", nameof(joint));
        if (layout == ExportLayout.SentenceTransformers && task != ExportTask.FeatureExtraction)
            throw new ArgumentException("The sentence-transformers layout is for feature-extraction exports (sentence embeddings).", nameof(layout));
        bool pooler = config.ModelType == "bert" && parameters.ContainsKey("bert.pooler.dense.weight");
        var g = BuildGraph(config, task, pooler, joint);
        var weights = SelectWeights(g, parameters, $"{config.ModelType} encoder");
        Directory.CreateDirectory(outDir);
        var model = layout == ExportLayout.Optimum ? Path.Combine(outDir,
            "model.onnx") : Path.Combine(Directory.CreateDirectory(Path.Combine(outDir, "onnx")).FullName, "model.onnx");
        ModelWriter.Save(g, model, ParameterLayout.AsInitializers, weights, external);
        Safetensors.Write(Path.Combine(outDir, "model.safetensors"), weights, new Dictionary<string, string> { ["format"] = "pt" });
        var hf = HfConfig(config);
        if (task == ExportTask.SequenceClassification)
        {
            hf["architectures"] = new JsonArray(config.ModelType == "bert" ? "BertForSequenceClassification" : "ElectraForSequenceClassification");
            hf["num_labels"] = 2;
            hf["id2label"] = new JsonObject { ["0"] = "LABEL_0", ["1"] = "LABEL_1" };
            hf["label2id"] = new JsonObject { ["LABEL_0"] = 0, ["LABEL_1"] = 1 };
        }
        if (contextualAs2) hf["contextual_as2"] = true;
        if (joint is not null)
            hf[JointRows.ConfigKey] = JointRows.ConfigJson(joint.Head, joint.Candidates, joint.SegmentLength, joint.Pooling);
        WriteJson(Path.Combine(outDir, "config.json"), hf);
        if (vocabTxt is not null) WriteTokenizer(outDir, vocabTxt);
        else if (gpt2Tokenizer) Data.Gpt2TokenizerFiles.Write(outDir);
        if (task == ExportTask.FeatureExtraction)
            SentenceEmbeddingFiles.Write(outDir, config.HiddenSize, sentence ?? new SentenceEmbeddingSpec(),
                modules: layout == ExportLayout.SentenceTransformers);
        return model;
    }

    /// <summary>
    /// The inference graph, dropout off: encoder inputs -> <c>last_hidden_state</c> (B, T, H) (+ <c>pooler_output</c>),
    /// or -> <c>logits</c> (B, 2) for sequence classification, or (B, k) for the joint model.
    /// </summary>
    public static Graph BuildGraph(EncoderConfig c, ExportTask task = ExportTask.FeatureExtraction, bool pooler = false, IJointCandidates? joint = null)
    {
        var g = Graph.Create("encoder");
        var bt = new Shape("batch", "sequence");
        var ids = g.Input("input_ids", DataType.Int64, bt);
        var mask = g.Input("attention_mask", DataType.Int64, bt);
        var types = g.Input("token_type_ids", DataType.Int64, bt);
        var L = new Layers(g, 0, c.InitializerRange);
        var embeddings = Encoder.Embeddings(L, c, c.ModelType, ids, types, training: false);            // (B, T, E)
        var hidden = Encoder.Layers(L, c, c.ModelType, embeddings, Encoder.MaskBias(g, mask), training: false); // (B, T, H)
        if (joint is not null)
        {
            g.Output(Models.Objectives.JointCandidatesObjective.Logits(L, c, joint, hidden, mask), "logits");
            return g;
        }
        if (task == ExportTask.SequenceClassification)
        {
            g.Output(Models.Objectives.Heads.Classification(L, c, hidden, ids, 2, training: false), "logits");
            return g;
        }
        g.Output(hidden, "last_hidden_state");
        if (pooler)
        {
            var cls = g.Gather(g.Reshape(hidden, -1, c.HiddenSize), g.FirstTokenRows(ids));              // (B, H)
            g.Output(g.Tanh(L.Linear("bert.pooler.dense", cls, c.HiddenSize, c.HiddenSize)), "pooler_output");
        }
        return g;
    }

    /// <summary><c>config.json</c> with Hugging Face's keys for <c>ElectraModel</c> / <c>BertModel</c>.</summary>
    public static JsonObject HfConfig(EncoderConfig c) => HfEncoderConfig.ToJson(c);

    /// <summary>The trained tensors of every parameter of <paramref name="g"/>, by name.</summary>
    /// <exception cref="InvalidDataException">A parameter is missing or has another shape (names it and <paramref name="model"/>).</exception>
    internal static Dictionary<string, TensorData> SelectWeights(Graph g, IReadOnlyDictionary<string, TensorData> parameters, string model)
    {
        var weights = new Dictionary<string, TensorData>();
        foreach (var p in g.Parameters)
        {
            if (!parameters.TryGetValue(p.Value.Name, out var t))
                throw new InvalidDataException($"The checkpoint has no parameter '{p.Value.Name}' needed by the {model}.");
            if (!t.Shape.SequenceEqual(p.Initial.Shape))
                throw new InvalidDataException($"Parameter '{p.Value.Name}' is [{string.Join(", ", t.Shape)}], the {model} needs " +
                    $"[{string.Join(", ", p.Initial.Shape)}].");
            weights[p.Value.Name] = t;
        }
        return weights;
    }

    /// <summary>
    /// Copies <c>vocab.txt</c> and writes <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and
    /// <c>special_tokens_map.json</c> for an uncased BERT tokenizer (what transformers.js and <c>AutoTokenizer</c> load).
    /// </summary>
    /// <param name="outDir">The export folder.</param>
    /// <param name="vocabTxt">The WordPiece vocabulary.</param>
    /// <param name="seq2seq">Write <c>tokenizer.json</c> with the template of our encoder-decoders' sources (<c>A [SEP]</c>)
    /// instead of BERT's <c>[CLS] A [SEP]</c>.</param>
    /// <exception cref="IOException">A file cannot be copied or written.</exception>
    public static void WriteTokenizer(string outDir, string vocabTxt, bool seq2seq = false)
    {
        File.Copy(vocabTxt, Path.Combine(outDir, "vocab.txt"), overwrite: true);
        Data.BertTokenizerFiles.WriteConfig(outDir);
        Data.BertTokenizerFiles.WriteTokenizerJson(outDir, Data.BertTokenizerFiles.ReadVocabTxt(vocabTxt), seq2seq);
    }

    private static void WriteJson(string path, JsonObject o) =>
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}
