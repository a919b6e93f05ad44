using System.Globalization;
using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation;

/// <summary>
/// Reads answer sentence selection (AS2) data: UTF-8 TSV with the header <c>qid	question	candidate	label</c>
/// (label 0 or 1), optionally followed by a <c>score</c> column holding a precomputed system score (a float in
/// invariant culture, e.g. <c>-1.25</c> or <c>3e-2</c>; NaN is rejected). One row per (question, candidate) pair, as in
/// WikiQA (Yang, Yih and Meek 2015), whose splits live at <c>DATA/{train,dev,test}.tsv</c>. Nothing is skipped: any
/// malformed row is an error naming the file, line and bad value.
/// </summary>
public static class As2Data
{
    /// <summary>The required header columns, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["qid", "question", "candidate", "label"];

    /// <summary>The optional fifth column with precomputed scores.</summary>
    public const string ScoreColumn = "score";

    /// <summary>Path of split <paramref name="split"/> in <paramref name="dataDir"/>: <c>dataDir/split.tsv</c>.</summary>
    /// <exception cref="ArgumentException">The split name is empty or contains a path separator.</exception>
    public static string SplitPath(string dataDir, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        if (split.IndexOfAny(['/', '\\']) >= 0 || split.Contains(".."))
        {
            throw new ArgumentException($"Split name '{split}' must be a plain name such as train, dev or test.", nameof(split));
        }
        return Path.Combine(dataDir, split + ".tsv");
    }

    /// <summary>Reads and validates an AS2 TSV file and groups its rows by qid (first-appearance order).</summary>
    /// <param name="path">The TSV file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorpusFormatException">
    /// A bad header, an empty line, a wrong number of fields, an empty qid/question/candidate, a label other than 0/1,
    /// a score that is not a number, a qid whose question text differs from its first row, or no data rows
    /// (the message names the file, line and value, and what was expected).
    /// </exception>
    public static As2Dataset Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"AS2 data file '{path}' does not exist.", path);
        var pairs = new List<As2Pair>();
        bool hasScores = false;
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (++lineNumber == 1) hasScores = ReadHeader(path, line);
            else pairs.Add(ParseRow(path, lineNumber, line, pairs.Count, hasScores));
        }
        if (lineNumber == 0) throw new CorpusFormatException(path, null, 1, $"the file is empty; expected the header '{string.Join('\t', Columns)}'.");
        if (pairs.Count == 0) throw new CorpusFormatException(path, null, 2,
            "the file has a header but no data rows; expected at least one (question, candidate) row.");
        return new As2Dataset(path, pairs, Group(path, pairs), hasScores);
    }

    private static bool ReadHeader(string path, string line)
    {
        string[] fields = line.Split('\t');
        bool scores = fields.Length == Columns.Count + 1 && fields[^1] == ScoreColumn;
        if ((fields.Length == Columns.Count || scores) && fields.Take(Columns.Count).SequenceEqual(Columns)) return scores;
        throw new CorpusFormatException(path, null, 1,
            $"header '{line.Replace("\t", "\\t")}' is not an AS2 header; expected '{string.Join("\\t", Columns)}' optionally followed by '\\t{ScoreColumn}'.");
    }

    private static As2Pair ParseRow(string path, int lineNumber, string line, int row, bool hasScores)
    {
        CorpusFormatException Bad(string detail) => new(path, null, lineNumber, detail);
        int expected = Columns.Count + (hasScores ? 1 : 0);
        if (line.Length == 0) throw Bad($"empty line; expected {expected} tab-separated fields (empty lines are not allowed).");
        string[] f = line.Split('\t');
        if (f.Length != expected)
        {
            throw Bad($"{f.Length} tab-separated fields in '{Shorten(line)}'; expected {expected} " +
                $"({string.Join(", ", Columns)}{(hasScores ? ", score" : "")}).");
        }
        for (int i = 0; i < 3; i++)
        {
            if (string.IsNullOrWhiteSpace(f[i])) throw Bad($"column '{Columns[i]}' is empty; expected text.");
        }
        bool positive = f[3] switch
        {
            "1" => true,
            "0" => false,
            _ => throw Bad($"label '{f[3]}' is not 0 or 1."),
        };
        return new As2Pair(row, lineNumber, f[0], f[1], f[2], positive, hasScores ? ParseScore(f[4], Bad) : null);
    }

    private static double ParseScore(string text, Func<string, CorpusFormatException> bad)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double score) && !double.IsNaN(score))
        {
            return score;
        }
        throw bad($"score '{text}' is not a number; expected a float such as -1.25 or 3e-2.");
    }

    private static List<As2Question> Group(string path, List<As2Pair> pairs)
    {
        var byId = new Dictionary<string, List<As2Pair>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (As2Pair p in pairs)
        {
            if (!byId.TryGetValue(p.QuestionId, out var rows))
            {
                byId[p.QuestionId] = rows = [];
                order.Add(p.QuestionId);
            }
            else if (rows[0].Question != p.Question)
            {
                throw new CorpusFormatException(path, null, p.LineNumber,
                    $"qid '{p.QuestionId}' has question '{Shorten(p.Question)}' but line {rows[0].LineNumber} gave it " +
                        $"'{Shorten(rows[0].Question)}'; expected one question text per qid.");
            }
            rows.Add(p);
        }
        return order.Select(id => new As2Question(id, byId[id][0].Question, byId[id])).ToList();
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
