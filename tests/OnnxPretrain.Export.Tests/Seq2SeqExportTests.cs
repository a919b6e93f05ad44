using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Export.Tests;

[TestClass]
public sealed class Seq2SeqExportTests
{
    private const int V = 30, B = 2, S = 7, Lt = 5, Layers = 2;

    private static readonly Seq2SeqConfig Config = new()
    {
        VocabSize = V, DModel = 16, EncoderLayers = 2, DecoderLayers = Layers, EncoderAttentionHeads = 2, DecoderAttentionHeads = 4,
        EncoderFfnDim = 32, DecoderFfnDim = 24, MaxPositionEmbeddings = 16, Dropout = 0, InitStd = 0.3f,
    };

    private static Dictionary<string, TensorData> Batch()
    {
        var rng = new Random(4);
        var ids = Enumerable.Range(0, B * S).Select(_ => (long)rng.Next(3, V)).ToArray();
        var mask = Enumerable.Range(0, B * S).Select(i => i % S >= S - 2 * (i / S) ? 0L : 1L).ToArray();   // row 1 has 2 pads
        var dec = Enumerable.Range(0, B * Lt).Select(i => i % Lt == 0 ? 1L : rng.Next(3, V)).ToArray();
        return new()
        {
            ["input_ids"] = TensorData.Create(ids, B, S), ["attention_mask"] = TensorData.Create(mask, B, S),
            ["decoder_input_ids"] = TensorData.Create(dec, B, Lt), ["labels"] = TensorData.Create(new long[B * Lt], B, Lt),
        };
    }

    private static (string Export, float[] EvalLogits, Dictionary<string, TensorData> Batch) Exported()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-seq2seq-export-").FullName;
        var batch = Batch();
        var objective = new Seq2SeqLmObjective(Config, "gsg", seed: 3);
        ArtifactBuilder.Build(new TrainableModel("s2s", objective.Build, () => batch), new AdamWOptions(), dir);
        using var session = TrainingSession.Load(dir);
        var expected = session.Evaluate(batch, ["logits"])["logits"].AsFloats();
        var export = Seq2SeqExport.Write(Config, session.GetParameters(), Path.Combine(dir, "export"), new Seq2SeqTokenIds(0, 1, 2));
        return (export, expected, batch);
    }

    private static double MaxDiff(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    [TestMethod]
    public void Seq2SeqExport_EncoderPlusDecoder_EqualEvalModelLogits()
    {
        var (export, expected, batch) = Exported();
        using var encoder = OnnxModel.Load(Path.Combine(export, Seq2SeqExport.EncoderFile));
        using var decoder = OnnxModel.Load(Path.Combine(export, Seq2SeqExport.DecoderFile));
        var hidden = encoder.Run(new Dictionary<string,
            TensorData> { ["input_ids"] = batch["input_ids"], ["attention_mask"] = batch["attention_mask"] })["last_hidden_state"];
        var outputs = decoder.Run(new Dictionary<string, TensorData>
        {
            ["encoder_attention_mask"] = batch["attention_mask"], ["input_ids"] = batch["decoder_input_ids"], ["encoder_hidden_states"] = hidden,
        });
        double diff = MaxDiff(expected, outputs["logits"].AsFloats());
        Console.WriteLine($"max |exported decoder logits - eval_model logits| = {diff:G3}");
        Assert.IsLessThan(1e-5, diff);
        CollectionAssert.AreEqual(new long[] { B, 4, Lt, 4 }, outputs["present.1.decoder.key"].Shape);
        CollectionAssert.AreEqual(new long[] { B, 4, S, 4 }, outputs["present.0.encoder.value"].Shape);
        StringAssert.Contains(File.ReadAllText(Path.Combine(export, "config.json")), "\"decoder_start_token_id\": 1");
        Assert.IsTrue(Safetensors.Read(Path.Combine(export, "model.safetensors")).Tensors.ContainsKey("model.shared.weight"));
    }

    [TestMethod]
    public void Seq2SeqExport_DecoderWithPast_StepByStepEqualsFullDecoder()
    {
        var (export, _, batch) = Exported();
        using var encoder = OnnxModel.Load(Path.Combine(export, Seq2SeqExport.EncoderFile));
        using var decoder = OnnxModel.Load(Path.Combine(export, Seq2SeqExport.DecoderFile));
        using var withPast = OnnxModel.Load(Path.Combine(export, Seq2SeqExport.DecoderWithPastFile));
        var mask = batch["attention_mask"];
        var hidden = encoder.Run(new Dictionary<string, TensorData> { ["input_ids"] = batch["input_ids"], ["attention_mask"] = mask })["last_hidden_state"];
        var dec = batch["decoder_input_ids"].AsInt64s();
        var full = decoder.Run(new Dictionary<string,
            TensorData> { ["encoder_attention_mask"] = mask, ["input_ids"] = batch["decoder_input_ids"],
                ["encoder_hidden_states"] = hidden })["logits"].AsFloats();
        TensorData Column(int t) => TensorData.Create(Enumerable.Range(0, B).Select(b => dec[b * Lt + t]).ToArray(), B, 1);
        var first = decoder.Run(new Dictionary<string,
            TensorData> { ["encoder_attention_mask"] = mask, ["input_ids"] = Column(0), ["encoder_hidden_states"] = hidden });
        var cache = new Dictionary<string, TensorData>();
        for (int i = 0; i < Layers; i++)
            foreach (var part in new[] { "decoder.key", "decoder.value", "encoder.key", "encoder.value" })
                cache[$"past_key_values.{i}.{part}"] = first[$"present.{i}.{part}"];
        double worst = MaxDiff(Slice(full, 0), first["logits"].AsFloats());
        for (int t = 1; t < Lt; t++)
        {
            var feed = new Dictionary<string, TensorData>(cache) { ["encoder_attention_mask"] = mask, ["input_ids"] = Column(t) };
            var step = withPast.Run(feed);
            worst = Math.Max(worst, MaxDiff(Slice(full, t), step["logits"].AsFloats()));
            for (int i = 0; i < Layers; i++)
                foreach (var part in new[] { "decoder.key", "decoder.value" })
                    cache[$"past_key_values.{i}.{part}"] = step[$"present.{i}.{part}"];
        }
        Console.WriteLine($"max |cached step logits - full decoder logits| = {worst:G3}");
        Assert.IsLessThan(1e-5, worst);
        CollectionAssert.AreEqual(new long[] { B, 4, Lt, 4 }, cache["past_key_values.0.decoder.key"].Shape);
    }

    /// <summary>Logits (B, 1, V) of position t out of full (B, Lt, V) logits.</summary>
    private static float[] Slice(float[] full, int t) =>
        Enumerable.Range(0, B).SelectMany(b => full.Skip((b * Lt + t) * V).Take(V)).ToArray();
}
