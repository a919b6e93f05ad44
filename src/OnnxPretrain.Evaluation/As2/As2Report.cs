using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Evaluation;

/// <summary>One ranked system's AS2 result.</summary>
/// <param name="System">System name: <see cref="As2Report.ModelSystem"/>, <see cref="As2Report.WordCountSystem"/> or <see
/// cref="As2Report.IdfWordCountSystem"/>.</param>
/// <param name="Scores">Mean tie-aware metrics over the evaluated questions.</param>
public sealed record As2SystemResult(string System, RankingScores Scores);

/// <summary>
/// The result of an AS2 evaluation (<see cref="As2Evaluation.Run"/>): P@1, MAP, MRR and HR@5 per system (tie-aware
/// expected values, <see cref="RankingMetrics"/>), as JSON (<see cref="ToJson"/>) and as a markdown table (<see cref="ToMarkdown"/>).
/// </summary>
/// <param name="DataPath">The TSV file evaluated (the split, or the scores file).</param>
/// <param name="ModelSource">The model folder or scores file that produced the <see cref="ModelSystem"/> scores.</param>
/// <param name="IncludeAllQuestions">False: only questions with a positive count (standard WikiQA); true: all, with 0 for those without.</param>
/// <param name="Pairs">Number of (question, candidate) rows.</param>
/// <param name="Systems">Results in report order: the model, then the lexical baselines.</param>
public sealed record As2Report(string DataPath, string ModelSource, bool IncludeAllQuestions, int Pairs, IReadOnlyList<As2SystemResult> Systems)
{
    /// <summary>Name of the evaluated model's (or scores file's) system.</summary>
    public const string ModelSystem = "model";

    /// <summary>Name of the word-count baseline (Yang et al. 2015).</summary>
    public const string WordCountSystem = "word-count";

    /// <summary>Name of the IDF-weighted word-count baseline (Yang et al. 2015).</summary>
    public const string IdfWordCountSystem = "idf-weighted-word-count";

    /// <summary>The result of system <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No system has that name.</exception>
    public As2SystemResult this[string name] => Systems.FirstOrDefault(s => s.System == name)
        ?? throw new KeyNotFoundException($"The AS2 report has no system '{name}'; it has {string.Join(", ", Systems.Select(s => s.System))}.");

    /// <summary>
    /// The report as a JSON object: <c>task</c>, <c>data</c>, <c>model_source</c>, <c>questions</c> ("with-positive" or
    /// "all"), <c>pairs</c>, and <c>systems</c> mapping each system name to <c>p_at_1</c>, <c>map</c>, <c>mrr</c>,
    /// <c>hr_at_5</c> (unitless, in [0, 1]), <c>questions</c> (number averaged) and <c>excluded_questions</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var systems = new JsonObject();
        foreach (As2SystemResult s in Systems)
        {
            systems[s.System] = new JsonObject
            {
                ["p_at_1"] = s.Scores.PrecisionAt1,
                ["map"] = s.Scores.MeanAveragePrecision,
                ["mrr"] = s.Scores.MeanReciprocalRank,
                ["hr_at_5"] = s.Scores.HitRateAt5,
                ["questions"] = s.Scores.Queries,
                ["excluded_questions"] = s.Scores.ExcludedQueries,
            };
        }
        return new JsonObject
        {
            ["task"] = "as2",
            ["data"] = DataPath,
            ["model_source"] = ModelSource,
            ["questions"] = IncludeAllQuestions ? "all" : "with-positive",
            ["pairs"] = Pairs,
            ["systems"] = systems,
        };
    }

    /// <summary>The JSON object as indented text.</summary>
    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>A markdown table, one row per system: questions, P@1, MAP, MRR, HR@5 (4 decimals).</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| System | Questions | P@1 | MAP | MRR | HR@5 |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (As2SystemResult s in Systems)
        {
            RankingScores r = s.Scores;
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s.System} | {r.Queries} | {r.PrecisionAt1:F4} | {r.MeanAveragePrecision:F4} | {r.MeanReciprocalRank:F4} | {r.HitRateAt5:F4} |"));
        }
        return sb.ToString();
    }
}
