namespace OnnxPretrain.Evaluation;

/// <summary>One (question, candidate sentence) row of an AS2 TSV file.</summary>
/// <param name="Row">0-based index among the file's data rows (file order); score arrays are indexed by it.</param>
/// <param name="LineNumber">1-based line of the row in the file (the header is line 1).</param>
/// <param name="QuestionId">The <c>qid</c> column.</param>
/// <param name="Question">The question text.</param>
/// <param name="Candidate">The candidate answer sentence.</param>
/// <param name="IsPositive">True when <c>label</c> is 1 (the sentence answers the question), false when 0.</param>
/// <param name="Score">The optional <c>score</c> column (a precomputed system score), or null when the file has none.</param>
public sealed record As2Pair(int Row, int LineNumber, string QuestionId, string Question, string Candidate, bool IsPositive, double? Score);

/// <summary>A question with its candidates in file order.</summary>
/// <param name="QuestionId">The <c>qid</c>.</param>
/// <param name="Question">The question text (identical on every row of the qid).</param>
/// <param name="Candidates">The qid's rows, in file order; at least one.</param>
public sealed record As2Question(string QuestionId, string Question, IReadOnlyList<As2Pair> Candidates)
{
    /// <summary>True when at least one candidate is labelled 1.</summary>
    public bool HasPositive => Candidates.Any(c => c.IsPositive);
}

/// <summary>An AS2 split read by <see cref="As2Data.Read"/>: rows in file order and questions grouped by qid.</summary>
/// <param name="Path">The file it was read from.</param>
/// <param name="Pairs">All data rows in file order (<see cref="As2Pair.Row"/> = index).</param>
/// <param name="Questions">Rows grouped by qid, in order of each qid's first appearance.</param>
/// <param name="HasScores">True when the file has the <c>score</c> column (every row then has a score).</param>
public sealed record As2Dataset(string Path, IReadOnlyList<As2Pair> Pairs, IReadOnlyList<As2Question> Questions, bool HasScores)
{
    /// <summary>The precomputed scores of every row, in file order.</summary>
    /// <exception cref="InvalidOperationException">The file has no <c>score</c> column.</exception>
    public double[] Scores() => HasScores
        ? Pairs.Select(p => p.Score!.Value).ToArray()
        : throw new InvalidOperationException($"{Path} has no 'score' column; expected the header qid, question, candidate, label, score.");
}
