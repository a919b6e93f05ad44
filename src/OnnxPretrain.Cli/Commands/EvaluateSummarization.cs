using System.Text.Json.Nodes;
using OnnxPretrain.Evaluation.Summarization;

namespace OnnxPretrain.Cli.Commands;

/// <summary>
/// <c>evaluate summarization</c>: ROUGE-1/2/L (<c>rouge-score</c> conventions) of a predictions file, or of the Lead-1
/// baseline alone, on a JSONL split (<see cref="SummarizationData"/>); the report's JSON goes to the caller (stdout) and
/// its markdown table to <c>OUT/summarization-SPLIT.md</c> when an output folder is given.
/// </summary>
public static class EvaluateSummarization
{
    /// <summary>Runs the evaluation.</summary>
    /// <param name="dataDir">Folder with <c>{split}.jsonl</c>.</param>
    /// <param name="split">Split name.</param>
    /// <param name="predictions">Predictions JSONL (<c>id</c>, <c>prediction</c>), or null with <paramref name="lead"/>.</param>
    /// <param name="lead">Score only the Lead-1 baseline (exclusive with <paramref name="predictions"/>).</param>
    /// <param name="stem">Porter stemming of tokens longer than 3 characters.</param>
    /// <param name="outDir">Folder for the markdown report, or null for none.</param>
    /// <returns>The report as JSON, plus <c>markdown</c> (the file written) when <paramref name="outDir"/> is set.</returns>
    /// <exception cref="ArgumentException">Not exactly one of predictions / lead.</exception>
    public static JsonObject Run(string dataDir, string split, string? predictions, bool lead, bool stem, string? outDir)
    {
        if ((predictions is null) == !lead)
            throw new ArgumentException("Give exactly one of --predictions <file.jsonl> or --lead (a --model option comes with the seq2seq generator).");
        SummarizationReport report = SummarizationEvaluation.Run(new SummarizationEvalOptions(dataDir, split, predictions, stem));
        JsonObject json = report.ToJson();
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            string md = Path.Combine(outDir, $"summarization-{split}.md");
            File.WriteAllText(md, report.ToMarkdown());
            json["markdown"] = md;
        }
        return json;
    }
}
