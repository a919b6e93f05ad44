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
/// <param name="Pooling">Token pooling; null: the model folder's own (sentence-transformers' <c>1_Pooling/config.json</c>), else mean.</param>
/// <param name="Normalize">L2-normalise embeddings, so inner product = cosine similarity (default on).</param>
/// <param name="QueryPrefix">Text put before queries (<see cref="BiEncoder.EncodeQueries"/>); null: the model folder's own
/// (<c>prompts.query</c> in <c>config_sentence_transformers.json</c>), else none; "" for none.</param>
public sealed record BiEncoderOptions(int MaxLength = 256, int BatchSize = 32, Pooling? Pooling = null, bool Normalize = true, string? QueryPrefix = null)
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
/// state, then optionally L2-normalised. The pooling and the query prefix default to the folder's own sentence-transformers files
/// (<see cref="SentenceEmbeddingFiles"/>: MiniLM mean pooling; arctic-embed [CLS] pooling and its query prefix), as the published
/// models are meant to be used. Texts are batched by length (sorted by token count), so little compute goes to padding.
/// A contrastive objective trained with mean pooling and cosine similarity
/// (Neelakantan et al. 2022, "Text and Code Embeddings by Contrastive Pre-Training") must pool identically: mask-weighted
/// mean over all unpadded tokens including [CLS]/[SEP], then divide by the L2 norm.
/// </summary>
public sealed class BiEncoder : IDisposable
{
    private static readonly string[] KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly OnnxModel _model;
    private readonly TextTokenizer _tokenizer;
    private readonly string _modelPath;

    /// <summary>The settings, with the pooling and the query prefix resolved.</summary>
    public BiEncoderOptions Options { get; }

    /// <summary>The pooling used.</summary>
    public Pooling Pooling => Options.Pooling ?? Pooling.Mean;

    /// <summary>The text put before queries ("" for none).</summary>
    public string QueryPrefix => Options.QueryPrefix ?? "";

    private BiEncoder(OnnxModel model, TextTokenizer tokenizer, string modelPath, BiEncoderOptions options) =>
        (_model, _tokenizer, _modelPath, Options) = (model, tokenizer, modelPath, options);

    /// <summary>Loads <c>model.onnx</c> (or <c>onnx/model.onnx</c>, the transformers.js layout), <c>vocab.txt</c> and the sentence-transformers
    /// settings from <paramref name="modelDir"/>.</summary>
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
        if (!File.Exists(modelPath) && File.Exists(Path.Combine(modelDir, "onnx", "model.onnx"))) modelPath = Path.Combine(modelDir, "onnx", "model.onnx");
        var own = SentenceEmbeddingFiles.Read(modelDir);
        o = o with
        {
            Pooling = o.Pooling ?? (own?.Pooling == "cls" ? Pooling.Cls : Pooling.Mean),
            QueryPrefix = o.QueryPrefix ?? own?.QueryPrefix ?? "",
        };
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

    /// <summary>Embeds queries: <see cref="QueryPrefix"/> + each text (see <see cref="Encode"/>).</summary>
    public float[] EncodeQueries(IReadOnlyList<string> queries, out int dim)
    {
        ArgumentNullException.ThrowIfNull(queries);
        return Encode(QueryPrefix.Length == 0 ? queries : queries.Select(q => QueryPrefix + q).ToList(), out dim);
    }

    /// <summary>Embeds <paramref name="texts"/> as they are (documents): row-major (N, H) floats in input order, H returned in
    /// <paramref name="dim"/>. Texts are sorted by token count and batched in that order, which changes no embedding.</summary>
    /// <exception cref="InvalidDataException">The model's output has an unexpected shape.</exception>
    public float[] Encode(IReadOnlyList<string> texts, out int dim)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var encoded = texts.Select(t => _tokenizer.EncodePair(t, null, Options.MaxLength)).ToArray();
        var order = LengthOrder(encoded.Select(e => e.InputIds.Length).ToArray());
        float[]? all = null;
        dim = 0;
        for (int start = 0; start < order.Length; start += Options.BatchSize)
        {
            var rows = order.AsSpan(start, Math.Min(Options.BatchSize, order.Length - start)).ToArray();
            var (pooled, h) = EncodeBatch(rows.Select(i => encoded[i]).ToArray());
            all ??= new float[texts.Count * h];
            dim = h;
            for (int j = 0; j < rows.Length; j++) pooled.AsSpan(j * h, h).CopyTo(all.AsSpan(rows[j] * h, h));
        }
        return all ?? [];
    }

    /// <summary>Indices sorted by length (longest first, so a too-large batch fails at once), ties in input order.</summary>
    public static int[] LengthOrder(IReadOnlyList<int> lengths) =>
        Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ThenBy(i => i).ToArray();

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
        var pooled = Pool(hidden.AsFloats(), inputs["attention_mask"].AsInt64s(), batch.Length, (int)t, h, Pooling);
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
