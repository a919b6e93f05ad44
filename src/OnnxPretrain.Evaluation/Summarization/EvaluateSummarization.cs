using System.Text.Json.Nodes;

namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>
/// <c>evaluate summarization</c>: ROUGE-1/2/L (<c>rouge-score</c> conventions) of a predictions file, of an exported
/// seq2seq model's generated summaries (written as <c>predictions-SPLIT.jsonl</c>), or of the Lead-1 baseline alone, on a JSONL split (<see
/// cref="SummarizationData"/>); the report's JSON goes to the caller (stdout) and
/// its markdown table to <c>OUT/summarization-SPLIT.md</c> when an output folder is given.
/// </summary>
public static class EvaluateSummarization
{
    /// <summary>Runs the evaluation.</summary>
    /// <param name="dataDir">Folder with <c>{split}.jsonl</c>.</param>
    /// <param name="split">Split name.</param>
    /// <param name="predictions">Predictions JSONL (<c>id</c>, <c>prediction</c>), or null.</param>
    /// <param name="model">Seq2seq export folder to generate the predictions with, or null.</param>
    /// <param name="summarizer">Source length and decoding settings for <paramref name="model"/>.</param>
    /// <param name="session">ORT session settings for <paramref name="model"/>.</param>
    /// <param name="lead">Score only the Lead-1 baseline (exclusive with <paramref name="predictions"/>).</param>
    /// <param name="stem">Porter stemming of tokens longer than 3 characters.</param>
    /// <param name="outDir">Folder for the markdown report, or null for none.</param>
    /// <returns>The report as JSON, plus <c>markdown</c> (the file written) when <paramref name="outDir"/> is set.</returns>
    /// <exception cref="ArgumentException">Not exactly one of predictions / model / lead.</exception>
    public static JsonObject Run(string dataDir, string split, string? predictions, bool lead, bool stem, string? outDir,
        string? model = null, SummarizerOptions? summarizer = null, Runtime.SessionConfig? session = null)
    {
        if ((predictions is null ? 0 : 1) + (model is null ? 0 : 1) + (lead ? 1 : 0) != 1)
            throw new ArgumentException("Give exactly one of --predictions <file.jsonl>, --model <export dir> or --lead.");
        GenerationSpeed? speed = null;
        if (model is not null)
        {
            var examples = SummarizationData.Read(SummarizationData.SplitPath(dataDir, split));
            var (summaries, s) = ModelSummarizer.Summarize(model, examples.Select(e => e.Document).ToList(),
                summarizer ?? new SummarizerOptions(512, new Evaluation.Generation.GenerationOptions()), session);
            speed = s;
            predictions = Path.Combine(outDir ?? model, $"predictions-{split}.jsonl");
            Directory.CreateDirectory(Path.GetDirectoryName(predictions)!);
            File.WriteAllLines(predictions,
                examples.Zip(summaries).Select(p => new JsonObject { ["id"] = p.First.Id, ["prediction"] = p.Second }.ToJsonString()));
        }
        SummarizationReport report = SummarizationEvaluation.Run(new SummarizationEvalOptions(dataDir, split, predictions, stem));
        JsonObject json = report.ToJson();
        if (speed is not null)
            json["generation"] = new JsonObject
            {
                ["predictions"] = predictions, ["examples"] = speed.Examples, ["generated_tokens"] = speed.GeneratedTokens,
                    ["seconds"] = Math.Round(speed.Seconds, 2),
                ["tokens_per_s"] = Math.Round(speed.TokensPerSecond, 1), ["examples_per_s"] = Math.Round(speed.ExamplesPerSecond, 2),
                ["num_beams"] = summarizer?.Generation.NumBeams ?? 1,
            };
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
