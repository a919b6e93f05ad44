using OnnxPretrain.Training;
using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using static OnnxPretrain.Models.Tests.TinySetup;

namespace OnnxPretrain.Models.Tests;

[TestClass]
public sealed class ObjectiveTests
{
    [TestMethod]
    [DataRow("mlm", "bert"), DataRow("mlm", "electra"), DataRow("slm", "electra")]
    public void MaskedLm_TinyModel_OverfitsFixedBatchByFactor5(string type, string layout)
    {
        var objective = ObjectiveRegistry.Graph(Encoder(layout, dropout: 0.1f), Objective(type), T, seed: 1);
        var batch = MaskedLmBatch(3);
        var dir = Build(objective, () => batch);
        var (first, last) = Overfit(dir, batch, 100, 5e-3f);
        Assert.IsLessThan(first / 5, last, $"loss {first} -> {last}");
    }

    [TestMethod]
    [DataRow("rts"), DataRow("crts")]
    public void TokenDetection_TinyModel_OverfitsFixedBatchByFactor5(string type)
    {
        var objective = ObjectiveRegistry.Graph(Encoder(dropout: 0.1f), Objective(type), T, seed: 2);
        var batch = DetectionBatch(4);
        var dir = Build(objective, () => batch);
        var (first, last) = Overfit(dir, batch, 60, 3e-3f);
        Assert.IsLessThan(first / 5, last, $"loss {first} -> {last}");
    }

    [TestMethod]
    public void Crts_TrainingModel_OutputsPerTokenPredictions()
    {
        var objective = ObjectiveRegistry.Graph(Encoder(), Objective("crts"), T, seed: 2);
        var batch = DetectionBatch(4);
        using var s = TrainingSession.Load(Build(objective, () => batch));
        var r = s.TrainStep(batch);
        CollectionAssert.AreEqual(new long[] { B, T }, r.Outputs["predictions"].Shape);
        // Reference: the eval model's logits on the same batch (dropout 0: the same forward): predicted 1 where logit > 0.
        var logits = s.Evaluate(batch, ["logits"])["logits"].AsFloats();
        CollectionAssert.AreEqual(logits.Select(z => z > 0 ? 1L : 0L).ToArray(), r.Outputs["predictions"].AsInt64s());
        Assert.IsTrue(logits.Any(z => z > 0) && logits.Any(z => z <= 0), "both classes occur, so the comparison can fail");
    }

    [TestMethod]
    public void Electra_TinyModel_OverfitsFixedBatch()
    {
        // Dropout 0: ORT's dropout masks are random per session, and the generator/discriminator interplay makes the
        // loss curve sensitive to them; without dropout the run is deterministic.
        var objective = ObjectiveRegistry.Graph(Encoder(dropout: 0f), Objective("electra"), T, seed: 3);
        var batch = MaskedLmBatch(5, electraNoise: true);
        var dir = Build(objective, () => batch);
        var (first, last) = Overfit(dir, batch, 150, 3e-3f);
        Assert.IsLessThan(first / 4, last, $"loss {first} -> {last}");
    }

    [TestMethod]
    public void Electra_NoiseFavouringOriginal_LabelsZeroWhereSampleIsOriginal()
    {
        var objective = (ElectraObjective)ObjectiveRegistry.Graph(Encoder(), Objective("electra"), T, seed: 3);
        var batch = MaskedLmBatch(6, electraNoise: true);
        var labels = batch["masked_lm_labels"].AsInt64s();
        var noise = batch["sampling_noise"].AsFloats();
        // Slots 0-1 of each row: the noise makes the original id win the Gumbel-max; slots 2-3: id 4 + slot, never the original.
        for (int slot = 0; slot < labels.Length; slot++)
        {
            long target = slot % 4 < 2 ? labels[slot] : (labels[slot] == 4 + slot % 4 ? 5 + slot % 4 : 4 + slot % 4);
            for (int v = 0; v < V; v++) noise[slot * V + v] = v == target ? 1 - 1e-7f : 1e-6f;
        }
        using var s = TrainingSession.Load(Build(objective, () => batch));
        var outs = s.Evaluate(batch);
        var sampled = outs["sampled_ids"].AsInt64s();
        var disc = outs["discriminator_labels"].AsInt64s();
        var positions = batch["masked_lm_positions"].AsInt64s();
        var mask = batch["attention_mask"].AsInt64s();
        for (int slot = 0; slot < labels.Length; slot++)
        {
            bool original = slot % 4 < 2;
            Assert.AreEqual(original, sampled[slot] == labels[slot], $"slot {slot}");
            Assert.AreEqual(original ? 0L : 1L, disc[positions[slot]], $"slot {slot}");
        }
        var selected = positions.ToHashSet();
        for (int i = 0; i < disc.Length; i++)
            if (!selected.Contains(i)) Assert.AreEqual(mask[i] == 1 ? 0L : -100L, disc[i], $"token {i}");
    }

    [TestMethod]
    public void Electra_ParameterNames_FollowHuggingFace()
    {
        var objective = ObjectiveRegistry.Graph(Encoder(), Objective("electra"), T, seed: 3);
        var g = Graph.Create();
        objective.Build(g, false);
        var names = g.Parameters.Select(p => p.Value.Name).ToHashSet();
        string[] expected =
        [
            "electra.embeddings.word_embeddings.weight", "electra.embeddings.position_embeddings.weight",
            "electra.embeddings.token_type_embeddings.weight", "electra.embeddings.LayerNorm.weight", "electra.embeddings_project.weight",
            "electra.encoder.layer.0.attention.self.query.weight", "electra.encoder.layer.1.attention.output.LayerNorm.bias",
            "electra.encoder.layer.1.intermediate.dense.weight", "electra.encoder.layer.1.output.dense.bias",
            "discriminator_predictions.dense.weight", "discriminator_predictions.dense_prediction.bias",
            "generator.electra.embeddings_project.weight", "generator.electra.encoder.layer.0.attention.self.key.bias",
            "generator.generator_predictions.LayerNorm.weight", "generator.generator_predictions.dense.weight", "generator.generator_lm_head.bias",
        ];
        foreach (var n in expected) Assert.Contains(n, names, n);
        Assert.IsFalse(names.Any(n => n.StartsWith("generator.electra.embeddings.")), "generator embeddings must be shared");
        var q = g.Parameters.Single(p => p.Value.Name == "generator.electra.encoder.layer.0.attention.self.query.weight");
        CollectionAssert.AreEqual(new long[] { 8, 8 }, q.Initial.Shape);     // hidden 32 x 1/4
        CollectionAssert.AreEqual(new long[] { 32, 16 }, g.Parameters.Single(p => p.Value.Name == "electra.embeddings_project.weight").Initial.Shape);
    }

    [TestMethod]
    public void BertMlm_ParameterNames_FollowBertForMaskedLM()
    {
        var objective = ObjectiveRegistry.Graph(Encoder("bert"), Objective("mlm"), T, seed: 3);
        var g = Graph.Create();
        objective.Build(g, false);
        var names = g.Parameters.Select(p => p.Value.Name).ToList();
        CollectionAssert.Contains(names, "bert.encoder.layer.0.attention.self.value.weight");
        CollectionAssert.Contains(names, "cls.predictions.transform.dense.weight");
        CollectionAssert.Contains(names, "cls.predictions.transform.LayerNorm.bias");
        CollectionAssert.Contains(names, "cls.predictions.bias");
        Assert.IsFalse(names.Any(n => n.Contains("decoder")), "the decoder is tied to the word embeddings");
    }

    [TestMethod]
    public void EncoderConfig_HeadsNotDividingHidden_NamesFieldsAndValues()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => (Encoder() with { NumAttentionHeads = 5 }).Validate());
        StringAssert.Contains(e.Message, "model.hidden_size (32)");
        StringAssert.Contains(e.Message, "model.num_attention_heads (5)");
    }

    [TestMethod]
    public void Init_SameSeedAndName_GivesSameValuesTruncatedAt2Std()
    {
        var a = Init.TruncatedNormal(5, "w", 0.02f, 100, 10).AsFloats();
        var b = Init.TruncatedNormal(5, "w", 0.02f, 100, 10).AsFloats();
        CollectionAssert.AreEqual(a, b);
        Assert.IsTrue(a.All(x => Math.Abs(x) <= 0.04f));
        var std = Math.Sqrt(a.Select(x => (double)x * x).Average());
        Assert.AreEqual(0.0176, std, 0.0015);   // std of N(0, 0.02²) truncated at ±2σ = 0.02 × 0.8796
    }

    /// <summary>
    /// A batch with nothing to predict (every MLM label -100, as the batchers' dummy slot; every token label -100) must
    /// add loss 0 and gradient 0 to its terms, not 0/0 = NaN; other terms (the sentence pair, ELECTRA's discriminator
    /// over real tokens) keep their own means.
    /// </summary>
    [TestMethod]
    [DataRow("mlm", true), DataRow("slm", true), DataRow("rts", true), DataRow("electra", false), DataRow("ssp", false)]
    public void NothingToPredict_TermAddsLossAndGradientZero(string type, bool onlyTerm)
    {
        var objective = ObjectiveRegistry.Graph(Encoder(), Objective(type), T, seed: 4);
        var batch = type == "rts" ? DetectionBatch(4) : MaskedLmBatch(4, electraNoise: type == "electra");
        foreach (var key in new[] { "masked_lm_labels", "labels" }.Where(batch.ContainsKey))
            batch[key] = TensorData.Create(Enumerable.Repeat(-100L, (int)batch[key].ElementCount).ToArray(), batch[key].Shape);
        if (type == "ssp") batch["sentence_labels"] = TensorData.Create(new long[] { 1, 0, 1, 0 }, B);
        using var s = TrainingSession.Load(Build(objective, () => batch));
        var r = s.TrainStep(batch);
        var grads = s.GetGradients();
        Assert.IsTrue(float.IsFinite(r.Loss), $"loss {r.Loss}");
        Assert.IsTrue(grads.Values.All(g => g.AsFloats().All(float.IsFinite)), "every gradient finite");
        Assert.AreEqual(0L, r.Targets[0], "the first term (MLM / generator / token labels) has no target");
        if (onlyTerm)
        {
            Assert.AreEqual(0f, r.Loss);
            Assert.IsTrue(grads.Values.All(g => g.AsFloats().All(x => x == 0f)), "zero gradient");
        }
        else Assert.IsGreaterThan(0f, r.Loss, "the other term still trains");
        float evalLoss = s.Evaluate(batch, ["loss"])["loss"].AsFloats()[0];
        if (onlyTerm) Assert.AreEqual(0f, evalLoss, "eval loss");
        else Assert.IsTrue(float.IsFinite(evalLoss), $"eval loss {evalLoss}");
        s.OptimizerStep(1e-3f);
        float next = s.TrainStep(MaskedLmOrDetection(type)).Loss;
        Assert.IsTrue(float.IsFinite(next), $"after the update: loss {next}");
    }

    private static Dictionary<string, TensorData> MaskedLmOrDetection(string type)
    {
        var batch = type == "rts" ? DetectionBatch(5) : MaskedLmBatch(5, electraNoise: type == "electra");
        if (type == "ssp") batch["sentence_labels"] = TensorData.Create(new long[] { 0, 1, 1, 0 }, B);
        return batch;
    }
}
