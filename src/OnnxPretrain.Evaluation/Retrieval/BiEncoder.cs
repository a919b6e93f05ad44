using System.Numerics.Tensors;
using OnnxPretrain.Data;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>How token states become one text embedding.</summary>
public enum Pooling
{
    /// <summary>Mean of <c>last_hidden_state</c> over the positions with attention mask 1 ([CLS] and [SEP] included; padding excluded). The default.</summary>
    Mean,

    /// <summary>The hidden state of the first token, [CLS].</summary>
    Cls,
}

/// <summary>Bi-encoder settings.</summary>
/// <param name="MaxLength">Maximum tokens per text, [CLS] and [SEP] included (≥ 2); longer texts are truncated at the end.</param>
/// <param name="BatchSize">Texts per model run (≥ 1).</param>
/// <param name="Pooling">Token pooling (default mean).</param>
/// <param name="Normalize">L2-normalise embeddings, so inner product = cosine similarity (default on).</param>
public sealed record BiEncoderOptions(int MaxLength = 256, int BatchSize = 32, Pooling Pooling = Pooling.Mean, bool Normalize = true)
{
    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">MaxLength &lt; 2 or BatchSize &lt; 1.</exception>
    public BiEncoderOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLength, 2, nameof(MaxLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}

/// <summary>
/// Text embeddings from an exported encoder (<c>export --task feature-extraction</c>: <c>model.onnx</c> with int64
/// inputs <c>input_ids</c>, <c>attention_mask</c>, optionally <c>token_type_ids</c>, each (B, T), and the float output
/// <c>last_hidden_state</c> (B, T, H); WordPiece <c>vocab.txt</c> beside it). Each text is encoded alone as
/// <c>[CLS] text [SEP]</c> (token type 0), batches are right-padded with [PAD] (mask 0), and the embedding is the
/// masked mean of the last hidden states (Reimers and Gurevych 2019, "Sentence-BERT", MEAN strategy) or the [CLS]
/// state, then optionally L2-normalised. A contrastive objective trained with mean pooling and cosine similarity
/// (Neelakantan et al. 2022, "Text and Code Embeddings by Contrastive Pre-Training") must pool identically: mask-weighted
/// mean over all unpadded tokens including [CLS]/[SEP], then divide by the L2 norm.
/// </summary>
public sealed class BiEncoder : IDisposable
{
    private static readonly string[] KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly OnnxModel _model;
    private readonly TextTokenizer _tokenizer;
    private readonly string _modelPath;

    /// <summary>The settings.</summary>
    public BiEncoderOptions Options { get; }

    private BiEncoder(OnnxModel model, TextTokenizer tokenizer, string modelPath, BiEncoderOptions options) =>
        (_model, _tokenizer, _modelPath, Options) = (model, tokenizer, modelPath, options);

    /// <summary>Loads <c>model.onnx</c> and <c>vocab.txt</c> from <paramref name="modelDir"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>model.onnx</c> or <c>vocab.txt</c> is missing.</exception>
    /// <exception cref="InvalidDataException">The model lacks <c>input_ids</c> or <c>last_hidden_state</c>, or needs another input.</exception>
    public static BiEncoder Load(string modelDir, BiEncoderOptions? options = null, SessionConfig? session = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDir);
        var o = (options ?? new BiEncoderOptions()).Validate();
        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"Model folder '{modelDir}' does not exist; expected an " +
            $"exported feature-extraction model (model.onnx, vocab.txt).");
        string modelPath = Path.Combine(modelDir, "model.onnx"), vocab = Path.Combine(modelDir, "vocab.txt");
        if (!File.Exists(vocab)) throw new FileNotFoundException($"Model folder '{modelDir}' has no vocab.txt; expected the WordPiece " +
            $"vocabulary next to model.onnx.", vocab);
        var tokenizer = TextTokenizer.CreateBert(vocab);
        var model = OnnxModel.Load(modelPath, session);
        if (!model.InputNames.Contains("input_ids") || model.InputNames.Any(n => !KnownInputs.Contains(n)) || !model.OutputNames.Contains("last_hidden_state"))
        {
            var message = $"{modelPath} has inputs [{string.Join(", ", model.InputNames)}] and outputs [{string.Join(", ", model.OutputNames)}]; " +
                "expected input_ids (+ attention_mask, token_type_ids) and last_hidden_state (export --task feature-extraction).";
            model.Dispose();
            throw new InvalidDataException(message);
        }
        return new BiEncoder(model, tokenizer, modelPath, o);
    }

    /// <summary>Embeds <paramref name="texts"/>: row-major (N, H) floats, H returned in <paramref name="dim"/>.</summary>
    /// <exception cref="InvalidDataException">The model's output has an unexpected shape.</exception>
    public float[] Encode(IReadOnlyList<string> texts, out int dim)
    {
        ArgumentNullException.ThrowIfNull(texts);
        float[]? all = null;
        dim = 0;
        for (int start = 0; start < texts.Count; start += Options.BatchSize)
        {
            var batch = texts.Skip(start).Take(Options.BatchSize).Select(t => _tokenizer.EncodePair(t, null, Options.MaxLength)).ToArray();
            var (pooled, h) = EncodeBatch(batch);
            all ??= new float[texts.Count * h];
            dim = h;
            pooled.CopyTo(all, start * h);
        }
        return all ?? [];
    }

    private (float[] Pooled, int H) EncodeBatch(EncodedPair[] batch)
    {
        var inputs = As2Scorer.PadBatch(batch, _tokenizer.Specials.PadId);
        var feeds = _model.InputNames.ToDictionary(n => n, n => inputs[n]);
        TensorData hidden = _model.Run(feeds, ["last_hidden_state"])["last_hidden_state"];
        long t = inputs["input_ids"].Shape[1];
        if (hidden.Type != DataType.Float || hidden.Shape.Length != 3 || hidden.Shape[0] != batch.Length || hidden.Shape[1] != t)
            throw new InvalidDataException($"{_modelPath} returned last_hidden_state {hidden} for a batch of ({batch.Length}, {t}); " +
                $"expected Float[{batch.Length}, {t}, H].");
        int h = (int)hidden.Shape[2];
        var pooled = Pool(hidden.AsFloats(), inputs["attention_mask"].AsInt64s(), batch.Length, (int)t, h, Options.Pooling);
        if (Options.Normalize) NormalizeRows(pooled, h);
        return (pooled, h);
    }

    /// <summary>Pools (B, T, H) hidden states with a (B, T) attention mask into (B, H) (see <see cref="Pooling"/>).</summary>
    public static float[] Pool(ReadOnlySpan<float> hidden, ReadOnlySpan<long> mask, int b, int t, int h, Pooling pooling)
    {
        var pooled = new float[b * h];
        for (int i = 0; i < b; i++)
        {
            var row = pooled.AsSpan(i * h, h);
            if (pooling == Pooling.Cls)
            {
                hidden.Slice(i * t * h, h).CopyTo(row);
                continue;
            }
            int count = 0;
            for (int j = 0; j < t; j++)
            {
                if (mask[i * t + j] == 0) continue;
                TensorPrimitives.Add(row, hidden.Slice((i * t + j) * h, h), row);
                count++;
            }
            if (count > 0) TensorPrimitives.Divide(row, count, row);
        }
        return pooled;
    }

    /// <summary>Divides each H-wide row by its L2 norm (zero rows stay zero).</summary>
    public static void NormalizeRows(Span<float> rows, int h)
    {
        for (int i = 0; i < rows.Length / h; i++)
        {
            var row = rows.Slice(i * h, h);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
