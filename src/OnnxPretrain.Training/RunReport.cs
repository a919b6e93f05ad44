using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ScottPlot;

namespace OnnxPretrain.Training;

/// <summary>Writes a run's <c>loss.png</c> (ScottPlot: training and held-out loss per step) and <c>report.md</c>.</summary>
public static class RunReport
{
    /// <summary>Plots training and eval loss from <c>metrics.jsonl</c> into <paramref name="pngPath"/> (800 × 450 px).</summary>
    /// <returns>False when there is nothing to plot.</returns>
    public static bool PlotLoss(string metricsPath, string pngPath, string title)
    {
        var rows = MetricsLog.Read(metricsPath);
        var train = Series(rows, "train");
        if (train.Steps.Length == 0) return false;
        var plot = new Plot();
        var t = plot.Add.Scatter(train.Steps, train.Loss);
        t.LegendText = "train loss";
        t.MarkerSize = 0;
        var eval = Series(rows, "eval");
        if (eval.Steps.Length > 0)
        {
            var e = plot.Add.Scatter(eval.Steps, eval.Loss);
            e.LegendText = "held-out loss";
        }
        plot.Title(title);
        plot.XLabel("optimizer step");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(pngPath, 800, 450);
        return true;
    }

    private static (double[] Steps, double[] Loss) Series(List<JsonObject> rows, string split)
    {
        var r = rows.Where(o => (string?)o["split"] == split && o["loss"] is not null).ToList();
        return (r.Select(o => (double)o["step"]!).ToArray(), r.Select(o => (double)o["loss"]!).ToArray());
    }

    /// <summary>Writes <c>report.md</c>: what ran, the first/last/held-out figures, and where every output is.</summary>
    public static string WriteMarkdown(string runDir, Recipe recipe, TrainSummary summary, IReadOnlyDictionary<string, string> outputs)
    {
        var rows = MetricsLog.Read(Path.Combine(runDir, "metrics.jsonl"));
        var train = rows.Where(o => (string?)o["split"] == "train").ToList();
        var eval = rows.Where(o => (string?)o["split"] == "eval").ToList();
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine($"# Run report: {recipe.Name}").AppendLine();
        sb.AppendLine($"{recipe.Description}").AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        sb.AppendLine($"| objective | {recipe.Objective.Type} |");
        sb.AppendLine($"| model | {recipe.Model.ModelType}, {recipe.Model.NumHiddenLayers} layers, hidden {recipe.Model.HiddenSize}, " +
            $"{recipe.Model.NumAttentionHeads} heads |");
        sb.AppendLine($"| batch x sequence | {recipe.Training.BatchSize} x {recipe.Data.SequenceLength} |");
        sb.AppendLine($"| optimizer steps | {summary.Steps} |");
        sb.AppendLine(string.Create(inv,
            $"| tokens (this invocation) | {summary.Tokens:N0} in {summary.Seconds:F0} s ({summary.Tokens / Math.Max(1, summary.Seconds):F0} tokens/s) |"));
        if (train.Count > 0)
        {
            sb.AppendLine(string.Create(inv, $"| train loss, first step | {(double)train[0]["loss"]!:F4} |"));
            sb.AppendLine(string.Create(inv, $"| train loss, last step | {(double)train[^1]["loss"]!:F4} |"));
        }
        foreach (var e in eval.TakeLast(1))
            foreach (var (k, v) in e.Where(kv => kv.Key is not ("split" or "step" or "elapsed_s")))
                sb.AppendLine(string.Create(inv, $"| held-out {k} (step {(long)e["step"]!}) | {(double)v!:F4} |"));
        sb.AppendLine().AppendLine("## Outputs").AppendLine();
        foreach (var (k, v) in outputs) sb.AppendLine($"- {k}: `{v}`");
        var path = Path.Combine(runDir, "report.md");
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
