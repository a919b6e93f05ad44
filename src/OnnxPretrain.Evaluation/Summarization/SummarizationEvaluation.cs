using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>Options of <see cref="SummarizationEvaluation.Run"/> (the CLI's <c>evaluate summarization</c>).</summary>
/// <param name="DataDir">Folder holding <c>{split}.jsonl</c> (e.g. <c>../shared/data/summarization/aeslc</c>).</param>
/// <param name="Split">Split name, e.g. <c>test</c>.</param>
/// <param name="PredictionsFile">JSONL <c>{"id", "prediction"}</c> with one prediction per example of the split; null
/// to score only the Lead-1 baseline.</param>
/// <param name="Stem">Porter-stem tokens longer than 3 characters (<c>rouge-score</c>'s <c>use_stemmer</c>; PEGASUS uses true).</param>
internal sealed record SummarizationEvalOptions(string DataDir, string Split = "test", string? PredictionsFile = null, bool Stem = true);

/// <summary>
/// Summarisation evaluation: ROUGE-1/2/L (<see cref="Rouge"/>, <c>rouge-score</c> conventions) of given predictions
/// and of the Lead-1 baseline (<see cref="LeadBaseline"/>), averaged over the split's examples. The primary scores
/// compare each prediction with the example's <c>summary</c>; for examples that carry <c>references</c>, the report also
/// gives, separately, the mean over those references and the max over them (per metric, the reference with the highest
/// F1), each averaged over those examples.
/// </summary>
internal static class SummarizationEvaluation
{
    /// <summary>Name of the given predictions' system in reports.</summary>
    public const string PredictionsSystem = "predictions";

    /// <summary>Reads the split (and predictions) and scores the predictions (when given) and Lead-1.</summary>
    /// <param name="options">What to evaluate.</param>
    /// <returns>The report: the predictions first (when given), then Lead-1.</returns>
    /// <exception cref="ArgumentException">A bad split name.</exception>
    /// <exception cref="FileNotFoundException">The split or the predictions file is missing.</exception>
    /// <exception cref="CorpusFormatException">A malformed file, or predictions that do not cover exactly the split's ids
    /// (names the first missing or extra id).</exception>
    public static SummarizationReport Run(SummarizationEvalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string path = SummarizationData.SplitPath(options.DataDir, options.Split);
        IReadOnlyList<SummarizationExample> examples = SummarizationData.Read(path);
        var systems = new List<SummarizationSystemResult>();
        if (options.PredictionsFile is { } file)
        {
            IReadOnlyList<string> predictions = Align(examples, SummarizationData.ReadPredictions(file), file);
            systems.Add(Evaluate(PredictionsSystem, examples, predictions, options.Stem));
        }
        systems.Add(Evaluate(LeadBaseline.SystemName, examples, examples.Select(e => LeadBaseline.Lead1(e.Document)).ToArray(), options.Stem));
        return new SummarizationReport(path, options.PredictionsFile, options.Stem, examples.Count, systems);
    }

    /// <summary>Mean ROUGE of <paramref name="predictions"/> (one per example, same order).</summary>
    /// <param name="system">System name for the report.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="predictions">One prediction per example.</param>
    /// <param name="stem">Porter stemming on or off.</param>
    /// <returns>Primary scores over all examples; reference mean/max over the examples with references (null when none has them).</returns>
    /// <exception cref="ArgumentException">The counts differ or there are no examples.</exception>
    public static SummarizationSystemResult Evaluate(string system, IReadOnlyList<SummarizationExample> examples, IReadOnlyList<string> predictions, bool stem)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(predictions);
        if (examples.Count == 0) throw new ArgumentException("No examples to evaluate.", nameof(examples));
        if (predictions.Count != examples.Count)
            throw new ArgumentException($"{predictions.Count} predictions for {examples.Count} examples; expected one per example.", nameof(predictions));
        var primary = new RougeScores[examples.Count];
        var means = new List<RougeScores>();
        var maxes = new List<RougeScores>();
        for (int i = 0; i < examples.Count; i++)
        {
            string predicted = predictions[i];
            primary[i] = Rouge.Score(predicted, examples[i].Summary, stem);
            if (examples[i].References is not { } refs) continue;
            RougeScores[] perReference = refs.Select(r => Rouge.Score(predicted, r, stem)).ToArray();
            means.Add(RougeScores.Mean(perReference));
            maxes.Add(RougeScores.Max(perReference));
        }
        return new SummarizationSystemResult(system, RougeScores.Mean(primary), means.Count,
            means.Count > 0 ? RougeScores.Mean(means) : null, maxes.Count > 0 ? RougeScores.Mean(maxes) : null);
    }

    private static string[] Align(IReadOnlyList<SummarizationExample> examples, IReadOnlyDictionary<string, string> predictions, string file)
    {
        var aligned = new string[examples.Count];
        for (int i = 0; i < examples.Count; i++)
        {
            if (!predictions.TryGetValue(examples[i].Id, out string? p))
                throw new CorpusFormatException(file, null, null,
                    $"field 'id': no prediction for example '{examples[i].Id}' (line {examples[i].Line} of the split); expected one prediction per example.");
            aligned[i] = p;
        }
        if (predictions.Count != examples.Count)
        {
            var ids = examples.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
            string extra = predictions.Keys.First(k => !ids.Contains(k));
            throw new CorpusFormatException(file, null, null, $"field 'id': prediction for unknown id '{extra}'; expected only the split's ids.");
        }
        return aligned;
    }
}
