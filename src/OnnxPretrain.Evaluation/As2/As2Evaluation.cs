using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation;

/// <summary>Options of <see cref="As2Evaluation.Run"/> (the CLI's <c>evaluate as2</c>).</summary>
/// <param name="DataDir">Folder holding <c>{split}.tsv</c> (e.g. <c>../shared/data/as2/wikiqa</c>); required with <paramref
/// name="ModelDir"/>. With <paramref name="ScoresFile"/> it is optional and, when given, the scores file must list the split's rows in the
/// same order.</param>
/// <param name="Split">Split name, e.g. <c>test</c>, <c>dev</c> or <c>train</c>.</param>
/// <param name="ModelDir">Exported cross-encoder folder (<c>model.onnx</c> + <c>vocab.txt</c>, see <see cref="As2Scorer"/>); exclusive with
/// <paramref name="ScoresFile"/>.</param>
/// <param name="ScoresFile">An AS2 TSV with a <c>score</c> column of precomputed scores; exclusive with <paramref name="ModelDir"/>.</param>
/// <param name="IncludeAllQuestions">Average over all questions (those without a positive score 0) instead of only those with one.</param>
/// <param name="MaxLength">Maximum pair length in tokens for the model (≥ 3).</param>
/// <param name="BatchSize">Pairs per model run (≥ 1).</param>
/// <param name="BiEncoder">Score with <paramref name="ModelDir"/> as a bi-encoder (a feature-extraction export): cosine of the
/// question's and the candidate's pooled embeddings, with this pooling; null = cross-encoder logits.</param>
public sealed record As2EvalOptions(
    string? DataDir = null,
    string Split = "test",
    string? ModelDir = null,
    string? ScoresFile = null,
    bool IncludeAllQuestions = false,
    int MaxLength = As2Scorer.DefaultMaxLength,
    int BatchSize = As2Scorer.DefaultBatchSize,
    Retrieval.Pooling? BiEncoder = null);

/// <summary>
/// Answer sentence selection evaluation (Yang, Yih and Meek 2015, "WikiQA"): ranks each question's candidates by a
/// model's scores (or precomputed scores) and by the two lexical baselines of <see cref="LexicalBaselines"/>, and
/// reports tie-aware P@1, MAP, MRR and HR@5 (<see cref="RankingMetrics"/>).
/// </summary>
public static class As2Evaluation
{
    /// <summary>Runs the evaluation described by <paramref name="options"/>; the lexical baselines are always included.</summary>
    /// <returns>The report: the model (or scores file) first, then word count, then IDF-weighted word count.</returns>
    /// <exception cref="ArgumentException">Not exactly one of ModelDir / ScoresFile; ModelDir without DataDir; a bad split name; or no
    /// question with a positive (when not including all).</exception>
    /// <exception cref="ArgumentOutOfRangeException">MaxLength &lt; 3 or BatchSize &lt; 1.</exception>
    /// <exception cref="FileNotFoundException">The split, scores file, model or vocabulary is missing.</exception>
    /// <exception cref="CorpusFormatException">A malformed TSV, a scores file without a score column, or one that does not match the split
    /// row for row.</exception>
    /// <exception cref="InvalidDataException">The model's signature or logits are not as <see cref="As2Scorer"/> expects.</exception>
    public static As2Report Run(As2EvalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        As2Dataset data;
        double[] modelScores;
        string source;
        if (options.ModelDir is { } modelDir)
        {
            data = As2Data.Read(As2Data.SplitPath(options.DataDir!, options.Split));
            modelScores = options.BiEncoder is { } pooling ? BiEncoderScores(data, modelDir, pooling, options) : CrossEncoderScores(data, modelDir, options);
            source = modelDir;
        }
        else
        {
            data = ReadScoresFile(options);
            modelScores = data.Scores();
            source = options.ScoresFile!;
        }
        return BuildReport(data, modelScores, source, options.IncludeAllQuestions);
    }

    private static double[] CrossEncoderScores(As2Dataset data, string modelDir, As2EvalOptions options)
    {
        using (var joint = As2JointScorer.TryLoad(modelDir))
            if (joint is not null) return joint.Score(data);
        using As2Scorer scorer = As2Scorer.Load(modelDir, options.MaxLength, options.BatchSize);
        return scorer.Score(data);
    }

    /// <summary>Cosine similarity of each pair's L2-normalised pooled embeddings (each distinct text encoded once; questions as
    /// queries, with the model's query prefix if it has one).</summary>
    private static double[] BiEncoderScores(As2Dataset data, string modelDir, Retrieval.Pooling pooling, As2EvalOptions options)
    {
        using var encoder = Retrieval.BiEncoder.Load(modelDir, new Retrieval.BiEncoderOptions(options.MaxLength, options.BatchSize, pooling));
        var questions = data.Pairs.Select(p => p.Question).Distinct().ToList();
        var candidates = data.Pairs.Select(p => p.Candidate).Distinct().ToList();
        var (q, c) = (encoder.EncodeQueries(questions, out int dim), encoder.Encode(candidates, out _));
        var qAt = questions.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        var cAt = candidates.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        return data.Pairs.Select(p => (double)System.Numerics.Tensors.TensorPrimitives.Dot<float>(q.AsSpan(qAt[p.Question] * dim, dim),
            c.AsSpan(cAt[p.Candidate] * dim, dim))).ToArray();
    }

    /// <summary>The report for <paramref name="data"/> ranked by <paramref name="modelScores"/> plus both lexical baselines.</summary>
    /// <exception cref="ArgumentException">The score count differs from the row count, a score is NaN, or no question is counted.</exception>
    public static As2Report BuildReport(As2Dataset data, IReadOnlyList<double> modelScores, string modelSource, bool includeAllQuestions)
    {
        ArgumentNullException.ThrowIfNull(data);
        As2SystemResult[] systems =
        [
            new(As2Report.ModelSystem, Evaluate(data, modelScores, includeAllQuestions)),
            new(As2Report.WordCountSystem, Evaluate(data, LexicalBaselines.WordCount(data), includeAllQuestions)),
            new(As2Report.IdfWordCountSystem, Evaluate(data, LexicalBaselines.IdfWeightedWordCount(data), includeAllQuestions)),
        ];
        return new As2Report(data.Path, modelSource, includeAllQuestions, data.Pairs.Count, systems);
    }

    /// <summary>Tie-aware metrics of <paramref name="data"/> ranked by <paramref name="scores"/> (one per row, file order).</summary>
    /// <exception cref="ArgumentException">The score count differs from the row count, a score is NaN (the message names the file line and
    /// qid), or no question is counted.</exception>
    public static RankingScores Evaluate(As2Dataset data, IReadOnlyList<double> scores, bool includeAllQuestions = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != data.Pairs.Count)
        {
            throw new ArgumentException($"{scores.Count} scores for {data.Pairs.Count} rows of {data.Path}; expected one score per row.", nameof(scores));
        }
        int nan = scores.ToList().FindIndex(double.IsNaN);
        if (nan >= 0)
        {
            As2Pair p = data.Pairs[nan];
            throw new ArgumentException($"The score of {data.Path} line {p.LineNumber} (qid '{p.QuestionId}') is NaN; expected a number.", nameof(scores));
        }
        List<IReadOnlyList<ScoredCandidate>> queries = data.Questions
            .Select(q => (IReadOnlyList<ScoredCandidate>)q.Candidates.Select(p => new ScoredCandidate(scores[p.Row], p.IsPositive)).ToList())
            .ToList();
        return RankingMetrics.Evaluate(queries, includeAllQuestions);
    }

    private static void Validate(As2EvalOptions o)
    {
        if ((o.ModelDir is null) == (o.ScoresFile is null))
        {
            throw new ArgumentException($"Give exactly one of a model folder or a scores file; got model '{o.ModelDir ?? "(none)"}' and " +
                $"scores '{o.ScoresFile ?? "(none)"}'.", nameof(o));
        }
        if (o.ModelDir is not null && string.IsNullOrWhiteSpace(o.DataDir))
        {
            throw new ArgumentException($"Scoring model '{o.ModelDir}' needs a data folder holding {o.Split}.tsv; none was given.", nameof(o));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxLength, 3, nameof(o.MaxLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.BatchSize, 1, nameof(o.BatchSize));
    }

    private static As2Dataset ReadScoresFile(As2EvalOptions o)
    {
        As2Dataset scored = As2Data.Read(o.ScoresFile!);
        if (!scored.HasScores)
        {
            throw new CorpusFormatException(o.ScoresFile!, null, 1,
                $"no '{As2Data.ScoreColumn}' column; expected the header qid, question, candidate, label, score.");
        }
        if (!string.IsNullOrWhiteSpace(o.DataDir)) CheckAligned(scored, As2Data.Read(As2Data.SplitPath(o.DataDir, o.Split)));
        return scored;
    }

    private static void CheckAligned(As2Dataset scored, As2Dataset split)
    {
        for (int i = 0; i < Math.Max(scored.Pairs.Count, split.Pairs.Count); i++)
        {
            As2Pair? s = i < scored.Pairs.Count ? scored.Pairs[i] : null, d = i < split.Pairs.Count ? split.Pairs[i] : null;
            if (s is not null && d is not null && s.QuestionId == d.QuestionId && s.Candidate == d.Candidate && s.IsPositive == d.IsPositive) continue;
            string found = s is null ? "the file ends" : $"qid '{s.QuestionId}', label {(s.IsPositive ? 1 : 0)}";
            string expected = d is null ? $"the end of the file ({split.Pairs.Count} rows)"
                : $"qid '{d.QuestionId}', label {(d.IsPositive ? 1 : 0)} and the candidate of {split.Path} line {d.LineNumber}";
            throw new CorpusFormatException(scored.Path, null, s?.LineNumber ?? scored.Pairs.Count + 2,
                $"row {i + 1} does not match the split: found {found}; expected {expected}.");
        }
    }
}
