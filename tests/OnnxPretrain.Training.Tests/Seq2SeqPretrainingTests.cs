using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

[TestClass]
public sealed class Seq2SeqPretrainingTests
{
    [TestMethod]
    [DataRow("gsg", ""), DataRow("span_corruption", ""), DataRow("gsg", ", \"encoder_mlm\": true")]
    public void RunSeq2Seq_TinyFixture_LossDecreases(string objective, string extra)
    {
        var recipe = Seq2SeqRecipe.Load(Seq2SeqFixture.Recipe(objective, extraObjective: extra));
        var runDir = Directory.CreateTempSubdirectory("onnxpretrain-s2s-run-").FullName;
        var log = new StringWriter();
        var result = Pretraining.RunSeq2Seq(recipe, new PretrainOptions(runDir, new SessionConfig { IntraOpThreads = 1 }, false, log));
        var losses = Fixture.TrainLosses(runDir);
        double first = losses.Values.Take(3).Average(), last = losses.Values.TakeLast(3).Average();
        Console.WriteLine($"{objective}{extra}: train loss {first:F3} -> {last:F3}, held-out {result.Summary.EvalLoss:F3}");
        Assert.HasCount(30, losses);
        Assert.IsLessThan(first * 0.9, last, log.ToString());
        Assert.IsLessThan((extra.Length > 0 ? 2 : 1) * Math.Log(recipe.Model.VocabSize), result.Summary.EvalLoss!.Value,
            "held-out loss should beat the uniform ln V (per loss term)");
        Assert.IsTrue(File.Exists(Path.Combine(result.Checkpoint, Checkpoint.ModelFile)));
        var metrics = File.ReadAllText(Path.Combine(runDir, "metrics.jsonl"));
        StringAssert.Contains(metrics, $"{objective}_accuracy");
        if (extra.Length > 0) StringAssert.Contains(metrics, "mlm_accuracy");
    }

    [TestMethod]
    public void Seq2SeqSpecials_BertBaseUncasedLayout_MatchesTheDocumentedMapping()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-s2s-vocab-").FullName;
        var vocab = new List<string> { "[PAD]" };
        vocab.AddRange(Enumerable.Range(0, 99).Select(i => $"[unused{i}]"));
        vocab.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        vocab.AddRange(Enumerable.Range(99, 5).Select(i => $"[unused{i}]"));
        vocab.AddRange(["a", "b", "##a"]);
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), vocab);
        var s = Pretraining.Seq2SeqSpecials(Data.TextTokenizer.CreateBert(Path.Combine(dir, "vocab.txt")));
        var expected = Data.Seq2SeqSpecialTokens.BertBaseUncased;
        Assert.AreEqual((expected.PadId, expected.DecoderStartId, expected.EosId, expected.SentenceMaskId, expected.MlmMaskId),
            (s.PadId, s.DecoderStartId, s.EosId, s.SentenceMaskId, s.MlmMaskId));
        CollectionAssert.AreEqual(expected.SentinelIds.ToArray(), s.SentinelIds.ToArray());
    }

    [TestMethod]
    public void Seq2SeqRecipe_UnknownKeyOrWrongObjective_NamesIt()
    {
        var path = Seq2SeqFixture.Recipe("gsg");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"d_model\"", "\"hidden_size\""));
        var e = Assert.ThrowsExactly<ArgumentException>(() => Seq2SeqRecipe.Load(path));
        StringAssert.Contains(e.Message, "hidden_size");
        path = Seq2SeqFixture.Recipe("mlm");
        e = Assert.ThrowsExactly<ArgumentException>(() => Seq2SeqRecipe.Load(path));
        StringAssert.Contains(e.Message, "objective.type is 'mlm'");
    }
}
