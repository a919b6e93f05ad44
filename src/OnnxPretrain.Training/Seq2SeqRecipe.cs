using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OnnxPretrain.Models;

namespace OnnxPretrain.Training;

/// <summary>
/// The objective of a seq2seq recipe (JSON <c>objective</c>): PEGASUS gap-sentence generation (<c>gsg</c>; Zhang et al.
/// 2020 §3.1, Ind-Orig) or T5 span corruption (<c>span_corruption</c>; Raffel et al. 2020 §3.1.4).
/// </summary>
public sealed record Seq2SeqObjectiveConfig
{
    /// <summary>Objective types.</summary>
    public static readonly IReadOnlyList<string> Types = ["gsg", "span_corruption"];

    /// <summary><c>gsg</c> or <c>span_corruption</c>.</summary>
    public string Type { get; init; } = "gsg";

    /// <summary>GSG: fraction of a chunk's sentences selected as gap sentences (0.3).</summary>
    public double GapSentenceRatio { get; init; } = 0.3;

    /// <summary>GSG: probability that a selected sentence becomes [MASK1] in the source (0.9; else left unchanged).</summary>
    public double SentenceMaskProbability { get; init; } = 0.9;

    /// <summary>GSG: also MLM on the encoder input with [MASK2] (off, as in the final PEGASUS).</summary>
    public bool EncoderMlm { get; init; }

    /// <summary>Span corruption: fraction of tokens corrupted (0.15).</summary>
    public double NoiseDensity { get; init; } = 0.15;

    /// <summary>Span corruption: mean corrupted span length (3).</summary>
    public double MeanNoiseSpanLength { get; init; } = 3.0;

    /// <summary>Checks every field; messages name the JSON path and the values.</summary>
    /// <exception cref="ArgumentException">A field is out of range or the type is unknown.</exception>
    public Seq2SeqObjectiveConfig Validate(string path = "objective")
    {
        if (!Types.Contains(Type)) throw new ArgumentException($"{path}.type is '{Type}'; expected one of {string.Join(", ", Types)} for a " +
            $"seq2seq (model_type 'bart') recipe.");
        if (!(GapSentenceRatio > 0 && GapSentenceRatio < 1)) throw new ArgumentException($"{path}.gap_sentence_ratio ({GapSentenceRatio}) must be in (0, 1).");
        if (!(SentenceMaskProbability >= 0
            && SentenceMaskProbability <= 1)) throw new ArgumentException($"{path}.sentence_mask_probability ({SentenceMaskProbability}) must be in [0, 1].");
        if (!(NoiseDensity > 0 && NoiseDensity < 1)) throw new ArgumentException($"{path}.noise_density ({NoiseDensity}) must be in (0, 1).");
        if (!(MeanNoiseSpanLength >= 1)) throw new ArgumentException($"{path}.mean_noise_span_length ({MeanNoiseSpanLength}) must be >= 1.");
        if (EncoderMlm && Type != "gsg") throw new ArgumentException($"{path}.encoder_mlm applies to 'gsg' only.");
        return this;
    }
}

/// <summary>Data settings of a seq2seq recipe (JSON <c>data</c>): the encoder recipe's corpus keys plus source/target lengths.</summary>
public sealed record Seq2SeqDataConfig
{
    /// <summary>Source length S in ids (end of sequence included).</summary>
    public int MaxSourceLength { get; init; } = 256;

    /// <summary>Target length L in ids (end of sequence included).</summary>
    public int MaxTargetLength { get; init; } = 64;

    /// <summary>Tokenizer: <c>bert-base-uncased</c> (WordPiece; the seq2seq specials map onto its [unused] entries).</summary>
    public string Tokenizer { get; init; } = "bert-base-uncased";

    /// <summary>Optional WordPiece <c>vocab.txt</c> instead of bert-base-uncased (relative to the recipe); needs [PAD], [CLS], [SEP],
    /// [MASK] and [unused0] ... entries.</summary>
    public string? Vocab { get; init; }

    /// <summary>Corpus, as <see cref="DataConfig.Corpus"/>.</summary>
    public string Corpus { get; init; } = "default";

    /// <summary>More corpora, as <see cref="DataConfig.AdditionalCorpora"/>.</summary>
    public IReadOnlyList<string>? AdditionalCorpora { get; init; }

    /// <summary>Checks the fields; messages name the JSON path.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public Seq2SeqDataConfig Validate(string path = "data")
    {
        if (MaxSourceLength < 8) throw new ArgumentException($"{path}.max_source_length ({MaxSourceLength}) must be >= 8.");
        if (MaxTargetLength < 2) throw new ArgumentException($"{path}.max_target_length ({MaxTargetLength}) must be >= 2.");
        if (Tokenizer != "bert-base-uncased") throw new ArgumentException($"{path}.tokenizer is '{Tokenizer}'; seq2seq recipes support " +
            $"'bert-base-uncased' (or a data.vocab WordPiece file).");
        if (string.IsNullOrWhiteSpace(Corpus)) throw new ArgumentException($"{path}.corpus must not be empty.");
        return this;
    }

    /// <summary>The encoder recipe's data section with the same corpus and vocabulary (to reuse the corpus and shard pipeline).</summary>
    public DataConfig AsEncoderData() => new() { SequenceLength = MaxSourceLength, Tokenizer = Tokenizer, Vocab = Vocab, Corpus = Corpus,
        AdditionalCorpora = AdditionalCorpora };
}

/// <summary>
/// A seq2seq recipe (<c>models/seq2seq-*.json</c>, recognised by <c>"model_type": "bart"</c>): a BART-family model
/// (<see cref="Seq2SeqConfig"/>, HF BartConfig keys), a seq2seq objective, data and training settings. Unknown keys are errors.
/// </summary>
public sealed record Seq2SeqRecipe
{
    /// <summary>Recipe name (used for the run folder).</summary>
    public required string Name { get; init; }

    /// <summary>Free-text description.</summary>
    public string Description { get; init; } = "";

    /// <summary>Model hyper-parameters.</summary>
    public Seq2SeqConfig Model { get; init; } = new();

    /// <summary>Objective.</summary>
    public Seq2SeqObjectiveConfig Objective { get; init; } = new();

    /// <summary>Data settings.</summary>
    public Seq2SeqDataConfig Data { get; init; } = new();

    /// <summary>Training settings (as encoder recipes).</summary>
    public TrainingConfig Training { get; init; } = new();

    /// <summary>The file it was loaded from (not part of the JSON).</summary>
    [JsonIgnore]
    public string? SourcePath { get; init; }

    /// <summary>Validates every section.</summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the JSON path and the value.</exception>
    public Seq2SeqRecipe Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"name '{Name}' must be a non-empty file-name-safe string.");
        Model.Validate();
        Objective.Validate();
        Data.Validate();
        Training.Validate();
        int longest = Math.Max(Data.MaxSourceLength, Data.MaxTargetLength);
        if (longest > Model.MaxPositionEmbeddings)
            throw new ArgumentException($"data.max_source_length / max_target_length ({longest}) exceeds model.max_position_embeddings " +
                $"({Model.MaxPositionEmbeddings}).");
        return this;
    }

    /// <summary>True when the recipe JSON's <c>model.model_type</c> is <c>bart</c> (a seq2seq recipe).</summary>
    /// <exception cref="ArgumentException">The text is not JSON.</exception>
    public static bool IsSeq2Seq(string json)
    {
        try
        {
            var node = JsonNode.Parse(json,
                documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return node?["model"]?["model_type"]?.GetValue<string>() == "bart";
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Recipe is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads and validates a seq2seq recipe file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">Unknown key, wrong value type or invalid value; names the file and JSON path.</exception>
    public static Seq2SeqRecipe Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Recipe '{path}' does not exist (recipes live in models/).", path);
        return Recipe.ParseJson<Seq2SeqRecipe>(File.ReadAllText(path), path, r => (r with { SourcePath = path }).Validate());
    }

    /// <summary>An encoder-recipe view with this recipe's name, data and training sections (for the shared corpus, shard and optimizer code).</summary>
    public Recipe AsDataRecipe() => new() { Name = Name, Data = Data.AsEncoderData(), Training = Training, SourcePath = SourcePath };

    /// <summary>The recipe as a JSON object (for the manifest and reports).</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, Recipe.JsonOptions)!.AsObject();
}
