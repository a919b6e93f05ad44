using OnnxPretrain.Onnx;

namespace OnnxPretrain.Evaluation.Generation;

/// <summary>Greedy decoding of one chunk: each row takes the arg-max of its processed log-probabilities until end of sequence.</summary>
internal sealed class GreedyDecoder(Seq2SeqGenerator model, IReadOnlyList<long[]> sources, GenerationOptions options)
{
    public IReadOnlyList<Generated> Run()
    {
        int rows = sources.Count, v = model.VocabSize;
        var (mask, hidden) = model.Encode(sources, 1);
        var sequences = Enumerable.Range(0, rows).Select(_ => new List<long> { model.Ids.Start }).ToArray();
        var scores = new double[rows];
        var finished = new bool[rows];
        var cache = new Dictionary<string, TensorData>();
        var next = Enumerable.Repeat((long)model.Ids.Start, rows).ToArray();
        for (int step = 0; step < options.MaxNewTokens && !finished.All(f => f); step++)
        {
            var logits = model.Step(next, mask, hidden, cache);                                        // (R, V)
            for (int r = 0; r < rows; r++)
            {
                if (finished[r]) { next[r] = model.Ids.Pad; continue; }
                var row = logits.AsSpan(r * v, v);
                Process(row, sequences[r], step, options, model.Ids.Eos);
                int best = ArgMax(row);
                (next[r], scores[r]) = (best, scores[r] + row[best]);
                sequences[r].Add(best);
                finished[r] = best == model.Ids.Eos;
            }
        }
        return sequences.Select((s, r) => new Generated(Strip(s, model.Ids.Eos),
            Generated.Normalise(scores[r], s.Count - 1, options.LengthPenalty), scores[r])).ToList();
    }

    /// <summary>Log-softmax, minimum length and n-gram blocking of one row's next-token scores.</summary>
    internal static void Process(Span<float> row, IReadOnlyList<long> sequence, int generated, GenerationOptions o, int eos)
    {
        LogitsProcessing.LogSoftmax(row);
        LogitsProcessing.ApplyMinLength(row, generated, o.MinLength, eos);
        LogitsProcessing.ApplyNoRepeatNgram(row, sequence, o.NoRepeatNgramSize);
        if (o.ForcedEos) LogitsProcessing.ApplyForcedEos(row, generated, o.MaxNewTokens, eos);
    }

    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    /// <summary>The generated tokens: without the start token and from the first end of sequence on.</summary>
    internal static long[] Strip(IReadOnlyList<long> sequence, int eos) => sequence.Skip(1).TakeWhile(t => t != eos).ToArray();
}

/// <summary>
/// Beam search over one chunk (rows = examples x K): each step keeps, per example, the K best continuations among the
/// 2K best candidates (candidates ending in end of sequence at rank &lt; K become finished hypotheses), reorders
/// the key/value cache to the surviving beams, and stops an example by <see cref="BeamHypotheses.IsDone"/>.
/// </summary>
internal sealed class BeamDecoder(Seq2SeqGenerator model, IReadOnlyList<long[]> sources, GenerationOptions options)
{
    private readonly int _k = options.NumBeams;

    public IReadOnlyList<Generated> Run()
    {
        int n = sources.Count, rows = n * _k, v = model.VocabSize;
        var (mask, hidden) = model.Encode(sources, _k);
        var sequences = Enumerable.Range(0, rows).Select(_ => new List<long> { model.Ids.Start }).ToArray();
        var beamScores = Enumerable.Range(0, rows).Select(r => r % _k == 0 ? 0.0 : double.NegativeInfinity).ToArray();  // one live beam at first
        var hyps = Enumerable.Range(0, n).Select(_ => new BeamHypotheses(_k, options.LengthPenalty, options.EarlyStopping, options.MaxNewTokens)).ToArray();
        var done = new bool[n];
        var cache = new Dictionary<string, TensorData>();
        var next = Enumerable.Repeat((long)model.Ids.Start, rows).ToArray();
        for (int step = 0; step < options.MaxNewTokens && !done.All(d => d); step++)
        {
            var logits = model.Step(next, mask, hidden, cache);                                          // (R, V)
            var source = Enumerable.Range(0, rows).ToArray();
            var newSequences = (List<long>[])sequences.Clone();
            for (int e = 0; e < n; e++)
            {
                if (done[e]) { for (int j = 0; j < _k; j++) next[e * _k + j] = model.Ids.Pad; continue; }
                for (int j = 0; j < _k; j++) GreedyDecoder.Process(logits.AsSpan((e * _k + j) * v, v), sequences[e * _k + j], step, options, model.Ids.Eos);
                var chosen = Select(logits, e, step, sequences, beamScores, hyps[e]);
                for (int j = 0; j < _k; j++)
                {
                    var (beam, token, score) = chosen[j];
                    int r = e * _k + j;
                    (source[r], next[r], beamScores[r]) = (e * _k + beam, token, score);
                    newSequences[r] = [.. sequences[e * _k + beam], token];
                }
                done[e] = hyps[e].IsDone(chosen.Max(c => c.Score), step + 1);
            }
            sequences = newSequences;
            foreach (var key in cache.Keys.Where(k => k.EndsWith(".decoder.key", StringComparison.Ordinal) || k.EndsWith(".decoder.value",
                StringComparison.Ordinal)).ToList())
                cache[key] = Seq2SeqGenerator.GatherRows(cache[key], source);
        }
        for (int e = 0; e < n; e++)
            if (!done[e])
                for (int j = 0; j < _k; j++)
                    hyps[e].Add(GreedyDecoder.Strip(sequences[e * _k + j], model.Ids.Eos), beamScores[e * _k + j], sequences[e * _k + j].Count - 1);
        return hyps.Select(h => h.Best()).ToList();
    }

    /// <summary>
    /// The K continuations of example <paramref name="e"/>: the 2K best (beam, token) by running sum; finished ones at
    /// rank &lt; K go to <paramref name="hyps"/>, the first K unfinished ones continue.
    /// </summary>
    private List<(int Beam, long Token, double Score)> Select(float[] logits, int e, int step, List<long>[] sequences, double[] beamScores, BeamHypotheses hyps)
    {
        int v = model.VocabSize;
        var candidates = new PriorityQueue<(int Beam, int Token, double Score), double>();
        for (int j = 0; j < _k; j++)
        {
            var row = logits.AsSpan((e * _k + j) * v, v);
            for (int t = 0; t < v; t++)
            {
                double s = beamScores[e * _k + j] + row[t];
                if (candidates.Count < 2 * _k) candidates.Enqueue((j, t, s), s);
                else if (s > candidates.Peek().Score) candidates.EnqueueDequeue((j, t, s), s);
            }
        }
        var ranked = new List<(int Beam, int Token, double Score)>();
        while (candidates.Count > 0) ranked.Add(candidates.Dequeue());
        ranked.Reverse();                                                                                 // best first
        var chosen = new List<(int, long, double)>(_k);
        for (int rank = 0; rank < ranked.Count && chosen.Count < _k; rank++)
        {
            var (beam, token, score) = ranked[rank];
            if (token != model.Ids.Eos) chosen.Add((beam, token, score));
            else if (rank < _k && double.IsFinite(score))
                hyps.Add(GreedyDecoder.Strip(sequences[e * _k + beam], model.Ids.Eos), score, step + 1);
        }
        return chosen;
    }
}
