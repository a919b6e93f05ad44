using OnnxPretrain.Data;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

[TestClass]
public sealed class RetrievalPretrainingTests
{
    private static readonly SessionConfig OneThread = new() { IntraOpThreads = 1 };

    private static PretrainResult Run(string recipePath, string runDir, TextWriter? log = null) =>
        Pretraining.Run(Recipe.Load(recipePath), new PretrainOptions(runDir, OneThread, false, log ?? TextWriter.Null));

    [TestMethod]
    [DataRow("prop", "rop_accuracy"), DataRow("contrastive", "contrastive_accuracy")]
    public void Run_RetrievalObjectiveOnFixture_LossFallsAndAccuracyIsLogged(string objective, string metric)
    {
        var recipe = Fixture.Create(steps: 16, objective: objective, checkpointEvery: 16);
        var dir = Path.Combine(Path.GetDirectoryName(recipe)!, "run");
        Run(recipe, dir);
        var losses = Fixture.TrainLosses(dir);
        Assert.HasCount(16, losses);
        double first = losses.Values.Take(4).Average(), last = losses.Values.TakeLast(4).Average();
        Console.WriteLine($"{objective}: mean loss of steps 1-4 {first:F4}, of steps 13-16 {last:F4}");
        Assert.IsLessThan(first, last, $"{objective}: loss {first} -> {last}");
        var evals = MetricsLog.Read(Path.Combine(dir, "metrics.jsonl")).Where(o => (string?)o["split"] == "eval").ToList();
        Assert.IsNotNull(evals[^1][metric], $"eval line has {metric}");
        Assert.AreEqual(8, Pretraining.ExampleBatch(Recipe.Load(recipe), Pretraining.Specials(Recipe.Load(recipe)), batchSize: 4).Arrays["input_ids"].Shape[0],
            "batch_size counts pairs: 2 rows each");
    }

    [TestMethod]
    public void InitFrom_PropCheckpoint_LoadsEncoderAndDenseIntoTheTwoClassReranker()
    {
        var prop = Fixture.Create(steps: 2, objective: "prop");
        var pretrained = Run(prop, Path.Combine(Path.GetDirectoryName(prop)!, "prop")).Checkpoint;
        var as2 = Recipe.Load(prop) with { Objective = ObjectiveRegistry.NewConfig("as2") };
        var dir = Path.Combine(Path.GetDirectoryName(prop)!, "as2");
        Pretraining.BuildArtifacts(as2, dir, TextWriter.Null);
        var log = new StringWriter();
        Pretraining.InitFrom(Path.Combine(dir, "checkpoint"), pretrained, log);
        var donor = Safetensors.Read(Path.Combine(pretrained, "model.safetensors")).Tensors;
        var start = Safetensors.Read(Path.Combine(dir, "checkpoint", "model.safetensors")).Tensors;
        foreach (var name in new[] { "electra.encoder.layer.1.output.dense.weight", "electra.embeddings.word_embeddings.weight", "classifier.dense.weight" })
            CollectionAssert.AreEqual(donor[name].AsFloats(), start[name].AsFloats(), name);
        CollectionAssert.AreEqual(new long[] { 1, 32 }, donor["classifier.out_proj.weight"].Shape);
        CollectionAssert.AreEqual(new long[] { 2, 32 }, start["classifier.out_proj.weight"].Shape, "the two-class head keeps its fresh initialisation");
        StringAssert.Contains(log.ToString(), "Initialised");
    }

    [TestMethod]
    public void Corpus_AdditionalJsonlCorpus_ConcatenatesSplitsAndKeepsTitles()
    {
        var recipePath = Fixture.Create(steps: 1, objective: "contrastive");
        var root = Path.GetDirectoryName(recipePath)!;
        File.WriteAllLines(Path.Combine(root, "beir.jsonl"), Enumerable.Range(0, 20).Select(i =>
            $$"""{"_id": "{{i}}", "title": "red ball {{i % 3}}", "text": "the cat sat on a mat. we saw a big tree."}"""));
        var recipe = Recipe.Load(recipePath);
        recipe = recipe with { Data = recipe.Data with { AdditionalCorpora = ["beir.jsonl"] } };
        var split = Pretraining.Corpus(recipe, null, TextWriter.Null);
        var alone = Pretraining.Corpus(Recipe.Load(recipePath), null, TextWriter.Null);
        Assert.AreEqual(alone.Train.Count + 18, split.Train.Count, "12 fixture documents (10 + 2) plus 20 BEIR documents (18 + 2)");
        Assert.AreEqual(alone.Validation.Count + 2, split.Validation.Count);
        Assert.AreEqual(18, split.Train.Count(d => d.Title?.StartsWith("red ball", StringComparison.Ordinal) == true), "BEIR titles are kept");
        var e = Assert.ThrowsExactly<ArgumentException>(() => Recipe.Parse(File.ReadAllText(recipePath).Replace("\"corpus\": \"corpus\"",
            "\"corpus\": \"corpus\", \"additional_corpora\": [\"corpus\"]"), "dup.json"));
        StringAssert.Contains(e.Message, "data.additional_corpora[0]");
    }

    [TestMethod]
    [DataRow("electra-small-prop-cranfield"), DataRow("electra-small-contrastive-cranfield")]
    public void CranfieldRecipes_CorpusPath_ResolvesToTheSharedCorpus(string name)
    {
        var recipe = Recipe.Load(Path.Combine(RecipeTests.RepoRoot(), "models", name + ".json"));
        // PROP: default corpus + Cranfield documents; contrastive: Cranfield documents alone (issue 6's experiment).
        var extra = name.Contains("prop") ? Assert.ContainsSingle(recipe.Data.AdditionalCorpora!) : recipe.Data.Corpus;
        if (!name.Contains("prop")) Assert.IsNull(recipe.Data.AdditionalCorpora);
        var path = Path.GetFullPath(Path.Combine(RecipeTests.RepoRoot(), "models", extra));
        Assert.AreEqual(Path.GetFullPath(Path.Combine(RecipeTests.RepoRoot(), "..", "shared", "data", "retrieval", "cranfield", "corpus.jsonl")), path);
        if (!File.Exists(path)) Assert.Inconclusive($"The Cranfield corpus is not at {path}.");
        var titled = JsonlReader.Read(path).Take(50).Count(d => !string.IsNullOrWhiteSpace(d.Title));
        Assert.IsGreaterThan(40, titled, "Cranfield documents have titles for title <-> text pairs");
    }
}
