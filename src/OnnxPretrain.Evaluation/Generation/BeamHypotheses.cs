namespace OnnxPretrain.Evaluation.Generation;

/// <summary>
/// The finished hypotheses of one example in beam search (the bookkeeping of HF's <c>BeamHypotheses</c>): the
/// <c>numBeams</c> best by length-normalised score, and the stopping rule of <c>early_stopping=False</c>.
/// </summary>
/// <param name="numBeams">Hypotheses kept.</param>
/// <param name="lengthPenalty">Exponent of the length normalisation: score = sum log p / length^lengthPenalty.</param>
public sealed class BeamHypotheses(int numBeams, float lengthPenalty)
{
    private readonly List<Generated> _kept = [];

    /// <summary>Hypotheses kept so far.</summary>
    public int Count => _kept.Count;

    /// <summary>The length-normalised score of a sum of log-probabilities over <paramref name="length"/> generated tokens.</summary>
    public double Normalise(double sumLogProbs, int length) => sumLogProbs / Math.Pow(Math.Max(1, length), lengthPenalty);

    /// <summary>Adds a finished hypothesis (its tokens without the final end of sequence; <paramref name="length"/> counts it).</summary>
    public void Add(long[] tokens, double sumLogProbs, int length)
    {
        var h = new Generated(tokens, Normalise(sumLogProbs, length));
        if (_kept.Count < numBeams) _kept.Add(h);
        else if (h.Score > _kept.Min(k => k.Score)) _kept[_kept.FindIndex(k => k.Score == _kept.Min(x => x.Score))] = h;
    }

    /// <summary>
    /// True when no running beam can beat the kept hypotheses any more: all <c>numBeams</c> are kept and the worst of
    /// them scores at least the best running sum, normalised at the current length.
    /// </summary>
    public bool IsDone(double bestRunningSum, int length) =>
        _kept.Count == numBeams && _kept.Min(k => k.Score) >= Normalise(bestRunningSum, length);

    /// <summary>The best kept hypothesis.</summary>
    /// <exception cref="InvalidOperationException">Nothing was kept.</exception>
    public Generated Best() => _kept.Count == 0 ? throw new InvalidOperationException("No finished hypothesis.") : _kept.MaxBy(k => k.Score)!;
}
