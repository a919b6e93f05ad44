using System.Text.Json;
using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>One summarisation example.</summary>
/// <param name="Id">Unique id within its file.</param>
/// <param name="Document">Source text (AESLC: an email body, one sentence per line).</param>
/// <param name="Summary">The primary reference (AESLC: the email's subject line).</param>
/// <param name="References">Optional extra references (AESLC dev/test: 3 human-written subjects); null when absent.</param>
/// <param name="Line">1-based line in the file.</param>
public sealed record SummarizationExample(string Id, string Document, string Summary, IReadOnlyList<string>? References, int Line);

/// <summary>
/// Reads summarisation data as JSONL, one object per line: <c>{"id", "document", "summary"}</c> (strings; id
/// non-empty, document and summary may be empty) plus an optional <c>"references"</c> list of strings (at least one).
/// This is the format of <c>../shared/data/summarization/aeslc/{train,dev,test}.jsonl</c> (AESLC, Zhang and Tetreault
/// 2019). Predictions are JSONL <c>{"id", "prediction"}</c>. Nothing is skipped: an unknown key, a missing or mistyped
/// field, an empty line, a duplicate id or invalid JSON is an error naming the file, line and field.
/// </summary>
public static class SummarizationData
{
    private static readonly string[] ExampleKeys = ["id", "document", "summary", "references"];
    private static readonly string[] PredictionKeys = ["id", "prediction"];

    /// <summary>Path of split <paramref name="split"/> in <paramref name="dataDir"/>: <c>dataDir/split.jsonl</c>.</summary>
    /// <exception cref="ArgumentException">The split name is empty or not a plain name (contains a path separator or "..").</exception>
    public static string SplitPath(string dataDir, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        if (split.IndexOfAny(['/', '\\']) >= 0 || split.Contains(".."))
            throw new ArgumentException($"Split name '{split}' must be a plain name such as train, dev or test.", nameof(split));
        return Path.Combine(dataDir, split + ".jsonl");
    }

    /// <summary>Reads and validates a summarisation JSONL file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The examples in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorpusFormatException">Malformed content or no examples (names file, line and field).</exception>
    public static IReadOnlyList<SummarizationExample> Read(string path)
    {
        var examples = new List<SummarizationExample>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach ((int line, JsonElement o) in Objects(path, ExampleKeys, "id, document, summary[, references]"))
        {
            string id = Text(path, line, o, "id", nonEmpty: true);
            if (!ids.Add(id)) throw new CorpusFormatException(path, null, line, $"field 'id': duplicate id '{id}'; ids must be unique.");
            examples.Add(new SummarizationExample(id, Text(path, line, o, "document", false), Text(path, line, o, "summary", false),
                References(path, line, o), line));
        }
        return examples;
    }

    /// <summary>Reads predictions: JSONL <c>{"id", "prediction"}</c>, ids unique and non-empty.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Prediction text by id.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorpusFormatException">Malformed content, a duplicate id or no predictions.</exception>
    public static IReadOnlyDictionary<string, string> ReadPredictions(string path)
    {
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((int line, JsonElement o) in Objects(path, PredictionKeys, "id, prediction"))
        {
            string id = Text(path, line, o, "id", nonEmpty: true);
            if (!predictions.TryAdd(id, Text(path, line, o, "prediction", false)))
                throw new CorpusFormatException(path, null, line, $"field 'id': duplicate prediction for id '{id}'.");
        }
        return predictions;
    }

    private static IEnumerable<(int Line, JsonElement Object)> Objects(string path, string[] allowed, string expected)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Summarisation file '{path}' does not exist.", path);
        int line = 0, objects = 0;
        foreach (string raw in File.ReadLines(path))
        {
            line++;
            if (raw.Length == 0 || raw == "\r") throw new CorpusFormatException(path, null, line, $"empty line; expected a JSON object with {expected}.");
            JsonElement o = Parse(path, line, raw, expected);
            foreach (JsonProperty p in o.EnumerateObject())
            {
                if (Array.IndexOf(allowed, p.Name) < 0)
                    throw new CorpusFormatException(path, null, line, $"unknown field '{p.Name}'; expected only {expected}.");
            }
            objects++;
            yield return (line, o);
        }
        if (objects == 0) throw new CorpusFormatException(path, null, 1, $"the file has no lines; expected JSON objects with {expected}.");
    }

    private static JsonElement Parse(string path, int line, string raw, string expected)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(raw);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CorpusFormatException(path, null, line, $"a JSON {doc.RootElement.ValueKind}; expected an object with {expected}.");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CorpusFormatException(path, null, line, $"invalid JSON ({e.Message}); expected an object with {expected}.", e);
        }
    }

    private static string Text(string path, int line, JsonElement o, string field, bool nonEmpty)
    {
        if (!o.TryGetProperty(field, out JsonElement v))
            throw new CorpusFormatException(path, null, line, $"field '{field}' is missing; expected a string.");
        if (v.ValueKind != JsonValueKind.String)
            throw new CorpusFormatException(path, null, line, $"field '{field}' is a JSON {v.ValueKind}; expected a string.");
        string s = v.GetString()!;
        if (nonEmpty && string.IsNullOrWhiteSpace(s))
            throw new CorpusFormatException(path, null, line, $"field '{field}' is empty; expected a non-empty string.");
        return s;
    }

    private static string[]? References(string path, int line, JsonElement o)
    {
        if (!o.TryGetProperty("references", out JsonElement v)) return null;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0)
            throw new CorpusFormatException(path, null, line,
                $"field 'references' is a JSON {v.ValueKind} of length {(v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() : 0)}; " +
                    $"expected a non-empty list of strings.");
        var refs = new string[v.GetArrayLength()];
        int i = 0;
        foreach (JsonElement r in v.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.String)
                throw new CorpusFormatException(path, null, line, $"field 'references[{i}]' is a JSON {r.ValueKind}; expected a string.");
            refs[i++] = r.GetString()!;
        }
        return refs;
    }
}
