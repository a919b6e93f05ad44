using OnnxPretrain.Data;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation;

/// <summary>
/// Scores (question, candidate) pairs with an exported cross-encoder (a BERT-style sequence-pair classifier, as
/// fine-tuned for AS2 in e.g. Garg et al. 2020, "TANDA"). The model folder holds <c>model.onnx</c>, with int64 inputs
/// <c>input_ids</c>, <c>attention_mask</c> and (optionally) <c>token_type_ids</c> of shape (batch, sequence) and a
/// float output <c>logits</c> of shape (batch, 2) or (batch, 1), and the WordPiece <c>vocab.txt</c>. Each pair is
/// encoded as <c>[CLS] question [SEP] candidate [SEP]</c> (longest-first truncation to the maximum length), batches are
/// right-padded with [PAD] (attention mask 0, token type 0) to their longest pair, and the score is
/// logit₁ − logit₀ (the log-odds of "answers") for two classes, or the single logit.
/// </summary>
public sealed class As2Scorer : IDisposable
{
    /// <summary>Default maximum pair length in tokens, specials included.</summary>
    public const int DefaultMaxLength = 128;

    /// <summary>Default number of pairs per model run.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>File name of the ONNX model inside the model folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>File name of the WordPiece vocabulary inside the model folder.</summary>
    public const string VocabFileName = "vocab.txt";

    private static readonly string[] KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly OnnxModel _model;
    private readonly TextTokenizer _tokenizer;
    private readonly string _modelPath;

    /// <summary>Maximum pair length in tokens, specials included.</summary>
    public int MaxLength { get; }

    /// <summary>Pairs per model run.</summary>
    public int BatchSize { get; }

    /// <summary>Whether the export is a contextual cross-encoder (<see cref="As2Context"/>): <see cref="Score(As2Dataset)"/> then
    /// encodes each candidate with its neighbours.</summary>
    public bool Contextual { get; private init; }

    private As2Scorer(OnnxModel model, TextTokenizer tokenizer, string modelPath, int maxLength, int batchSize)
    {
        _model = model;
        _tokenizer = tokenizer;
        _modelPath = modelPath;
        MaxLength = maxLength;
        BatchSize = batchSize;
    }

    /// <summary>Loads <c>model.onnx</c> and <c>vocab.txt</c> from <paramref name="modelDir"/> and checks the model's signature.</summary>
    /// <param name="modelDir">The exported model folder.</param>
    /// <param name="maxLength">Maximum pair length in tokens (≥ 3: [CLS] and two [SEP]).</param>
    /// <param name="batchSize">Pairs per model run (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> &lt; 3 or <paramref name="batchSize"/> &lt; 1.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>model.onnx</c> or <c>vocab.txt</c> is missing.</exception>
    /// <exception cref="InvalidDataException">The model lacks <c>input_ids</c> or <c>logits</c>, or needs another input.</exception>
    public static As2Scorer Load(string modelDir, int maxLength = DefaultMaxLength, int batchSize = DefaultBatchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDir);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"Model folder '{modelDir}' does not exist; expected a folder " +
            $"with {ModelFileName} and {VocabFileName}.");
        string modelPath = Path.Combine(modelDir, ModelFileName), vocabPath = Path.Combine(modelDir, VocabFileName);
        if (!File.Exists(vocabPath)) throw new FileNotFoundException($"Model folder '{modelDir}' has no {VocabFileName}; expected the " +
            $"WordPiece vocabulary next to {ModelFileName}.", vocabPath);
        TextTokenizer tokenizer = TextTokenizer.CreateBert(vocabPath);
        OnnxModel model = OnnxModel.Load(modelPath);
        try
        {
            CheckSignature(model, modelPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new As2Scorer(model, tokenizer, modelPath, maxLength, batchSize) { Contextual = As2Context.IsContextual(modelDir) };
    }

    private static void CheckSignature(OnnxModel model, string modelPath)
    {
        var unknown = model.InputNames.Where(n => !KnownInputs.Contains(n)).ToList();
        if (!model.InputNames.Contains("input_ids") || unknown.Count > 0)
        {
            throw new InvalidDataException($"{modelPath} takes inputs [{string.Join(", ", model.InputNames)}]; expected input_ids and " +
                $"optionally attention_mask, token_type_ids.");
        }
        if (!model.OutputNames.Contains("logits"))
        {
            throw new InvalidDataException($"{modelPath} has outputs [{string.Join(", ", model.OutputNames)}]; expected 'logits' of shape " +
                $"(batch, 2) or (batch, 1).");
        }
    }

    /// <summary>Scores every row of <paramref name="data"/>, in file order (see the class summary for the score).</summary>
    /// <exception cref="InvalidDataException">The model's logits have an unexpected type or shape.</exception>
    public double[] Score(As2Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Contextual) return Score(data.Pairs.Select(p => (p.Question, p.Candidate)).ToList());
        var context = As2Context.Neighbours(data);
        return Score(data.Pairs.Select(p =>
            _tokenizer.EncodeWithContext(p.Question, p.Candidate, context[p.Row].Left, context[p.Row].Right, MaxLength)).ToList());
    }

    /// <summary>Scores (question, candidate) pairs, in input order; logit₁ − logit₀, or the single logit.</summary>
    /// <exception cref="InvalidDataException">The model's logits have an unexpected type or shape.</exception>
    public double[] Score(IReadOnlyList<(string Question, string Candidate)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return Score(pairs.Select(p => _tokenizer.EncodePair(p.Question, p.Candidate, MaxLength)).ToList());
    }

    private double[] Score(IReadOnlyList<EncodedPair> encoded)
    {
        var scores = new double[encoded.Count];
        for (int start = 0; start < encoded.Count; start += BatchSize)
            ScoreBatch(encoded.Skip(start).Take(BatchSize).ToArray()).CopyTo(scores, start);
        return scores;
    }

    private double[] ScoreBatch(EncodedPair[] batch)
    {
        Dictionary<string, TensorData> all = PadBatch(batch, _tokenizer.Specials.PadId);
        var inputs = _model.InputNames.ToDictionary(n => n, n => all[n]);
        TensorData logits = _model.Run(inputs, ["logits"])["logits"];
        if (logits.Type != DataType.Float || logits.Shape.Length != 2 || logits.Shape[0] != batch.Length || logits.Shape[1] is not (1 or 2))
        {
            throw new InvalidDataException($"{_modelPath} returned logits {logits} for a batch of {batch.Length}; expected " +
                $"Float[{batch.Length}, 2] or Float[{batch.Length}, 1].");
        }
        float[] v = logits.AsFloats();
        int classes = (int)logits.Shape[1];
        var scores = new double[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            scores[i] = classes == 2 ? (double)v[2 * i + 1] - v[2 * i] : v[i];
        }
        return scores;
    }

    /// <summary>Right-pads a batch to its longest pair: ids with <paramref name="padId"/>, mask and token types with 0.</summary>
    internal static Dictionary<string, TensorData> PadBatch(IReadOnlyList<EncodedPair> batch, int padId)
    {
        int length = batch.Max(p => p.InputIds.Length);
        var ids = new long[batch.Count * length];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        Array.Fill(ids, padId);
        for (int i = 0; i < batch.Count; i++)
        {
            EncodedPair p = batch[i];
            for (int j = 0; j < p.InputIds.Length; j++)
            {
                ids[i * length + j] = p.InputIds[j];
                mask[i * length + j] = p.AttentionMask[j];
                types[i * length + j] = p.TokenTypeIds[j];
            }
        }
        return new Dictionary<string, TensorData>
        {
            ["input_ids"] = TensorData.Create(ids, batch.Count, length),
            ["attention_mask"] = TensorData.Create(mask, batch.Count, length),
            ["token_type_ids"] = TensorData.Create(types, batch.Count, length),
        };
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
