using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>Recipe-level entry points: artifacts for a recipe, and the tokenizer specials a recipe implies.</summary>
public static partial class Pretraining
{
    /// <summary>
    /// Builds the training artifacts of <paramref name="recipe"/> into <paramref name="dir"/>; the example batch is made
    /// by the objective's real batcher from synthetic sequences, so no corpus is needed.
    /// </summary>
    /// <exception cref="ArgumentException">The recipe is inconsistent (e.g. vocabulary size vs tokenizer).</exception>
    public static ArtifactManifest BuildArtifacts(Recipe recipe, string dir, TextWriter log, CrtsState? crts = null)
    {
        var example = ExampleBatch(recipe, Specials(recipe), crts);
        var objective = ObjectiveRegistry.Graph(recipe.Model, recipe.Objective, recipe.Data.SequenceLength, recipe.Training.Seed);
        var model = new TrainableModel(recipe.Name, objective.Build, () => BatchStream.ToTensors(example), recipe.ToJson());
        log.WriteLine($"Building artifacts of '{recipe.Name}' ({recipe.Objective.Type}) in {dir} ...");
        var manifest = ArtifactBuilder.Build(model, recipe.Training.AdamW(), dir);
        log.WriteLine($"  {manifest.Parameters.Count} parameters, {manifest.Parameters.Sum(p => p.Count):N0} weights.");
        return manifest;
    }

    /// <summary>
    /// A batch (two rows by default) of the recipe's inputs from synthetic full-length sequences, made by the objective's real batcher
    /// (sentence-level objectives: the MLM batcher plus <c>sentence_labels</c>; AS2 fine-tuning: unmasked rows plus <c>labels</c>).
    /// </summary>
    public static Batch ExampleBatch(Recipe recipe, SpecialTokens specials, CrtsState? crts = null, int batchSize = 2)
    {
        var type = recipe.Objective.Type;
        var source = ObjectiveRegistry.Get(type).Rows;
        if (source == RowSource.DocumentPairs) return RetrievalData.ExampleBatch(recipe, specials, batchSize);
        if (recipe.Objective is IJointCandidates joint) return MultiSentenceData.ExampleBatch(recipe, joint, specials, batchSize);
        var rows = SyntheticData.Sequences(batchSize, recipe.Data.SequenceLength, specials, recipe.Training.Seed);
        var batcherRecipe = source == RowSource.PackedSequences ? recipe : recipe with { Objective = MaskingOf(recipe.Objective) };
        crts ??= type == "crts" ? SyntheticData.Clusters(recipe.Model.VocabSize) : null;
        var batch = new BatchStream(rows, ObjectiveData.CreateBatcher(batcherRecipe, specials, recipe.Training.Seed, crts), batchSize,
            recipe.Training.Seed).Get(0);
        if (batcherRecipe == recipe) return batch;
        var arrays = batch.Arrays.ToDictionary();
        if (source == RowSource.LabelledPairs)
        {
            arrays.Remove(BatcherInputNames.MaskedLmPositions);
            arrays.Remove(BatcherInputNames.MaskedLmLabels);
            arrays[BatcherInputNames.InputIds] = new BatchArray(rows.SelectMany(r => r.Select(i => (long)i)).ToArray(),
                [batchSize, recipe.Data.SequenceLength]);
        }
        arrays[source == RowSource.LabelledPairs ? BatcherInputNames.Labels
            : SentenceLevelInputNames.SentenceLabels] = new BatchArray(Enumerable.Range(0, batchSize).Select(i => (long)(1 - i % 2)).ToArray(), [batchSize]);
        return batch with { Arrays = arrays };
    }

    /// <summary>The MLM settings that make a pair objective's example rows: its own masking, or MLM's defaults.</summary>
    private static MaskedLmConfig MaskingOf(ObjectiveConfig o) => o is MaskingConfig m
        ? new MaskedLmConfig { Type = "mlm", MaskProbability = m.MaskProbability, MaskTokenFraction = m.EffectiveMaskTokenFraction,
            RandomTokenFraction = m.RandomTokenFraction }
        : new MaskedLmConfig { Type = "mlm" };

    /// <summary>
    /// Training and held-out sources of the retrieval objectives (<c>prop</c>, <c>contrastive</c>), drawn from the shards'
    /// document structure; null for every other objective. PROP uses the tokenizer's whole-word rules and English stop
    /// words (<see cref="PropWordRules.For"/>); contrastive uses the documents' titles (<see cref="Document.Title"/>).
    /// </summary>
    public static (IBatchSource Train, IBatchSource Eval)? RetrievalSources(Recipe recipe, TextTokenizer tokenizer, CorpusSplit corpus,
        ITokenizedCorpus train, ITokenizedCorpus valid)
    {
        if (!RetrievalData.Handles(recipe)) return null;
        long seed = recipe.Training.Seed;
        var rules = recipe.Objective.Type == "prop" ? PropWordRules.For(tokenizer) : null;
        bool titles = recipe.Objective.Type == "contrastive";
        return (RetrievalData.Source(recipe, rules, tokenizer.Specials, train, titles ? RetrievalData.Titles(corpus.Train, tokenizer) : null, seed),
            RetrievalData.Source(recipe, rules, tokenizer.Specials, valid, titles ? RetrievalData.Titles(corpus.Validation, tokenizer) : null, seed + 1));
    }

    /// <summary>
    /// The recipe's corpus plus every <c>data.additional_corpora</c> entry, each split on its own (as <see cref="Corpus"/>
    /// splits one corpus), train and held-out lists concatenated in recipe order.
    /// </summary>
    /// <exception cref="FileNotFoundException">An additional corpus path does not exist.</exception>
    public static CorpusSplit CombinedCorpus(Recipe recipe, DataCacheOptions? cache, TextWriter log)
    {
        var specs = new[] { recipe.Data.Corpus }.Concat(recipe.Data.AdditionalCorpora ?? []).ToList();
        var splits = specs.Select(spec => Corpus(recipe with { Data = recipe.Data with { Corpus = spec, AdditionalCorpora = null } }, cache, log)).ToList();
        for (int i = 0; i < specs.Count; i++)
            log.WriteLine($"  corpus {specs[i]}: {splits[i].Train.Count:N0} training + {splits[i].Validation.Count:N0} held-out documents.");
        return new CorpusSplit(splits.SelectMany(s => s.Train).ToList(), splits.SelectMany(s => s.Validation).ToList());
    }

    /// <summary>
    /// Special ids of the recipe's tokenizer, without downloading anything: gpt2 from the GPT-2 tokenizer, a
    /// <c>data.vocab</c> file from that vocabulary, bert-base-uncased from its fixed ids.
    /// </summary>
    public static SpecialTokens Specials(Recipe recipe) =>
        recipe.Data.Tokenizer == "gpt2" ? TextTokenizer.CreateGpt2().Specials
        : recipe.Data.Vocab is { } v ? TextTokenizer.CreateBert(RelativeTo(recipe, v)).Specials
        : SpecialTokens.BertBaseUncased;
}
