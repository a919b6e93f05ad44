using System.Globalization;
using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>One retrieved document and its system score.</summary>
/// <param name="DocId">The document id (TREC docno).</param>
/// <param name="Score">The system score; higher is better.</param>
public readonly record struct ScoredDoc(string DocId, double Score);

/// <summary>Graded relevance judgements.</summary>
/// <param name="ByQuery">Query id to (document id to grade); grades ≥ 1 are relevant, negative grades mean "in the pool, unjudged".</param>
/// <param name="QueryIds">The judged query ids in file order.</param>
public sealed record Qrels(IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ByQuery, IReadOnlyList<string> QueryIds);

/// <summary>
/// TREC run files: one line per retrieved document, <c>qid Q0 docid rank score tag</c>, whitespace-separated (the
/// format trec_eval, Anserini and Pyserini read and write). The rank column is informational: evaluation re-sorts
/// by score (see <see cref="RetrievalMetrics.TrecOrder"/>).
/// </summary>
public static class TrecRun
{
    /// <summary>Reads a run file into query id to retrieved documents (file order within a query).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorpusFormatException">
    /// A line without 6 fields, a rank that is not an integer, a score that is not a finite number, or a document
    /// listed twice for one query (trec_eval rejects duplicates too); the message names the file, line and field.
    /// </exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<ScoredDoc>> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Run file '{path}' does not exist; expected lines 'qid Q0 docid rank score tag'.", path);
        var run = new Dictionary<string, List<ScoredDoc>>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        int n = 0;
        foreach (string line in File.ReadLines(path))
        {
            n++;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            if (f.Length != 6) throw new CorpusFormatException(path, null, n, $"has {f.Length} fields; expected 6 (qid Q0 docid rank score tag).");
            if (!long.TryParse(f[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                throw new CorpusFormatException(path, null, n, $"field 'rank' is '{f[3]}'; expected an integer.");
            if (!double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || !double.IsFinite(score))
                throw new CorpusFormatException(path, null, n, $"field 'score' is '{f[4]}'; expected a finite number.");
            if (!seen.Add((f[0], f[2]))) throw new CorpusFormatException(path, null, n,
                $"lists document '{f[2]}' for query '{f[0]}' a second time; expected each document once per query.");
            (run.TryGetValue(f[0], out var docs) ? docs : run[f[0]] = []).Add(new ScoredDoc(f[2], score));
        }
        return run.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<ScoredDoc>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>Writes a run: each query's documents in trec_eval order, ranks from 1, scores round-trip (<c>R</c> format).</summary>
    /// <param name="path">Output file (overwritten).</param>
    /// <param name="run">Query id to retrieved documents, any order.</param>
    /// <param name="tag">The run tag (no whitespace).</param>
    /// <exception cref="ArgumentException">The tag is empty or has whitespace.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, IReadOnlyList<ScoredDoc>> run, string tag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(run);
        if (string.IsNullOrEmpty(tag)
            || tag.Any(char.IsWhiteSpace)) throw new ArgumentException($"Run tag '{tag}' must be non-empty without whitespace.", nameof(tag));
        using var w = new StreamWriter(path);
        foreach (var (qid, docs) in run)
        {
            var ranked = RetrievalMetrics.TrecOrder(docs);
            for (int i = 0; i < ranked.Count; i++)
            {
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{qid} Q0 {ranked[i].DocId} {i + 1} {ranked[i].Score:R} {tag}\n"));
            }
        }
    }
}
