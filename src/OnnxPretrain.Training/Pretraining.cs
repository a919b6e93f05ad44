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
        var objective = PretrainingObjective.Create(recipe.Model, recipe.Objective, recipe.Data.SequenceLength, recipe.Training.Seed);
        var model = new TrainableModel(recipe.Name, objective.Build, () => BatchStream.ToTensors(example), recipe.ToJson());
        log.WriteLine($"Building artifacts of '{recipe.Name}' ({recipe.Objective.Type}) in {dir} ...");
        var manifest = ArtifactBuilder.Build(model, Bench.Optimizer(recipe), dir);
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
        var rows = Bench.SyntheticSequences(batchSize, recipe.Data.SequenceLength, specials, recipe.Training.Seed);
        var batcherRecipe = ObjectiveConfig.SentenceLevelTypes.Contains(type) || type == "as2" ? recipe with { Objective = recipe.Objective with { Type = "mlm" } } : recipe;
        crts ??= type == "crts" ? Bench.SyntheticClusters(recipe.Model.VocabSize) : null;
        var batch = new BatchStream(rows, ObjectiveData.CreateBatcher(batcherRecipe, specials, recipe.Training.Seed, crts), batchSize, recipe.Training.Seed).Get(0);
        if (batcherRecipe == recipe) return batch;
        var arrays = batch.Arrays.ToDictionary();
        if (type == "as2")
        {
            arrays.Remove("masked_lm_positions");
            arrays.Remove("masked_lm_labels");
            arrays["input_ids"] = new BatchArray(rows.SelectMany(r => r.Select(i => (long)i)).ToArray(), [batchSize, recipe.Data.SequenceLength]);
        }
        arrays[type == "as2" ? "labels" : "sentence_labels"] = new BatchArray(Enumerable.Range(0, batchSize).Select(i => (long)(1 - i % 2)).ToArray(), [batchSize]);
        return batch with { Arrays = arrays };
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
