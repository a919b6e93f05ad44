using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;
using static OnnxPretrain.Models.Tests.TinySetup;

namespace OnnxPretrain.Models.Tests;

/// <summary>The joint multi-candidate heads (MSPP, joint AS2): forward against a plain computation, gradients against finite differences.</summary>
[TestClass]
public sealed class JointObjectiveTests
{
    private const int K = 3, S = 4, Tj = (K + 1) * S;   // 16 = the tiny encoder's max positions

    private static ObjectiveConfig Config(string type, string head, string pooling = "cls") => type == "mspp"
        ? new MultiSentenceConfig { Type = "mspp", Head = head, Candidates = K, SegmentLength = S, Pooling = pooling }
        : new JointAs2Config { Type = "as2_joint", Head = head, Candidates = K, SegmentLength = S, Pooling = pooling };

    /// <summary>B rows of K + 1 segments [CLS] w (w) [SEP] [PAD]; types = segment; labels with one empty slot; MLM at two words per row.</summary>
    private static Dictionary<string, TensorData> Batch(int seed, bool mlm)
    {
        var rng = new Random(seed);
        var ids = new long[B * Tj];
        var mask = new long[B * Tj];
        var types = new long[B * Tj];
        var positions = new List<long>();
        var mlmLabels = new List<long>();
        for (int b = 0; b < B; b++)
            for (int j = 0; j <= K; j++)
            {
                int at = b * Tj + j * S, words = 1 + rng.Next(2);
                ids[at] = Cls;
                for (int w = 1; w <= words; w++) ids[at + w] = rng.Next(4, V);
                ids[at + words + 1] = Sep;
                for (int i = 0; i < S; i++) (mask[at + i], types[at + i]) = (i <= words + 1 ? 1 : 0, j);
                if (j == 1 || j == 2) { positions.Add(at + 1); mlmLabels.Add(ids[at + 1]); ids[at + 1] = Mask; }
            }
        var labels = Enumerable.Range(0, B * K).Select(i => i == B * K - 1 ? -100L : i % K == i / K % K ? 1L : 0L).ToArray();
        var batch = new Dictionary<string, TensorData>
        {
            ["input_ids"] = TensorData.Create(ids, B, Tj), ["attention_mask"] = TensorData.Create(mask, B, Tj),
            ["token_type_ids"] = TensorData.Create(types, B, Tj), ["candidate_labels"] = TensorData.Create(labels, B, K),
        };
        if (mlm)
        {
            batch["masked_lm_positions"] = TensorData.Create(positions.ToArray(), positions.Count);
            batch["masked_lm_labels"] = TensorData.Create(mlmLabels.ToArray(), mlmLabels.Count);
        }
        return batch;
    }

    [TestMethod]
    [DataRow("mspp", "ie_k", "cls"), DataRow("mspp", "ae_k", "cls"), DataRow("mspp", "ae_1", "cls"), DataRow("as2_joint", "ie_k", "cls"),
        DataRow("as2_joint", "ae_k", "cls"), DataRow("as2_joint", "ie_k", "mean"), DataRow("mspp", "ae_k", "mean")]
    public void TinyModel_FixedBatch_GradientsMatchFiniteDifferencesAndLossFalls(string type, string head, string pooling)
    {
        var encoder = Encoder("bert", dropout: 0f, init: 0.2f) with { TypeVocabSize = K + 1 };
        var objective = ObjectiveRegistry.Graph(encoder, Config(type, head, pooling), Tj, seed: 13);
        var batch = Batch(21, mlm: type == "mspp");
        var dir = Build(objective, () => batch);
        var checkedNames = AssertSampledGradients(dir, batch, (name, i) => i % 3 == 0 || name.StartsWith("joint_classifier", StringComparison.Ordinal));
        CollectionAssert.Contains(checkedNames, "joint_classifier.dense.weight");
        var (first, last) = Overfit(dir, batch, 40, 3e-3f);
        Assert.IsLessThan(first / 2, last, $"{type} {head}: loss {first} -> {last}");
    }

    [TestMethod]
    public void ContextPair_TinyModel_TypeTwoRowGetsGradientsMatchingFiniteDifferences()
    {
        var encoder = Encoder("bert", dropout: 0f, init: 0.2f) with { TypeVocabSize = 3 };
        var objective = ObjectiveRegistry.Graph(encoder, Objective("context_pair"), T, seed: 17);
        var batch = MaskedLmBatch(31);
        batch["token_type_ids"] = TensorData.Create(Enumerable.Range(0, B * T).Select(i => (long)Math.Min(2, i % T / 4)).ToArray(), B, T);
        batch["sentence_labels"] = TensorData.Create(new long[] { 1, 0, 0, 1 }, B);
        var dir = Build(objective, () => batch);
        var (grads, parameters, eval) = StepForFiniteDifferences(dir, batch);
        using var _ = eval;
        const string types = "bert.embeddings.token_type_embeddings.weight";
        foreach (var (name, i) in new[] { (types, 2 * 32 + 5), ("classifier.weight", 3), ("bert.pooler.dense.weight", 40) })
        {
            double n = EncoderGradientTests.Numeric(eval, batch, parameters, name, i, 1e-2f);
            Assert.AreEqual(n, grads[name].AsFloats()[i], 5e-4 + 5e-2 * Math.Abs(n), $"{name}[{i}]");
        }
        Assert.IsTrue(grads[types].AsFloats().Skip(64).Any(x => x != 0), "row 2 (context) is trained");
    }

    [TestMethod]
    [DataRow("ie_k", "cls"), DataRow("ae_k", "cls"), DataRow("ae_1", "cls"), DataRow("ie_k", "mean"), DataRow("ae_k", "mean")]
    public void Logits_RandomHidden_MatchPlainHeadOnEachSegmentsVector(string head, string pooling)
    {
        const int b = 2, h = 8;
        var c = Encoder("bert") with { HiddenSize = h, NumAttentionHeads = 2 };
        var joint = new JointAs2Config { Head = head, Candidates = K, SegmentLength = S, Pooling = pooling };
        var g = Graph.Create("joint-head");
        var L = new Layers(g, 3, 0.5f);
        var (hiddenIn, maskIn) = (g.Input("hidden", DataType.Float, Shape.Of([b, Tj, h])), g.Input("mask", DataType.Int64, Shape.Of([b, Tj])));
        g.Output(JointCandidatesObjective.Logits(L, c, joint, hiddenIn, maskIn), "logits");
        var rng = new Random(4);
        var hidden = Enumerable.Range(0, b * Tj * h).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var mask = Enumerable.Range(0, b * Tj).Select(t => t % S < 2 || rng.Next(2) == 1 ? 1L : 0L).ToArray();   // [CLS] x kept
        var feed = new Dictionary<string, TensorData> { ["hidden"] = TensorData.Create(hidden, b, Tj, h), ["mask"] = TensorData.Create(mask, b, Tj) };
        foreach (var p in g.Parameters) feed[p.Value.Name] = p.Initial;
        using var model = OnnxModel.Load(ModelWriter.ToBytes(g, ParameterLayout.AsInputs));
        var got = model.Run(feed)["logits"].AsFloats();
        float[] W(string n) => g.Parameters.Single(p => p.Value.Name == n).Initial.AsFloats();
        double[] Vec(int row, int segment)
        {
            var kept = Enumerable.Range(row * Tj + segment * S, pooling == "cls" ? 1 : S).Where(t => mask[t] == 1).ToList();
            return Enumerable.Range(0, h).Select(i => kept.Average(t => (double)hidden[t * h + i])).ToArray();
        }
        double Score(double[] x)
        {
            int w = x.Length;
            var (dw, db) = (W("joint_classifier.dense.weight"), W("joint_classifier.dense.bias"));
            var (ow, ob) = (W("joint_classifier.out_proj.weight"), W("joint_classifier.out_proj.bias"));
            var y = Enumerable.Range(0, w).Select(o => Math.Tanh(db[o] + Enumerable.Range(0, w).Sum(i => dw[o * w + i] * x[i]))).ToArray();
            return ob[0] + Enumerable.Range(0, w).Sum(i => ow[i] * y[i]);
        }
        int outputs = head == "ae_1" ? 1 : K;
        Assert.HasCount(b * outputs, got);
        for (int row = 0; row < b; row++)
            for (int j = 0; j < outputs; j++)
            {
                double[] x = head switch
                {
                    "ie_k" => Vec(row, j + 1),
                    "ae_k" => [.. Vec(row, 0), .. Vec(row, j + 1)],
                    _ => Enumerable.Range(0, h).Select(i => Enumerable.Range(0, K + 1).Sum(sg => Vec(row, sg)[i])).ToArray(),
                };
                Assert.AreEqual(Score(x), got[row * outputs + j], 1e-4, $"{head} row {row} output {j}");
            }
    }

    [TestMethod]
    public void BinaryLoss_HandCase_SumsSoftplusOverLabelledEntriesOnly()
    {
        var g = Graph.Create("bce");
        var (loss, accuracy) = JointCandidatesObjective.BinaryLoss(g, g.Input("z", DataType.Float, Shape.Of([2, 2])),
            g.Input("y", DataType.Int64, Shape.Of([2, 2])));
        g.Output(loss, "loss");
        g.Output(accuracy, "accuracy");
        using var model = OnnxModel.Load(ModelWriter.ToBytes(g, ParameterLayout.AsInputs));
        var r = model.Run(new Dictionary<string, TensorData>
        {
            ["z"] = TensorData.Create(new[] { 2f, -1f, 0.5f, 7f }, 2, 2), ["y"] = TensorData.Create(new long[] { 1, 1, 0, -100 }, 2, 2),
        });
        // softplus(-2) + softplus(1) + softplus(0.5); the -100 entry adds nothing. Correct: z=2 (y 1) only -> 1/3.
        double expected = Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(1)) + Math.Log(1 + Math.Exp(0.5));
        Assert.AreEqual(expected, r["loss"].AsFloats()[0], 1e-5);
        Assert.AreEqual(1.0 / 3, r["accuracy"].AsFloats()[0], 1e-6);
    }

    [TestMethod]
    public void Constructor_LayoutMismatch_NamesKeysAndValues()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ObjectiveRegistry.Graph(Encoder("bert") with { TypeVocabSize = K + 1 },
            Config("as2_joint", "ie_k"), 12, 1));
        StringAssert.Contains(e.Message, "data.sequence_length (12) must be (objective.candidates + 1) x objective.segment_length");
        e = Assert.ThrowsExactly<ArgumentException>(() => ObjectiveRegistry.Graph(Encoder("bert"), Config("as2_joint", "ie_k"), Tj, 1));
        StringAssert.Contains(e.Message, "model.type_vocab_size (2) must be >= objective.candidates + 1 = 4");
        e = Assert.ThrowsExactly<ArgumentException>(() => new JointAs2Config { Head = "ie_2" }.Validate());
        StringAssert.Contains(e.Message, "objective.head is 'ie_2'");
        e = Assert.ThrowsExactly<ArgumentException>(() => new MultiSentenceConfig { Pooling = "max" }.Validate());
        StringAssert.Contains(e.Message, "objective.pooling is 'max'; expected one of cls, mean");
    }
}
