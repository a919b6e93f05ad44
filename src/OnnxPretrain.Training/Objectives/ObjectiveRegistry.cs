using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;

namespace OnnxPretrain.Training;

/// <summary>
/// Every objective of the recipes' <c>objective.type</c>, one entry each: its graph, where its rows come from, its
/// batcher and its FLOPs. The table of contents of the objectives; adding one means its own files plus one line here.
/// (The seq2seq objectives, <c>gsg</c> and <c>span_corruption</c>, belong to the encoder-decoder recipes.)
/// </summary>
public static class ObjectiveRegistry
{
    private static readonly SentenceLevelTask[] AllPairTasks = [SentenceLevelTask.Ssp, SentenceLevelTask.Sp, SentenceLevelTask.Psd];

    // The objective settings of the recipes, by the part of the pipeline that reads them.
    private static readonly string[] Masking = ["mask_probability", "mask_token_fraction", "random_token_fraction"];
    private static readonly string[] Cap = ["max_predictions_per_sequence"];
    private static readonly string[] Electra = ["generator_size_factor", "discriminator_weight"];
    private static readonly string[] Crts = ["clusters", "crts_beta"];
    private static readonly string[] Pairs = ["positive_fraction", "hard_negative_fraction"];
    private static readonly string[] Prop = ["prop_sets_per_document", "prop_pairs_per_document", "poisson_lambda", "prop_max_set_tokens", "ranking_margin"];
    private static readonly string[] Contrastive = ["temperature", "pooling", "pair_source", "symmetric_loss"];

    /// <summary>The registered objectives.</summary>
    public static IReadOnlyList<ObjectiveSpec> All { get; } =
    [
        new("mlm", "BERT, Devlin et al. 2019 §3.1", RowSource.PackedSequences, (e, o, t, s) => new MaskedLmObjective(e, o, t, s),
            f => f.Encoder + f.VocabHead, [.. Masking, .. Cap], Batcher: Mlm),
        new("slm", "Di Liello et al. 2021, swapped language modelling", RowSource.PackedSequences, (e, o, t, s) => new MaskedLmObjective(e, o, t, s),
            f => f.Encoder + f.VocabHead, ["mask_probability", .. Cap], Batcher: Slm),
        new("electra", "ELECTRA, Clark et al. 2020 §3", RowSource.PackedSequences, (e, o, t, s) => new ElectraObjective(e, o, t, s),
            f => f.Encoder + f.TokenHead + f.Generator(), ["mask_probability", "mask_token_fraction", .. Cap, .. Electra], Batcher: ElectraBatcher),
        new("rts", "Di Liello et al. 2021 §3, random token substitution", RowSource.PackedSequences, (e, o, t, s) => new TokenDetectionObjective(e, o, t, s),
            f => f.Encoder + f.TokenHead, ["mask_probability"], Batcher: Rts),
        new("crts", "Di Liello et al. 2021 §3, cluster-based RTS", RowSource.PackedSequences, (e, o, t, s) => new TokenDetectionObjective(e, o, t, s),
            f => f.Encoder + f.TokenHead, ["mask_probability", .. Crts], Batcher: CrtsBatcher),
        SentencePairs("ssp", [SentenceLevelTask.Ssp]),
        SentencePairs("sp", [SentenceLevelTask.Sp]),
        SentencePairs("psd", [SentenceLevelTask.Psd]),
        SentencePairs("all", AllPairTasks),
        new("prop", "PROP, Ma et al. 2021 §3.3", RowSource.DocumentPairs, (e, o, t, s) => new PropObjective(e, o, t, s),
            f => f.Encoder + f.VocabHead + 2.0 * f.Rows * f.HiddenSize * (f.HiddenSize + 1), [.. Masking, .. Prop]),   // MLM + [CLS] score head
        new("contrastive", "in-batch InfoNCE, Neelakantan et al. 2022", RowSource.DocumentPairs, (e, o, t, s) => new ContrastiveObjective(e, o, t, s),
            f => f.Encoder + 2.0 * (f.Rows / 2) * (f.Rows / 2) * f.HiddenSize, Contrastive),            // + (B, B) similarity logits
        new("as2", "AS2 cross-encoder fine-tuning", RowSource.LabelledPairs, (e, o, t, s) => new SequenceClassificationObjective(e, o, t, s),
            f => f.Encoder + 2.0 * f.Rows * f.HiddenSize * (f.HiddenSize + 2), []),
    ];

    /// <summary>The registered <c>objective.type</c> values.</summary>
    public static IReadOnlyList<string> Types { get; } = All.Select(s => s.Type).ToList();

    /// <summary>The objective registered as <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">No objective has that type (the message lists them).</exception>
    public static ObjectiveSpec Get(string type) => All.FirstOrDefault(s => s.Type == type)
        ?? throw new ArgumentException($"objective.type is '{type}'; expected one of {string.Join(", ", Types)}.");

    /// <summary>The forward graph builder of <paramref name="objective"/>'s type.</summary>
    /// <exception cref="ArgumentException">The type is unknown or a config is invalid (messages name the JSON path).</exception>
    public static PretrainingObjective Graph(EncoderConfig encoder, ObjectiveConfig objective, int sequenceLength, long seed) =>
        Get(objective.Type).Graph(encoder, objective, sequenceLength, seed);

    /// <summary>
    /// Checks that every key of a recipe's <c>objective</c> section (besides <c>type</c>) is a setting of its objective:
    /// a key of another objective (<c>crts_beta</c> in an <c>mlm</c> recipe) would otherwise be silently ignored.
    /// </summary>
    /// <exception cref="ArgumentException">A key is not a setting of the type (names the JSON path and the type's settings).</exception>
    public static void CheckSettings(string type, IEnumerable<string> keys)
    {
        var spec = Get(type);
        foreach (var key in keys.Where(k => k != "type" && !spec.Settings.Contains(k)))
            throw new ArgumentException($"objective.{key} is not a setting of objective type '{type}' (its settings: " +
                (spec.Settings.Count == 0 ? "none" : string.Join(", ", spec.Settings)) + ").");
    }

    private static ObjectiveSpec SentencePairs(string type, SentenceLevelTask[] tasks) =>
        new(type, "Di Liello et al. 2022, sentence-level objectives for AS2", RowSource.SentencePairs, (e, o, t, s) => new SentencePairObjective(e, o, t, s),
            f => f.Encoder + f.VocabHead + 2.0 * f.Rows * f.HiddenSize * (f.HiddenSize + 2), [.. Masking, .. Pairs],
                SentenceTasks: tasks);  // MLM + [CLS] pair head

    private static IBatcher Mlm(BatcherContext c) => new MlmBatcher(new MlmBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, MaskProbability = c.Recipe.Objective.MaskProbability,
        MaskTokenFraction = c.Recipe.Objective.EffectiveMaskTokenFraction, RandomTokenFraction = c.Recipe.Objective.RandomTokenFraction,
        MaxPredictionsPerSequence = c.Recipe.Objective.MaxPredictionsPerSequence,
    }, c.Specials);

    private static IBatcher Slm(BatcherContext c) => new SlmBatcher(new SlmBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, MaskProbability = c.Recipe.Objective.MaskProbability,
        MaxPredictionsPerSequence = c.Recipe.Objective.MaxPredictionsPerSequence,
    }, c.Specials);

    private static IBatcher ElectraBatcher(BatcherContext c) => new ElectraGeneratorBatcher(new ElectraBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, MaskProbability = c.Recipe.Objective.MaskProbability,
        MaskTokenFraction = c.Recipe.Objective.EffectiveMaskTokenFraction, MaxPredictionsPerSequence = c.Recipe.Objective.MaxPredictionsPerSequence,
    }, c.Specials);

    private static IBatcher Rts(BatcherContext c) => new RtsBatcher(new RtsBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, ReplaceProbability = c.Recipe.Objective.MaskProbability,
    }, c.Specials);

    private static IBatcher CrtsBatcher(BatcherContext c) =>
        (c.Crts ?? throw new ArgumentException("objective.type 'crts' needs token clusters " +
            "(objective.clusters).")).Batcher(c.Recipe.Data.SequenceLength, c.Seed, c.Recipe.Objective, c.Specials);
}
