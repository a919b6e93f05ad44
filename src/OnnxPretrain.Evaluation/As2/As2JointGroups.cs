using System.Text.Json.Nodes;
using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation;

/// <summary>
/// The joint model's settings as an export's <c>config.json</c> carries them (<c>"joint_candidates": {"head", "candidates",
/// "segment_length", "pooling"}</c>) and the grouping of a question's candidates into joint rows.
/// </summary>
/// <param name="Head"><c>ie_k</c> or <c>ae_k</c> (one logit per candidate) or <c>ae_1</c> with k = 1.</param>
/// <param name="Candidates">k, candidates per row.</param>
/// <param name="SegmentLength">S, tokens per segment; rows are (k + 1)·S tokens.</param>
/// <param name="Pooling">How the model makes a segment's vector (<c>cls</c> or <c>mean</c>); built into the model, recorded for
/// the reader (exports written before it existed are <c>cls</c>).</param>
public sealed record JointLayout(string Head, int Candidates, int SegmentLength, string Pooling = "cls")
{
    /// <summary>The <c>config.json</c> key.</summary>
    public const string ConfigKey = JointRows.ConfigKey;

    /// <summary>The settings as JSON (the value of <see cref="ConfigKey"/>).</summary>
    public JsonObject ToJson() => JointRows.ConfigJson(Head, Candidates, SegmentLength, Pooling);

    /// <summary>The layout in an export's <c>config.json</c>, or null when it has none (a pairwise cross-encoder).</summary>
    /// <exception cref="InvalidDataException">The key exists but a field is missing or invalid (names the file and field).</exception>
    public static JointLayout? FromConfig(string modelDir)
    {
        var path = Path.Combine(modelDir, "config.json");
        if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path))?[ConfigKey] is not JsonObject o) return null;
        T Field<T>(string name) => o[name] is JsonValue v && v.TryGetValue<T>(out var x) ? x
            : throw new InvalidDataException($"{path}: {ConfigKey}.{name} is missing or not a {typeof(T).Name}.");
        var layout = new JointLayout(Field<string>("head"), Field<int>("candidates"), Field<int>("segment_length"),
            o.ContainsKey("pooling") ? Field<string>("pooling") : "cls");
        if (layout.Candidates < 1 || layout.SegmentLength < 3)
            throw new InvalidDataException($"{path}: {ConfigKey} has candidates {layout.Candidates} and segment_length {layout.SegmentLength}; " +
                "expected >= 1 and >= 3.");
        return layout;
    }
}

/// <summary>One joint row: its ids, its k labels (−100 at empty slots) and the dataset row of each slot (−1 when empty).</summary>
public sealed record JointGroup(int[] Ids, long[] Labels, int[] PairRows);

/// <summary>
/// Groups an AS2 split into joint rows: each question's candidates in chunks of k, in file order (or in a seeded
/// per-question shuffle for training), the last chunk filled with empty slots, so every candidate is scored exactly
/// once. The authors' scripts do the same (<c>--selection all</c>; their <c>best</c> variant keeps a pointwise model's top k).
/// </summary>
public static class As2JointGroups
{
    /// <summary>The groups of <paramref name="data"/> (every question, with or without a positive).</summary>
    /// <param name="data">The split.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="layout">k, S and the head.</param>
    /// <param name="shuffleSeed">null: file order; else each question's candidates are permuted by (seed, question index).</param>
    public static List<JointGroup> Build(As2Dataset data, TextTokenizer tokenizer, JointLayout layout, long? shuffleSeed = null)
    {
        var cache = new Dictionary<string, int[]>();
        int[] Ids(string text) => cache.TryGetValue(text, out var ids) ? ids : cache[text] = [.. tokenizer.Encode(text)];
        var groups = new List<JointGroup>();
        int k = layout.Candidates;
        for (int qi = 0; qi < data.Questions.Count; qi++)
        {
            var q = data.Questions[qi];
            var order = q.Candidates.ToArray();
            if (shuffleSeed is { } seed) new Random((int)MaskingRng.Hash(seed, qi, 0x4A4F)).Shuffle(order);
            for (int start = 0; start < order.Length; start += k)
            {
                var slots = Enumerable.Range(start, k).Select(i => i < order.Length ? order[i] : null).ToArray();
                var ids = JointRows.Ids([Ids(q.Question), .. slots.Select(p => p is null ? null : Ids(p.Candidate))], layout.SegmentLength,
                    tokenizer.Specials);
                groups.Add(new JointGroup(ids, slots.Select(p => p is null ? JointRows.EmptySlot : p.IsPositive ? 1L : 0L).ToArray(),
                    slots.Select(p => p?.Row ?? -1).ToArray()));
            }
        }
        return groups;
    }

    /// <summary>
    /// One score per dataset row from per-group logits (B, k) in group order: each slot's logit goes to its row.
    /// </summary>
    /// <exception cref="InvalidDataException">A row got no score (names it).</exception>
    public static double[] Scatter(As2Dataset data, IReadOnlyList<JointGroup> groups, IReadOnlyList<float> logits, int k)
    {
        var scores = Enumerable.Repeat(double.NaN, data.Pairs.Count).ToArray();
        for (int g = 0; g < groups.Count; g++)
            for (int j = 0; j < k; j++)
                if (groups[g].PairRows[j] is >= 0 and var row) scores[row] = logits[g * k + j];
        int missing = Array.FindIndex(scores, double.IsNaN);
        if (missing >= 0) throw new InvalidDataException($"Row {missing} of {data.Path} was in no joint group.");
        return scores;
    }
}
