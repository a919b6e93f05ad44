using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>One system's mean ROUGE over a split.</summary>
/// <param name="System">System name (<see cref="SummarizationEvaluation.PredictionsSystem"/> or <see cref="LeadBaseline.SystemName"/>).</param>
/// <param name="Primary">Mean over all examples of the scores against each example's <c>summary</c>.</param>
/// <param name="ExamplesWithReferences">Examples that carry a <c>references</c> list.</param>
/// <param name="ReferencesMean">Mean over those examples of the per-example mean over references; null when none has references.</param>
/// <param name="ReferencesMax">Mean over those examples of the per-example max over references (per metric, the
/// reference with the highest F1); null when none has references.</param>
internal sealed record SummarizationSystemResult(string System, RougeScores Primary, int ExamplesWithReferences,
    RougeScores? ReferencesMean, RougeScores? ReferencesMax);

/// <summary>The result of a summarisation evaluation, as JSON (<see cref="ToJson"/>) and markdown (<see cref="ToMarkdown"/>).</summary>
/// <param name="DataPath">The split file evaluated.</param>
/// <param name="PredictionsPath">The predictions file, or null when only Lead-1 was scored.</param>
/// <param name="Stemming">Whether Porter stemming was on.</param>
/// <param name="Examples">Examples in the split.</param>
/// <param name="Systems">Results in report order.</param>
internal sealed record SummarizationReport(string DataPath, string? PredictionsPath, bool Stemming, int Examples,
    IReadOnlyList<SummarizationSystemResult> Systems)
{
    private static readonly string[] MetricNames = ["rouge1", "rouge2", "rougeL", "rougeLsum"];

    /// <summary>The result of system <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No system has that name.</exception>
    public SummarizationSystemResult this[string name] => Systems.FirstOrDefault(s => s.System == name)
        ?? throw new KeyNotFoundException($"The summarisation report has no system '{name}'; it has {string.Join(", ", Systems.Select(s => s.System))}.");

    /// <summary>
    /// The report as JSON: <c>task</c> ("summarization"), <c>data</c>, <c>predictions</c>, <c>stemming</c>,
    /// <c>examples</c>, and <c>systems</c> mapping each name to <c>primary</c>, <c>references_mean</c> and
    /// <c>references_max</c> (absent without references) — each maps <c>rouge1</c>, <c>rouge2</c>, <c>rougeL</c>, <c>rougeLsum</c> to
    /// <c>precision</c>, <c>recall</c>, <c>f1</c> (fractions in [0, 1]) — plus <c>examples_with_references</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var systems = new JsonObject();
        foreach (SummarizationSystemResult s in Systems)
        {
            var o = new JsonObject { ["primary"] = Json(s.Primary), ["examples_with_references"] = s.ExamplesWithReferences };
            if (s.ReferencesMean is { } mean) o["references_mean"] = Json(mean);
            if (s.ReferencesMax is { } max) o["references_max"] = Json(max);
            systems[s.System] = o;
        }
        return new JsonObject
        {
            ["task"] = "summarization",
            ["data"] = DataPath,
            ["predictions"] = PredictionsPath,
            ["stemming"] = Stemming,
            ["examples"] = Examples,
            ["systems"] = systems,
        };
    }

    /// <summary>The JSON object as indented text.</summary>
    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>
    /// A markdown table with one row per (system, scoring): "summary" (primary), "references (mean)" and
    /// "references (max)"; columns examples, then P / R / F1 of ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum, in percent with 2 decimals.
    /// </summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"ROUGE ({(Stemming ? "Porter stemming" : "no stemming")}), {Examples} examples of {Path.GetFileName(DataPath)}; values in %."));
        sb.AppendLine();
        sb.AppendLine("| System | Against | Examples | R1 P | R1 R | R1 F1 | R2 P | R2 R | R2 F1 | RL P | RL R | RL F1 | RLsum P | RLsum R | RLsum F1 |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (SummarizationSystemResult s in Systems)
        {
            Row(sb, s.System, "summary", Examples, s.Primary);
            if (s.ReferencesMean is { } mean) Row(sb, s.System, "references (mean)", s.ExamplesWithReferences, mean);
            if (s.ReferencesMax is { } max) Row(sb, s.System, "references (max)", s.ExamplesWithReferences, max);
        }
        return sb.ToString();
    }

    private static JsonObject Json(RougeScores scores)
    {
        var o = new JsonObject();
        for (int m = 0; m < MetricNames.Length; m++)
            o[MetricNames[m]] = new JsonObject { ["precision"] = scores[m].Precision, ["recall"] = scores[m].Recall, ["f1"] = scores[m].F1 };
        return o;
    }

    private static void Row(StringBuilder sb, string system, string against, int examples, RougeScores s)
    {
        sb.Append(CultureInfo.InvariantCulture, $"| {system} | {against} | {examples} |");
        for (int m = 0; m < RougeScores.Count; m++)
            sb.Append(CultureInfo.InvariantCulture, $" {100 * s[m].Precision:F2} | {100 * s[m].Recall:F2} | {100 * s[m].F1:F2} |");
        sb.AppendLine();
    }
}
