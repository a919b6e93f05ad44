using OnnxPretrain.Models;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

[TestClass]
public sealed class RecipeTests
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OnnxPretrain.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("OnnxPretrain.sln not found above " + AppContext.BaseDirectory);
    }

    [TestMethod]
    public void Load_EveryRecipeInModels_IsValid()
    {
        var files = Directory.GetFiles(Path.Combine(RepoRoot(), "models"), "*.json");
        Assert.IsGreaterThanOrEqualTo(6, files.Length);
        foreach (var f in files)
        {
            var name = Seq2SeqRecipe.IsSeq2Seq(File.ReadAllText(f)) ? Seq2SeqRecipe.Load(f).Name : Recipe.Load(f).Name;
            Assert.AreEqual(Path.GetFileNameWithoutExtension(f), name, f);
        }
        var small = Recipe.Load(Path.Combine(RepoRoot(), "models", "electra-small.json"));
        Assert.AreEqual(12, small.Model.NumHiddenLayers);
        Assert.AreEqual(128, small.Model.EmbeddingSize);
        Assert.AreEqual(0.25f, ((ElectraConfig)small.Objective).GeneratorSizeFactor);
    }

    [TestMethod]
    public void Parse_UnknownKey_NamesItsJsonPath()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Recipe.Parse("""{"name":"x","model":{"hidden_sise":64}}""", "bad.json"));
        StringAssert.Contains(e.Message, "bad.json");
        StringAssert.Contains(e.Message, "unknown key");
        StringAssert.Contains(e.Message, "model.hidden_sise");
    }

    [TestMethod]
    public void Parse_HeadsNotDividingHidden_NamesFieldsAndValues()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            Recipe.Parse("""{"name":"x","model":{"hidden_size":100,"num_attention_heads":3}}""", "bad.json"));
        StringAssert.Contains(e.Message, "model.hidden_size (100)");
        StringAssert.Contains(e.Message, "model.num_attention_heads (3)");
    }

    [TestMethod]
    public void Parse_WrongValueType_NamesPath()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Recipe.Parse("""{"name":"x","training":{"steps":"many"}}""", "bad.json"));
        StringAssert.Contains(e.Message, "training.steps");
    }

    [TestMethod]
    public void Parse_UnknownObjective_ListsTheValidOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Recipe.Parse("""{"name":"x","objective":{"type":"gpt"}}""", "bad.json"));
        StringAssert.Contains(e.Message, "objective.type is 'gpt'");
        StringAssert.Contains(e.Message, "electra");
    }

    [TestMethod]
    public void Parse_SettingOfAnotherObjective_NamesItAndTheTypesSettings()
    {
        // crts_beta used to be accepted (and ignored) in an mlm recipe; each objective now declares its own settings.
        var e = Assert.ThrowsExactly<ArgumentException>(() => Recipe.Parse("""{"name":"x","objective":{"type":"mlm","crts_beta":3}}""", "bad.json"));
        StringAssert.Contains(e.Message, "bad.json: unknown key at objective.crts_beta");
        StringAssert.Contains(e.Message, "objective.crts_beta is not a setting of objective type 'mlm' (its settings: mask_probability, mask_token_fraction, " +
            "random_token_fraction, max_predictions_per_sequence)");
        var ok = Recipe.Parse("""{"name":"x","objective":{"type":"crts","crts_beta":3,"clusters":"c.txt"}}""", "ok.json");
        Assert.AreEqual(3f, ((ClusterTokenDetectionConfig)ok.Objective).CrtsBeta);
    }

    [TestMethod]
    public void ShippedRecipes_UseOnlyTheirObjectivesSettings()
    {
        var recipes = Directory.GetFiles(Path.Combine(RepoRoot(), "models"), "*.json")
            .Where(p => !Seq2SeqRecipe.IsSeq2Seq(File.ReadAllText(p)));             // seq2seq ones: Load_EveryRecipeInModels_IsValid
        foreach (var path in recipes)
        {
            var recipe = Recipe.Load(path);                             // throws naming the file and key otherwise
            var again = Recipe.Parse(recipe.ToJson().ToJsonString(), path);   // the manifest's copy reads back as the same settings
            Assert.AreEqual(recipe.Objective, again.Objective, path);
        }
    }

    [TestMethod]
    public void Parse_SequenceLongerThanPositions_Fails()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            Recipe.Parse("""{"name":"x","model":{"max_position_embeddings":64},"data":{"sequence_length":128}}""", "bad.json"));
        StringAssert.Contains(e.Message, "data.sequence_length (128)");
    }
}
