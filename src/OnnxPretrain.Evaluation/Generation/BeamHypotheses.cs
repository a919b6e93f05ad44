namespace OnnxPretrain.Evaluation.Generation;

/// <summary>
/// The finished hypotheses of one example in beam search (the bookkeeping of HF's <c>BeamHypotheses</c>): the
/// <c>numBeams</c> best by length-normalised score, and the stopping rule (<see cref="EarlyStopping"/>).
/// </summary>
/// <param name="numBeams">Hypotheses kept.</param>
/// <param name="lengthPenalty">Exponent of the length normalisation: score = sum log p / length^lengthPenalty.</param>
/// <param name="earlyStopping">Stopping rule.</param>
/// <param name="maxLength">Most generated tokens (max_new_tokens), for the exact bound of <see cref="EarlyStopping.Never"/>.</param>
internal sealed class BeamHypotheses(int numBeams, float lengthPenalty, EarlyStopping earlyStopping = EarlyStopping.Heuristic, int maxLength = int.MaxValue)
{
    private readonly List<Generated> _kept = [];

    /// <summary>Hypotheses kept so far.</summary>
    public int Count => _kept.Count;

    /// <summary>The length-normalised score of a sum of log-probabilities over <paramref name="length"/> generated tokens.</summary>
    public double Normalise(double sumLogProbs, int length) => Generated.Normalise(sumLogProbs, length, lengthPenalty);

    /// <summary>Adds a finished hypothesis (its tokens without the final end of sequence; <paramref name="length"/> counts it).</summary>
    public void Add(long[] tokens, double sumLogProbs, int length)
    {
        var h = new Generated(tokens, Normalise(sumLogProbs, length), sumLogProbs);
        if (_kept.Count < numBeams) _kept.Add(h);
        else if (h.Score > _kept.Min(k => k.Score)) _kept[_kept.FindIndex(k => k.Score == _kept.Min(x => x.Score))] = h;
    }

    /// <summary>
    /// True when the example stops: all <c>numBeams</c> hypotheses are kept and, unless <see cref="EarlyStopping.AsSoonAsDone"/>,
    /// the worst of them scores at least the best running sum normalised at the current length
    /// (<see cref="EarlyStopping.Heuristic"/>) or at the length that bounds it (<see cref="EarlyStopping.Never"/>).
    /// </summary>
    public bool IsDone(double bestRunningSum, int length)
    {
        if (_kept.Count < numBeams) return false;
        int boundLength = earlyStopping == EarlyStopping.Never && lengthPenalty > 0 ? maxLength : length;
        return earlyStopping == EarlyStopping.AsSoonAsDone || _kept.Min(k => k.Score) >= Normalise(bestRunningSum, boundLength);
    }

    /// <summary>The best kept hypothesis.</summary>
    /// <exception cref="InvalidOperationException">Nothing was kept.</exception>
    public Generated Best() => _kept.Count == 0 ? throw new InvalidOperationException("No finished hypothesis.") : _kept.MaxBy(k => k.Score)!;
}
