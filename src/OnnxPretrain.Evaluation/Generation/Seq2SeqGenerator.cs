using System.Text.Json.Nodes;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation.Generation;

/// <summary>
/// Greedy and beam-search decoding (Graves 2012; HF <c>generate</c>) over a seq2seq export in Optimum's layout
/// (<c>encoder_model.onnx</c>, <c>decoder_model.onnx</c> for the first step, <c>decoder_with_past_model.onnx</c>
/// with the key/value cache afterwards; see OnnxPretrain.Export.Seq2SeqExport). Batched: a chunk of examples runs as
/// rows = examples x beams; sources are right-padded with the pad id and masked.
/// </summary>
internal sealed class Seq2SeqGenerator : IDisposable
{
    private readonly OnnxModel _encoder, _decoder, _withPast;

    /// <summary>Decoder start, end-of-sequence and pad ids (from <c>config.json</c>).</summary>
    public (int Start, int Eos, int Pad) Ids { get; }

    /// <summary>Vocabulary size V.</summary>
    public int VocabSize { get; }

    private Seq2SeqGenerator(OnnxModel encoder, OnnxModel decoder, OnnxModel withPast, (int, int, int) ids, int vocab) =>
        (_encoder, _decoder, _withPast, Ids, VocabSize) = (encoder, decoder, withPast, ids, vocab);

    /// <summary>Loads the three models and <c>config.json</c> of an export folder.</summary>
    /// <exception cref="FileNotFoundException">A model or config.json is missing (names it).</exception>
    /// <exception cref="InvalidDataException">config.json lacks decoder_start_token_id, eos_token_id, pad_token_id or vocab_size.</exception>
    public static Seq2SeqGenerator Load(string exportDir, SessionConfig? config = null)
    {
        var path = Path.Combine(exportDir, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist; expected a seq2seq export folder.", path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        int Key(string k) => json[k]?.GetValue<int>() ?? throw new InvalidDataException($"'{path}' has no '{k}'.");
        var ids = (Key("decoder_start_token_id"), Key("eos_token_id"), Key("pad_token_id"));
        return new Seq2SeqGenerator(OnnxModel.Load(Path.Combine(exportDir, "encoder_model.onnx"), config),
            OnnxModel.Load(Path.Combine(exportDir, "decoder_model.onnx"), config),
            OnnxModel.Load(Path.Combine(exportDir, "decoder_with_past_model.onnx"), config), ids, Key("vocab_size"));
    }

    /// <summary>Generates one output per source (token ids, no padding), in order.</summary>
    /// <exception cref="ArgumentException">The options are invalid or a source is empty.</exception>
    public IReadOnlyList<Generated> Generate(IReadOnlyList<long[]> sources, GenerationOptions options)
    {
        options.Validate();
        if (sources.FirstOrDefault(s => s.Length == 0) is not null) throw new ArgumentException("A source sequence is empty.", nameof(sources));
        var results = new List<Generated>(sources.Count);
        for (int i = 0; i < sources.Count; i += options.BatchSize)
        {
            var chunk = sources.Skip(i).Take(options.BatchSize).ToList();
            results.AddRange(options.NumBeams == 1 ? new GreedyDecoder(this, chunk, options).Run() : new BeamDecoder(this, chunk, options).Run());
        }
        return results;
    }

    /// <summary>
    /// Encodes a chunk with every example repeated <paramref name="beams"/> times: the source mask (R, S) and the
    /// encoder's last_hidden_state (R, S, d), R = examples x beams.
    /// </summary>
    internal (TensorData Mask, TensorData Hidden) Encode(IReadOnlyList<long[]> sources, int beams)
    {
        int n = sources.Count, s = sources.Max(x => x.Length);
        var ids = new long[n * s];
        var mask = new long[n * s];
        for (int e = 0; e < n; e++)
            for (int t = 0; t < s; t++)
                (ids[e * s + t], mask[e * s + t]) = t < sources[e].Length ? (sources[e][t], 1L) : (Ids.Pad, 0L);
        var m = TensorData.Create(mask, n, s);
        var hidden = _encoder.Run(new Dictionary<string,
            TensorData> { ["input_ids"] = TensorData.Create(ids, n, s), ["attention_mask"] = m })["last_hidden_state"];
        return (RepeatRows(m, beams), RepeatRows(hidden, beams));
    }

    /// <summary>
    /// One decoder step for R rows: the first (no cache: <paramref name="cache"/> empty) or a cached one. Returns the
    /// next-token logits (R, V) and fills <paramref name="cache"/> with <c>past_key_values.*</c> for the next step.
    /// </summary>
    internal float[] Step(long[] tokens, TensorData mask, TensorData hidden, Dictionary<string, TensorData> cache)
    {
        var input = TensorData.Create(tokens, tokens.Length, 1);
        Dictionary<string, TensorData> outputs;
        if (cache.Count == 0)
            outputs = _decoder.Run(new Dictionary<string,
                TensorData> { ["encoder_attention_mask"] = mask, ["input_ids"] = input, ["encoder_hidden_states"] = hidden });
        else
            outputs = _withPast.Run(new Dictionary<string, TensorData>(cache) { ["encoder_attention_mask"] = mask, ["input_ids"] = input });
        foreach (var (name, value) in outputs)
            if (name.StartsWith("present.", StringComparison.Ordinal)) cache["past_key_values." + name["present.".Length..]] = value;
        return outputs["logits"].AsFloats();                                                               // (R, 1, V) = (R, V)
    }

    /// <summary>Rows of <paramref name="t"/> (R, ...) picked by <paramref name="rows"/>: (rows.Length, ...).</summary>
    internal static TensorData GatherRows(TensorData t, IReadOnlyList<int> rows)
    {
        var src = t.AsFloats();
        int rowSize = (int)(src.Length / t.Shape[0]);
        var dst = new float[rows.Count * rowSize];
        for (int r = 0; r < rows.Count; r++) Array.Copy(src, rows[r] * rowSize, dst, r * rowSize, rowSize);
        return TensorData.Create(dst, [rows.Count, .. t.Shape[1..]]);
    }

    private static TensorData RepeatRows(TensorData t, int times)
    {
        if (times == 1) return t;
        int n = (int)t.Shape[0];
        var rows = Enumerable.Range(0, n * times).Select(r => r / times).ToArray();
        if (t.Type == DataType.Float) return GatherRows(t, rows);
        var src = t.AsInt64s();
        int rowSize = src.Length / n;
        var dst = new long[rows.Length * rowSize];
        for (int r = 0; r < rows.Length; r++) Array.Copy(src, rows[r] * rowSize, dst, r * rowSize, rowSize);
        return TensorData.Create(dst, [rows.Length, .. t.Shape[1..]]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
        _withPast.Dispose();
    }
}
