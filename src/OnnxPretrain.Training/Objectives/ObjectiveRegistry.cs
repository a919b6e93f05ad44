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

    /// <summary>The registered objectives.</summary>
    public static IReadOnlyList<ObjectiveSpec> All { get; } =
    [
        new("mlm", "BERT, Devlin et al. 2019 §3.1", RowSource.PackedSequences, (e, o, t, s) => new MaskedLmObjective(e, o, t, s),
            f => f.Encoder + f.VocabHead, typeof(MaskedLmConfig), Batcher: Mlm),
        new("slm", "Di Liello et al. 2021, swapped language modelling", RowSource.PackedSequences, (e, o, t, s) => new MaskedLmObjective(e, o, t, s),
            f => f.Encoder + f.VocabHead, typeof(SwappedLmConfig), Batcher: Slm),
        new("electra", "ELECTRA, Clark et al. 2020 §3", RowSource.PackedSequences, (e, o, t, s) => new ElectraObjective(e, (ElectraConfig)o, t, s),
            f => f.Encoder + f.TokenHead + f.Generator(), typeof(ElectraConfig), Batcher: ElectraBatcher),
        new("rts", "Di Liello et al. 2021 §3, random token substitution", RowSource.PackedSequences, (e, o, t, s) => new TokenDetectionObjective(e, o, t, s),
            f => f.Encoder + f.TokenHead, typeof(TokenDetectionConfig), Batcher: Rts),
        new("crts", "Di Liello et al. 2021 §3, cluster-based RTS", RowSource.PackedSequences, (e, o, t, s) => new TokenDetectionObjective(e, o, t, s),
            f => f.Encoder + f.TokenHead, typeof(ClusterTokenDetectionConfig), Batcher: CrtsBatcher),
        SentencePairs("ssp", [SentenceLevelTask.Ssp]),
        SentencePairs("sp", [SentenceLevelTask.Sp]),
        SentencePairs("psd", [SentenceLevelTask.Psd]),
        SentencePairs("all", AllPairTasks),
        new("prop", "PROP, Ma et al. 2021 §3.3", RowSource.DocumentPairs, (e, o, t, s) => new PropObjective(e, (PropConfig)o, t, s),
            f => f.Encoder + f.VocabHead + 2.0 * f.Rows * f.HiddenSize * (f.HiddenSize + 1), typeof(PropConfig)),   // MLM + [CLS] score head
        new("contrastive", "in-batch InfoNCE, Neelakantan et al. 2022", RowSource.DocumentPairs,
            (e, o, t, s) => new ContrastiveObjective(e, (ContrastiveConfig)o, t, s),
            f => f.Encoder + 2.0 * (f.Rows / 2) * (f.Rows / 2) * f.HiddenSize, typeof(ContrastiveConfig)),            // + (B, B) similarity logits
        new("as2", "AS2 cross-encoder fine-tuning", RowSource.LabelledPairs, (e, o, t, s) => new SequenceClassificationObjective(e, o, t, s),
            f => f.Encoder + 2.0 * f.Rows * f.HiddenSize * (f.HiddenSize + 2), typeof(SequenceClassificationConfig)),
        new("context_pair", "ours: contextual AS2 pairs from the corpus structure (stand-in for Di Liello et al. 2023)", RowSource.ContextPairs,
            (e, o, t, s) => new SentencePairObjective(e, o, t, s), f => f.Encoder + f.VocabHead + 2.0 * f.Rows * f.HiddenSize * (f.HiddenSize + 2),
            typeof(SentencePairConfig)),
        new("mspp", "Di Liello et al. 2022, multi-sentence paragraph pre-training (joint model)", RowSource.MultiSentence,
            (e, o, t, s) => new JointCandidatesObjective(e, o, t, s), f => f.Encoder + f.VocabHead + JointHeadFlops(f), typeof(MultiSentenceConfig)),
        new("as2_joint", "Di Liello et al. 2022, joint AS2 fine-tuning (k candidates per row)", RowSource.LabelledGroups,
            (e, o, t, s) => new JointCandidatesObjective(e, o, t, s), f => f.Encoder + JointHeadFlops(f), typeof(JointAs2Config)),
    ];

    /// <summary>The joint head's FLOPs: about 5 candidates of width up to 2H through dense (W, W) per row.</summary>
    private static double JointHeadFlops(FlopsTerms f) => 2.0 * f.Rows * 5 * 4.0 * f.HiddenSize * f.HiddenSize;

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

    /// <summary>The default settings of <paramref name="type"/> (its <see cref="ObjectiveSpec.Config"/> record with defaults).</summary>
    /// <exception cref="ArgumentException">The type is unknown.</exception>
    public static ObjectiveConfig NewConfig(string type) => (ObjectiveConfig)Activator.CreateInstance(Get(type).Config)! with { Type = type };

    /// <summary>The JSON keys of <paramref name="type"/>'s settings (snake_case, as in recipes), <c>type</c> excluded.</summary>
    public static IReadOnlyList<string> Settings(string type) => Get(type).Config.GetProperties()
        .Where(p => p.CanWrite && p.Name != nameof(ObjectiveConfig.Type))
        .OrderBy(p => Depth(p.DeclaringType!)).ThenBy(p => p.MetadataToken)                     // base record's settings first
        .Select(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToList();

    private static int Depth(Type t) => t.BaseType is null ? 0 : 1 + Depth(t.BaseType);

    private static ObjectiveSpec SentencePairs(string type, SentenceLevelTask[] tasks) =>
        new(type, "Di Liello et al. 2022, sentence-level objectives for AS2", RowSource.SentencePairs, (e, o, t, s) => new SentencePairObjective(e, o, t, s),
            f => f.Encoder + f.VocabHead + 2.0 * f.Rows * f.HiddenSize * (f.HiddenSize + 2), typeof(SentencePairConfig),
                SentenceTasks: tasks);  // MLM + [CLS] pair head

    private static IBatcher Mlm(BatcherContext c) => c.Recipe.Objective is MaskedLmConfig o ? new MlmBatcher(new MlmBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, MaskProbability = o.MaskProbability,
        MaskTokenFraction = o.EffectiveMaskTokenFraction, RandomTokenFraction = o.RandomTokenFraction, MaxPredictionsPerSequence = o.MaxPredictionsPerSequence,
    }, c.Specials) : throw WrongConfig(c, typeof(MaskedLmConfig));

    private static IBatcher Slm(BatcherContext c) => c.Recipe.Objective is SwappedLmConfig o ? new SlmBatcher(new SlmBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, MaskProbability = o.MaskProbability,
            MaxPredictionsPerSequence = o.MaxPredictionsPerSequence,
    }, c.Specials) : throw WrongConfig(c, typeof(SwappedLmConfig));

    private static IBatcher ElectraBatcher(BatcherContext c) => c.Recipe.Objective is ElectraConfig o ? new ElectraGeneratorBatcher(new ElectraBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, MaskProbability = o.MaskProbability,
        MaskTokenFraction = o.MaskTokenFraction, MaxPredictionsPerSequence = o.MaxPredictionsPerSequence,
    }, c.Specials) : throw WrongConfig(c, typeof(ElectraConfig));

    private static IBatcher Rts(BatcherContext c) => c.Recipe.Objective is TokenDetectionConfig o ? new RtsBatcher(new RtsBatcherOptions
    {
        SequenceLength = c.Recipe.Data.SequenceLength, Seed = c.Seed, ReplaceProbability = o.MaskProbability,
    }, c.Specials) : throw WrongConfig(c, typeof(TokenDetectionConfig));

    private static IBatcher CrtsBatcher(BatcherContext c) => c.Recipe.Objective is ClusterTokenDetectionConfig o
        ? (c.Crts ?? throw new ArgumentException("objective.type 'crts' needs token clusters (objective.clusters)."))
            .Batcher(c.Recipe.Data.SequenceLength, c.Seed, o, c.Specials)
        : throw WrongConfig(c, typeof(ClusterTokenDetectionConfig));

    private static ArgumentException WrongConfig(BatcherContext c, Type expected) =>
        new($"objective.type '{c.Recipe.Objective.Type}' needs {expected.Name} settings; the recipe holds {c.Recipe.Objective.GetType().Name}.");
}
