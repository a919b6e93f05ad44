using System.Globalization;
using System.Text.Json;
using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>One corpus document of a BEIR collection.</summary>
/// <param name="Id">The <c>_id</c> (the TREC docno).</param>
/// <param name="Title">The title (may be empty).</param>
/// <param name="Text">The body text.</param>
public sealed record BeirDocument(string Id, string Title, string Text)
{
    /// <summary>The text every retriever indexes or encodes: <c>title + " " + text</c> (just the text when the title is empty).</summary>
    public string Contents => Title.Length == 0 ? Text : Title + " " + Text;
}

/// <summary>A BEIR collection: corpus, queries and the graded judgements of one split.</summary>
/// <param name="Dir">The folder it was read from.</param>
/// <param name="Split">The qrels split (e.g. <c>test</c>).</param>
/// <param name="Corpus">Documents in file order.</param>
/// <param name="Queries">Query id to query text, in file order.</param>
/// <param name="Qrels">Query id to (document id to graded relevance); grade ≥ 1 is relevant (trec_eval's <c>-l 1</c>).</param>
public sealed record BeirDataset(string Dir, string Split, IReadOnlyList<BeirDocument> Corpus, IReadOnlyDictionary<string, string> Queries,
    Qrels Qrels)
{
    /// <summary>The judged queries that have a text in <c>queries.jsonl</c>, in qrels order.</summary>
    public IReadOnlyList<string> JudgedQueryIds => Qrels.QueryIds.Where(Queries.ContainsKey).ToList();
}

/// <summary>
/// Reads the BEIR format (Thakur et al. 2021, "BEIR: A Heterogeneous Benchmark for Zero-shot Evaluation of Information
/// Retrieval Models"): <c>corpus.jsonl</c> (one JSON object per line with string fields <c>_id</c>, <c>title</c>,
/// <c>text</c>), <c>queries.jsonl</c> (<c>_id</c>, <c>text</c>) and <c>qrels/&lt;split&gt;.tsv</c> (header
/// <c>query-id	corpus-id	score</c>, integer graded scores). Every malformed line is a <see cref="CorpusFormatException"/>
/// naming the file, line and field.
/// </summary>
public static class BeirData
{
    /// <summary>Reads corpus, queries and the qrels of <paramref name="split"/> from <paramref name="dir"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the three files is missing.</exception>
    /// <exception cref="CorpusFormatException">A malformed line, a duplicate id, or a qrels document not in the corpus.</exception>
    public static BeirDataset Read(string dir, string split = "test")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        if (split.IndexOfAny(['/',
            '\\']) >= 0 || split.Contains("..")) throw new ArgumentException($"Split '{split}' must be a plain name such as test or dev.", nameof(split));
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"BEIR folder '{dir}' does not exist; expected corpus.jsonl, " +
            $"queries.jsonl and qrels/{split}.tsv.");
        var corpus = ReadCorpus(Path.Combine(dir, "corpus.jsonl"));
        var queries = ReadQueries(Path.Combine(dir, "queries.jsonl"));
        var qrelsPath = Path.Combine(dir, "qrels", split + ".tsv");
        var qrels = ReadQrels(qrelsPath);
        var ids = corpus.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (q, docs) in qrels.ByQuery)
        {
            foreach (var d in docs.Keys)
            {
                if (!ids.Contains(d)) throw new CorpusFormatException(qrelsPath, null, null,
                    $"query '{q}' judges corpus-id '{d}', which is not in corpus.jsonl.");
            }
        }
        return new BeirDataset(dir, split, corpus, queries, qrels);
    }

    /// <summary>Reads <c>corpus.jsonl</c>: <c>_id</c> and <c>text</c> required, <c>title</c> optional (empty).</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="CorpusFormatException">Bad JSON, a missing or non-string field, an empty id, or a duplicate id.</exception>
    public static IReadOnlyList<BeirDocument> ReadCorpus(string path)
    {
        var docs = new List<BeirDocument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, root) in JsonLines(path))
        {
            string id = Field(path, line, root, "_id", required: true)!;
            if (!seen.Add(id)) throw new CorpusFormatException(path, null, line, $"duplicate _id '{id}'; expected unique document ids.");
            docs.Add(new BeirDocument(id, Field(path, line, root, "title", required: false) ?? "", Field(path, line, root, "text", required: true)!));
        }
        if (docs.Count == 0) throw new CorpusFormatException(path, null, 1, "the corpus is empty; expected one JSON document per line.");
        return docs;
    }

    /// <summary>Reads <c>queries.jsonl</c> (<c>_id</c>, <c>text</c>).</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="CorpusFormatException">Bad JSON, a missing or non-string field, an empty id, or a duplicate id.</exception>
    public static IReadOnlyDictionary<string, string> ReadQueries(string path)
    {
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, root) in JsonLines(path))
        {
            string id = Field(path, line, root, "_id", required: true)!;
            if (!queries.TryAdd(id, Field(path, line, root, "text", required: true)!))
                throw new CorpusFormatException(path, null, line, $"duplicate _id '{id}'; expected unique query ids.");
        }
        return queries;
    }

    /// <summary>Reads a qrels TSV with the header <c>query-id	corpus-id	score</c> (integer scores; negative = unjudged).</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="CorpusFormatException">A bad header, a wrong field count, an empty id, a non-integer score or a duplicate pair.</exception>
    public static Qrels ReadQrels(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Qrels file '{path}' does not exist; expected a TSV with header " +
            $"'query-id\tcorpus-id\tscore'.", path);
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        int n = 0;
        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.TrimEnd('\r');
            if (++n == 1)
            {
                if (line != "query-id\tcorpus-id\tscore") throw new CorpusFormatException(path, null, 1,
                    $"header is '{line}'; expected 'query-id\\tcorpus-id\\tscore'.");
                continue;
            }
            if (line.Length == 0) continue;
            var f = line.Split('\t');
            if (f.Length != 3) throw new CorpusFormatException(path, null, n, $"has {f.Length} tab-separated fields; expected 3 (query-id, corpus-id, score).");
            if (f[0].Length == 0 || f[1].Length == 0) throw new CorpusFormatException(path, null, n, "has an empty query-id or corpus-id.");
            if (!int.TryParse(f[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int score))
                throw new CorpusFormatException(path, null, n, $"field 'score' is '{f[2]}'; expected an integer relevance grade.");
            var docs = qrels.TryGetValue(f[0], out var d) ? d : qrels[f[0]] = new Dictionary<string, int>(StringComparer.Ordinal);
            if (!docs.TryAdd(f[1], score)) throw new CorpusFormatException(path, null, n,
                $"judges ({f[0]}, {f[1]}) a second time; expected one grade per pair.");
        }
        if (n == 0) throw new CorpusFormatException(path, null, 1, "the file is empty; expected the header 'query-id\\tcorpus-id\\tscore'.");
        return new Qrels(qrels.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, int>)kv.Value, StringComparer.Ordinal), qrels.Keys.ToList());
    }

    private static IEnumerable<(int Line, JsonElement Root)> JsonLines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"BEIR file '{path}' does not exist.", path);
        int n = 0;
        foreach (string raw in File.ReadLines(path))
        {
            n++;
            if (raw.Trim().Length == 0) continue;
            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(raw);
                root = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new CorpusFormatException(path, null, n, $"is not valid JSON ({e.Message}); expected one JSON object per line.", e);
            }
            if (root.ValueKind != JsonValueKind.Object) throw new CorpusFormatException(path, null, n, $"is a JSON {root.ValueKind}; expected an object.");
            yield return (n, root);
        }
    }

    private static string? Field(string path, int line, JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new CorpusFormatException(path, null, line, $"has no field '{name}'; expected a string.") : null;
        }
        if (v.ValueKind != JsonValueKind.String) throw new CorpusFormatException(path, null, line,
            $"field '{name}' is a JSON {v.ValueKind}; expected a string.");
        string s = v.GetString()!;
        if (name == "_id" && s.Trim().Length == 0) throw new CorpusFormatException(path, null, line, "field '_id' is empty; expected a non-empty id.");
        if (name == "_id" && s.Any(char.IsWhiteSpace)) throw new CorpusFormatException(path, null, line,
            $"field '_id' is '{s}'; expected no whitespace (TREC run files are space-separated).");
        return s;
    }
}
