using OnnxPretrain.Evaluation.Generation;
using OnnxPretrain.Export;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation.Tests.Generation;

[TestClass]
public sealed class GeneratorTests
{
    private const int Start = 1, Eos = 2, Pad = 0;

    /// <summary>A random (untrained) seq2seq export with peaky next-token distributions (init std 0.5).</summary>
    private static string Export(int vocab)
    {
        var c = new Seq2SeqConfig
        {
            VocabSize = vocab, DModel = 16, EncoderLayers = 1, DecoderLayers = 2, EncoderAttentionHeads = 2, DecoderAttentionHeads = 2,
            EncoderFfnDim = 32, DecoderFfnDim = 32, MaxPositionEmbeddings = 32, Dropout = 0, InitStd = 0.5f,
        };
        var parameters = new Dictionary<string, TensorData>();
        foreach (var g in new[] { Seq2SeqExport.EncoderGraph(c), Seq2SeqExport.DecoderGraph(c, withPast: false) })
            foreach (var p in g.Parameters) parameters[p.Value.Name] = p.Initial;
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-generator-").FullName;
        return Seq2SeqExport.Write(c, parameters, dir, new Seq2SeqTokenIds(Pad, Start, Eos));
    }

    private static readonly long[][] Sources = [[5, 9, 4, 11, 3], [7, 7, 12], [13, 6, 8, 10, 9, 4, 5, 3]];

    /// <summary>The full (no-cache) decoder on one unpadded source: log-probabilities of the token after a prefix.</summary>
    private sealed class FullDecoder(string export) : IDisposable
    {
        private readonly OnnxModel _encoder = OnnxModel.Load(Path.Combine(export, Seq2SeqExport.EncoderFile));
        private readonly OnnxModel _decoder = OnnxModel.Load(Path.Combine(export, Seq2SeqExport.DecoderFile));

        public float[] NextLogProbs(long[] source, IReadOnlyList<long> prefix)
        {
            var mask = TensorData.Create(source.Select(_ => 1L).ToArray(), 1, source.Length);
            var hidden = _encoder.Run(new Dictionary<string,
                TensorData> { ["input_ids"] = TensorData.Create(source, 1, source.Length), ["attention_mask"] = mask })["last_hidden_state"];
            var logits = _decoder.Run(new Dictionary<string, TensorData>
            {
                ["encoder_attention_mask"] = mask, ["input_ids"] = TensorData.Create(prefix.ToArray(), 1, prefix.Count), ["encoder_hidden_states"] = hidden,
            })["logits"].AsFloats();
            var last = logits.AsSpan(logits.Length - logits.Length / prefix.Count).ToArray();
            LogitsProcessing.LogSoftmax(last);
            return last;
        }

        public void Dispose() { _encoder.Dispose(); _decoder.Dispose(); }
    }

    [TestMethod]
    public void Greedy_Batched_EqualsStepByStepArgMaxOfTheFullDecoder()
    {
        var export = Export(24);
        using var generator = Seq2SeqGenerator.Load(export);
        using var full = new FullDecoder(export);
        var outputs = generator.Generate(Sources, new GenerationOptions { MaxNewTokens = 8, BatchSize = 3 });
        for (int e = 0; e < Sources.Length; e++)
        {
            var prefix = new List<long> { Start };
            double score = 0;
            for (int step = 0; step < 8; step++)
            {
                var lp = full.NextLogProbs(Sources[e], prefix);
                int best = Array.IndexOf(lp, lp.Max());
                score += lp[best];
                prefix.Add(best);
                if (best == Eos) break;
            }
            var expected = prefix.Skip(1).TakeWhile(t => t != Eos).ToArray();
            Console.WriteLine($"example {e}: [{string.Join(" ", outputs[e].Tokens)}] score {outputs[e].Score:F4}");
            CollectionAssert.AreEqual(expected, outputs[e].Tokens, $"example {e}");
            Assert.AreEqual(score, outputs[e].SumLogProbs, 1e-4);
            Assert.AreEqual(score / (prefix.Count - 1), outputs[e].Score, 1e-4, "greedy scores are length-normalised like beam's (length_penalty 1)");
        }
    }

    [TestMethod]
    public void Beam_WideEnough_FindsTheExhaustiveBest()
    {
        const int V = 5, MaxNew = 3;
        var export = Export(V);
        using var generator = Seq2SeqGenerator.Load(export);
        using var full = new FullDecoder(export);
        long[] source = [3, 4, 4, 3, 0, 4];
        var output = generator.Generate([source], new GenerationOptions { NumBeams = 25, MaxNewTokens = MaxNew, LengthPenalty = 0 })[0];
        // Exhaustive: every sequence that ends in EOS within MaxNew tokens, or runs MaxNew tokens without one.
        (long[] Tokens, double Score) best = ([], double.NegativeInfinity);
        void Search(List<long> prefix, double score)
        {
            var lp = full.NextLogProbs(source, prefix);
            for (int t = 0; t < V; t++)
            {
                double s = score + lp[t];
                if (t == Eos || prefix.Count == MaxNew) { if (s > best.Score) best = (t == Eos ? prefix.Skip(1).ToArray() : [.. prefix.Skip(1), t], s); }
                else Search([.. prefix, t], s);
            }
        }
        Search([Start], 0);
        Console.WriteLine($"beam: [{string.Join(" ", output.Tokens)}] {output.Score:F5}; exhaustive: [{string.Join(" ", best.Tokens)}] {best.Score:F5}");
        CollectionAssert.AreEqual(best.Tokens, output.Tokens);
        Assert.AreEqual(best.Score, output.Score, 1e-4);
    }

    [TestMethod]
    [DataRow(0f), DataRow(1f), DataRow(2f)]
    public void Beam_NeverWideEnough_FindsTheExhaustiveBestLengthNormalised(float lengthPenalty)
    {
        const int V = 5, MaxNew = 4;
        var export = Export(V);
        using var generator = Seq2SeqGenerator.Load(export);
        using var full = new FullDecoder(export);
        foreach (long[] source in new long[][] { [3, 4, 4, 3, 0, 4], [4, 3], [0, 0, 3, 4] })
        {
            var output = generator.Generate([source], new GenerationOptions
            {
                NumBeams = 125, MaxNewTokens = MaxNew, LengthPenalty = lengthPenalty, EarlyStopping = EarlyStopping.Never,
            })[0];
            var best = Exhaustive(full, source, V, MaxNew, lengthPenalty);
            CollectionAssert.AreEqual(best.Tokens, output.Tokens, $"source [{string.Join(" ", source)}]");
            Assert.AreEqual(best.Score, output.Score, 1e-4);
        }
    }

    /// <summary>The best sequence by sum log p / length^penalty among all that end in EOS within maxNew tokens or run maxNew tokens.</summary>
    private static (long[] Tokens, double Score) Exhaustive(FullDecoder full, long[] source, int vocab, int maxNew, float lengthPenalty)
    {
        (long[] Tokens, double Score) best = ([], double.NegativeInfinity);
        void Search(List<long> prefix, double sum)
        {
            var lp = full.NextLogProbs(source, prefix);
            for (int t = 0; t < vocab; t++)
            {
                double s = sum + lp[t];
                if (t == Eos || prefix.Count == maxNew)
                {
                    double score = s / Math.Pow(prefix.Count, lengthPenalty);
                    if (score > best.Score) best = (t == Eos ? prefix.Skip(1).ToArray() : [.. prefix.Skip(1), t], score);
                }
                else Search([.. prefix, t], s);
            }
        }
        Search([Start], 0);
        return best;
    }

    [TestMethod]
    public void Beam_Batched_EqualsOneExampleAtATime()
    {
        using var generator = Seq2SeqGenerator.Load(Export(24));
        var options = new GenerationOptions { NumBeams = 4, MaxNewTokens = 6, LengthPenalty = 1.0f, BatchSize = 3 };
        var batched = generator.Generate(Sources, options);
        for (int e = 0; e < Sources.Length; e++)
        {
            var single = generator.Generate([Sources[e]], options)[0];
            CollectionAssert.AreEqual(single.Tokens, batched[e].Tokens, $"example {e}");
            Assert.AreEqual(single.Score, batched[e].Score, 1e-4);
        }
    }

    [TestMethod]
    public void Generate_NoRepeatNgramAndMinLength_AreRespected()
    {
        using var generator = Seq2SeqGenerator.Load(Export(24));
        foreach (int beams in new[] { 1, 3 })
        {
            var outputs = generator.Generate(Sources, new GenerationOptions { NumBeams = beams, MaxNewTokens = 10, MinLength = 10, NoRepeatNgramSize = 2 });
            foreach (var o in outputs)
            {
                Assert.HasCount(10, o.Tokens, "min_length = max_new_tokens forbids an earlier end of sequence");
                var seq = new long[] { Start }.Concat(o.Tokens).ToArray();
                var bigrams = Enumerable.Range(0, seq.Length - 1).Select(i => (seq[i], seq[i + 1])).ToList();
                Assert.AreEqual(bigrams.Count, bigrams.Distinct().Count(), $"repeated bigram in [{string.Join(" ", seq)}] (beams {beams})");
            }
        }
    }

    [TestMethod]
    public void NoRepeatNgram_BansTheTokensThatWouldRepeatAnNgram()
    {
        var row = new float[10];
        LogitsProcessing.ApplyNoRepeatNgram(row, [1, 5, 6, 5], 2);        // last token 5 was followed by 6 before
        CollectionAssert.AreEqual(new[] { 6 }, Enumerable.Range(0, 10).Where(i => float.IsNegativeInfinity(row[i])).ToArray());
        row = new float[10];
        LogitsProcessing.ApplyNoRepeatNgram(row, [5, 6, 7, 5, 6, 9, 5, 6], 3);   // (5, 6) was followed by 7 and 9
        CollectionAssert.AreEqual(new[] { 7, 9 }, Enumerable.Range(0, 10).Where(i => float.IsNegativeInfinity(row[i])).ToArray());
    }

    [TestMethod]
    public void ForcedEos_OnlyAtTheLastAllowedStep()
    {
        float[] row = [-1f, -2f, -3f];
        LogitsProcessing.ApplyForcedEos(row, generated: 1, maxNewTokens: 3, eos: 2);
        CollectionAssert.AreEqual(new[] { -1f, -2f, -3f }, row, "before the last step nothing changes");
        LogitsProcessing.ApplyForcedEos(row, generated: 2, maxNewTokens: 3, eos: 2);
        CollectionAssert.AreEqual(new[] { float.NegativeInfinity, float.NegativeInfinity, 0f }, row);
    }

    [TestMethod]
    public void BeamHypotheses_KeepsTheBestAndStopsWhenNoBeamCanWin()
    {
        var h = new BeamHypotheses(2, lengthPenalty: 1f);
        h.Add([1], -2.0, 2);    // -1.0
        h.Add([2], -6.0, 3);    // -2.0
        h.Add([3], -1.0, 2);    // -0.5 replaces -2.0
        Assert.AreEqual(-0.5, h.Best().Score, 1e-12);
        Assert.IsFalse(h.IsDone(bestRunningSum: -1.5, length: 2));   // -0.75 > worst kept -1.0
        Assert.IsTrue(h.IsDone(bestRunningSum: -3.0, length: 2));    // -1.5 <= -1.0
    }

    [TestMethod]
    public void BeamHypotheses_EarlyStoppingModes_HuggingFaceMeanings()
    {
        BeamHypotheses Kept(EarlyStopping mode)
        {
            var h = new BeamHypotheses(2, lengthPenalty: 1f, mode, maxLength: 10);
            h.Add([1], -2.0, 2);     // -1.0
            h.Add([2], -3.0, 2);     // -1.5: worst kept
            return h;
        }
        var one = new BeamHypotheses(2, 1f, EarlyStopping.AsSoonAsDone);
        one.Add([1], -2.0, 2);
        Assert.IsFalse(one.IsDone(-100, 2), "true: not before num_beams hypotheses");
        Assert.IsTrue(Kept(EarlyStopping.AsSoonAsDone).IsDone(bestRunningSum: -0.1, length: 2), "true: done with num_beams hypotheses");
        // A running beam with sum -4 at length 2: -2.0 now (cannot win at this length) but -0.4 at length 10 (could still win).
        Assert.IsTrue(Kept(EarlyStopping.Heuristic).IsDone(bestRunningSum: -4.0, length: 2));
        Assert.IsFalse(Kept(EarlyStopping.Never).IsDone(bestRunningSum: -4.0, length: 2));
        Assert.IsTrue(Kept(EarlyStopping.Never).IsDone(bestRunningSum: -16.0, length: 2));  // -1.6 even at length 10
        var shortFavoured = new BeamHypotheses(1, lengthPenalty: -1f, EarlyStopping.Never, maxLength: 10);
        shortFavoured.Add([1], -1.0, 2);                                                      // -2.0
        Assert.IsTrue(shortFavoured.IsDone(bestRunningSum: -1.0, length: 2), "penalty <= 0: the current length bounds");
    }
}
