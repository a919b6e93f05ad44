using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

/// <summary>The registry is the one list of objectives: each entry's graph takes exactly the batch its data side makes.</summary>
[TestClass]
public sealed class ObjectiveRegistryTests
{
    public static IEnumerable<object[]> Types => ObjectiveRegistry.Types.Select(t => new object[] { t });

    [TestMethod]
    [DynamicData(nameof(Types))]
    public void EveryObjective_GraphInputsEqualTheExampleBatch(string type)
    {
        var recipe = Recipe.Load(Fixture.Create(steps: 1));
        var objective = ObjectiveRegistry.NewConfig(type);
        recipe = recipe with { Objective = objective switch
        {
            ClusterTokenDetectionConfig crts => crts with { Clusters = "synthetic" },
            MultiSentenceConfig m => m with { Candidates = 3, SegmentLength = 8 },          // (3 + 1) x 8 = the fixture's 32 positions
            JointAs2Config j => j with { Candidates = 3, SegmentLength = 8 },
            _ => objective,
        } };
        recipe = recipe with { Model = recipe.Model with { TypeVocabSize = 4 } };                 // joint rows: 4 segments; context pairs: 3 types
        recipe.Validate();
        var graph = Graph.Create(type);
        ObjectiveRegistry.Graph(recipe.Model, recipe.Objective, recipe.Data.SequenceLength, 1).Build(graph, training: false);
        var batch = Pretraining.ExampleBatch(recipe, Pretraining.Specials(recipe));
        var inputs = graph.Inputs.ToDictionary(i => i.Name);
        CollectionAssert.AreEquivalent(inputs.Keys.ToArray(), batch.Arrays.Keys.ToArray(), $"{type}: graph inputs vs batch arrays");
        foreach (var (name, array) in batch.Arrays)
        {
            var dtype = array.Data is float[] ? DataType.Float : array.Data is long[] ? DataType.Int64
                : throw new AssertFailedException($"{name}: {array.Data.GetType()}");
            Assert.AreEqual(inputs[name].Type, dtype, $"{type}: dtype of {name}");
            Assert.AreEqual(inputs[name].Rank, array.Shape.Length, $"{type}: rank of {name}");
        }
    }

    [TestMethod]
    public void Entries_AreUniqueAndCompleteForTheirRowSource()
    {
        CollectionAssert.AllItemsAreUnique(ObjectiveRegistry.Types.ToArray());
        foreach (var spec in ObjectiveRegistry.All)
        {
            Assert.AreEqual(spec.Rows == RowSource.PackedSequences, spec.Batcher is not null, $"{spec.Type}: a batcher exactly for packed sequences");
            Assert.AreEqual(spec.Rows == RowSource.SentencePairs, spec.SentenceTasks is { Count: > 0 }, $"{spec.Type}: pair tasks exactly for sentence pairs");
        }
        var e = Assert.ThrowsExactly<ArgumentException>(() => ObjectiveRegistry.Get("gpt"));
        StringAssert.Contains(e.Message, "objective.type is 'gpt'; expected one of mlm, slm, electra");
    }
}
