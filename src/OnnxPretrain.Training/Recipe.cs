using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OnnxPretrain.Models;
using OnnxPretrain.Optim;

namespace OnnxPretrain.Training;

/// <summary>Data settings of a recipe (JSON <c>data</c>).</summary>
public sealed record DataConfig
{
    /// <summary>Sequence length T in tokens, specials included.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Tokenizer: <c>bert-base-uncased</c> (WordPiece, 30,522) or <c>gpt2</c> (byte-level BPE, RoBERTa specials).</summary>
    public string Tokenizer { get; init; } = "bert-base-uncased";

    /// <summary>Optional path of a WordPiece <c>vocab.txt</c> used instead of the bert-base-uncased download (relative to the recipe).</summary>
    public string? Vocab { get; init; }

    /// <summary>
    /// Corpus: <c>default</c> (Brown + State of the Union, fetched on first use), a folder of <c>.txt</c> files, a
    /// <c>.jsonl</c> file, or <c>brown:&lt;folder&gt;</c> for Brown-format files. Paths are relative to the recipe.
    /// </summary>
    public string Corpus { get; init; } = "default";

    /// <summary>
    /// Optional further corpora trained on together with <see cref="Corpus"/> (same forms: <c>default</c>, a folder, a
    /// <c>.jsonl</c> file such as a BEIR <c>corpus.jsonl</c>, <c>brown:&lt;folder&gt;</c>; paths relative to the recipe).
    /// Each is split into train/held-out on its own and the splits are concatenated.
    /// </summary>
    public IReadOnlyList<string>? AdditionalCorpora { get; init; }

    /// <summary>Checks the fields; messages name the JSON path.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public DataConfig Validate(string path = "data")
    {
        if (SequenceLength < 8) throw new ArgumentException($"{path}.sequence_length ({SequenceLength}) must be >= 8.");
        if (Tokenizer is not ("bert-base-uncased" or "gpt2")) throw new ArgumentException($"{path}.tokenizer is '{Tokenizer}'; expected " +
            $"'bert-base-uncased' or 'gpt2'.");
        if (string.IsNullOrWhiteSpace(Corpus)) throw new ArgumentException($"{path}.corpus must not be empty.");
        var all = new List<string> { Corpus };
        for (int i = 0; i < (AdditionalCorpora?.Count ?? 0); i++)
        {
            string c = AdditionalCorpora![i];
            if (string.IsNullOrWhiteSpace(c)) throw new ArgumentException($"{path}.additional_corpora[{i}] must not be empty.");
            if (all.Contains(c)) throw new ArgumentException($"{path}.additional_corpora[{i}] '{c}' is listed twice (data.corpus and " +
                $"data.additional_corpora must be distinct).");
            all.Add(c);
        }
        return this;
    }
}

/// <summary>Optimisation and schedule settings of a recipe (JSON <c>training</c>).</summary>
public sealed record TrainingConfig
{
    /// <summary>The AdamW options of these settings (betas, epsilon, weight decay, clipping).</summary>
    public AdamWOptions AdamW() => new() { Beta1 = Beta1, Beta2 = Beta2, Epsilon = Epsilon, WeightDecay = WeightDecay, MaxGradNorm = MaxGradNorm };

    /// <summary>Sequences per micro-batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Micro-batches accumulated per optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Optimizer steps of the run.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>Linear warmup steps.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary><c>linear</c>, <c>cosine</c> or <c>constant</c> decay after warmup.</summary>
    public string Schedule { get; init; } = "linear";

    /// <summary>AdamW decoupled weight decay (matrices only).</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Global gradient-norm clip; null disables it.</summary>
    public float? MaxGradNorm { get; init; } = 1.0f;

    /// <summary>AdamW β1.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>AdamW β2.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>AdamW ε.</summary>
    public float Epsilon { get; init; } = 1e-6f;

    /// <summary>Evaluate on held-out documents every N steps (0 = only at the end).</summary>
    public int EvalEvery { get; init; } = 100;

    /// <summary>Held-out batches per evaluation.</summary>
    public int EvalBatches { get; init; } = 8;

    /// <summary>Checkpoint every N steps (0 = only at the end).</summary>
    public int CheckpointEvery { get; init; } = 200;

    /// <summary>Checkpoints kept (older ones are deleted).</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>
    /// Optional checkpoint folder (or model.safetensors) to start from, relative to the recipe: parameters with matching
    /// names and shapes are copied (continued pre-training, fine-tuning); the others keep their fresh initialisation.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// When <see cref="InitFrom"/> warm-starts an encoder-decoder from a BERT encoder (BERT2BERT): the decoder's
    /// cross-attention starts <c>"random"</c> (fresh, as Rothe et al. 2020) or as a copy of the same layer's
    /// <c>"self_attention"</c>. Ignored otherwise.
    /// </summary>
    public string WarmStartCrossAttention { get; init; } = Import.Bert2Bert.RandomCrossAttention;

    /// <summary>Seed of initialisation, data order and masking.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Checks the fields; messages name the JSON path.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public TrainingConfig Validate(string path = "training")
    {
        if (BatchSize <= 0) throw new ArgumentException($"{path}.batch_size ({BatchSize}) must be > 0.");
        if (GradientAccumulationSteps <= 0) throw new ArgumentException($"{path}.gradient_accumulation_steps ({GradientAccumulationSteps}) must be > 0.");
        if (Steps <= 0) throw new ArgumentException($"{path}.steps ({Steps}) must be > 0.");
        if (!(LearningRate > 0)) throw new ArgumentException($"{path}.learning_rate ({LearningRate}) must be > 0.");
        if (WarmupSteps < 0) throw new ArgumentException($"{path}.warmup_steps ({WarmupSteps}) must be >= 0.");
        if (Schedule is not ("linear" or "cosine" or "constant")) throw new ArgumentException($"{path}.schedule is '{Schedule}'; expected " +
            $"linear, cosine or constant.");
        if (EvalEvery < 0 || CheckpointEvery < 0) throw new ArgumentException($"{path}.eval_every ({EvalEvery}) and {path}.checkpoint_every " +
            $"({CheckpointEvery}) must be >= 0.");
        if (EvalBatches <= 0) throw new ArgumentException($"{path}.eval_batches ({EvalBatches}) must be > 0.");
        if (KeepCheckpoints <= 0) throw new ArgumentException($"{path}.keep_checkpoints ({KeepCheckpoints}) must be > 0.");
        if (!Import.Bert2Bert.CrossAttentionInits.Contains(WarmStartCrossAttention))
            throw new ArgumentException($"{path}.warm_start_cross_attention is '{WarmStartCrossAttention ?? "null"}'; expected " +
                $"{string.Join(" or ", Import.Bert2Bert.CrossAttentionInits)}.");
        return this;
    }
}

/// <summary>
/// A declarative recipe (<c>models/*.json</c>): model, objective, data and training settings with Hugging Face
/// style snake_case keys. Unknown keys are errors; every value is validated with messages naming the JSON path.
/// </summary>
public sealed record Recipe
{
    /// <summary>Recipe name (used for the run folder).</summary>
    public required string Name { get; init; }

    /// <summary>Free-text description.</summary>
    public string Description { get; init; } = "";

    /// <summary>Encoder hyper-parameters.</summary>
    public EncoderConfig Model { get; init; } = new();

    /// <summary>Objective: its type and that objective's own settings record (see <see cref="ObjectiveRegistry"/>).</summary>
    [JsonConverter(typeof(ObjectiveConfigJson))]
    public ObjectiveConfig Objective { get; init; } = new MaskedLmConfig { Type = "mlm" };

    /// <summary>Data settings.</summary>
    public DataConfig Data { get; init; } = new();

    /// <summary>Training settings.</summary>
    public TrainingConfig Training { get; init; } = new();

    /// <summary>The file it was loaded from (not part of the JSON).</summary>
    [JsonIgnore]
    public string? SourcePath { get; init; }

    /// <summary>JSON options: snake_case, unknown keys rejected, comments and trailing commas allowed.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Validates every section.</summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the JSON path and the value.</exception>
    public Recipe Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"name '{Name}' must be a non-empty file-name-safe string.");
        Model.Validate();
        ObjectiveRegistry.Get(Objective.Type);
        Objective.Validate();
        Data.Validate();
        Training.Validate();
        if (Data.SequenceLength > Model.MaxPositionEmbeddings)
            throw new ArgumentException($"data.sequence_length ({Data.SequenceLength}) exceeds model.max_position_embeddings ({Model.MaxPositionEmbeddings}).");
        if (Objective is IJointCandidates joint && (Data.SequenceLength != joint.SequenceLength || Model.TypeVocabSize < joint.Candidates + 1))
            throw new ArgumentException($"objective.type '{Objective.Type}' lays out k + 1 = {joint.Candidates + 1} segments of " +
                $"{joint.SegmentLength} tokens: " +
                $"data.sequence_length must be {joint.SequenceLength} (is {Data.SequenceLength}) and model.type_vocab_size >= {joint.Candidates + 1} " +
                $"(is {Model.TypeVocabSize}).");
        if (ObjectiveRegistry.Get(Objective.Type).Rows == RowSource.ContextPairs && Model.TypeVocabSize < 3)
            throw new ArgumentException($"objective.type '{Objective.Type}' uses token types 0, 1 and 2 (question, candidate, context): " +
                $"model.type_vocab_size must be >= 3 (is {Model.TypeVocabSize}).");
        if (Model.ModelType == "bert" && Model.EffectiveEmbeddingSize != Model.HiddenSize)
            throw new ArgumentException($"model.embedding_size ({Model.EmbeddingSize}) must equal model.hidden_size ({Model.HiddenSize}) " +
                $"for model_type 'bert'.");
        return this;
    }

    /// <summary>Reads and validates a recipe file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">Unknown key, wrong value type or invalid value; names the file and JSON path.</exception>
    public static Recipe Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Recipe '{path}' does not exist (recipes live in models/).", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates recipe JSON; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="ArgumentException">Unknown key, wrong value type or invalid value.</exception>
    public static Recipe Parse(string json, string source) => ParseJson<Recipe>(json, source, r => (r with { SourcePath = source }).Validate());

    /// <summary>
    /// Deserialises recipe JSON of type <typeparamref name="T"/> with <see cref="JsonOptions"/>, then <paramref name="finish"/>es
    /// it (source path, validation); every error is an <see cref="ArgumentException"/> naming <paramref name="source"/> and the JSON path.
    /// </summary>
    internal static T ParseJson<T>(string json, string source, Func<T, T> finish) where T : class
    {
        T recipe;
        try
        {
            recipe = JsonSerializer.Deserialize<T>(json, JsonOptions) ?? throw new ArgumentException($"{source}: empty recipe.");
        }
        catch (JsonException e)
        {
            var key = e.Message.Contains("could not be mapped") || e.Message.Contains("is not a setting") ? "unknown key" : "invalid value";
            throw new ArgumentException($"{source}: {key} at {e.Path?.TrimStart('$', '.')}: {e.Message}", e);
        }
        try
        {
            return finish(recipe);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>The recipe as a JSON object (for the manifest and reports).</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, JsonOptions)!.AsObject();
}
