using OnnxPretrain.Data;
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
        var specials = Specials(recipe);
        crts ??= recipe.Objective.Type == "crts" ? Bench.SyntheticClusters(recipe.Model.VocabSize) : null;
        var batcher = ObjectiveData.CreateBatcher(recipe, specials, recipe.Training.Seed, crts);
        var example = new BatchStream(Bench.SyntheticSequences(2, recipe.Data.SequenceLength, specials, recipe.Training.Seed), batcher, 2, recipe.Training.Seed);
        var objective = PretrainingObjective.Create(recipe.Model, recipe.Objective, recipe.Data.SequenceLength, recipe.Training.Seed);
        var model = new TrainableModel(recipe.Name, objective.Build, () => BatchStream.ToTensors(example.Get(0)), recipe.ToJson());
        log.WriteLine($"Building artifacts of '{recipe.Name}' ({recipe.Objective.Type}) in {dir} ...");
        var manifest = ArtifactBuilder.Build(model, Bench.Optimizer(recipe), dir);
        log.WriteLine($"  {manifest.Parameters.Count} parameters, {manifest.Parameters.Sum(p => p.Count):N0} weights.");
        return manifest;
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
