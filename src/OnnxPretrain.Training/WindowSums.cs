using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>
/// Sums the micro-batch results of one accumulation window (of one rank, or of all ranks after an allreduce of
/// <see cref="Values"/>) into the optimizer step's loss and metrics. The loss and the term losses (<c>{term}_loss</c>)
/// are already shares of the window's token-weighted means, so they add up; the other metrics (accuracies) are
/// weighted by each micro-batch's share of the first loss term's targets, equally when the window has none.
/// </summary>
internal sealed class WindowSums
{
    private readonly IReadOnlyList<string> _metrics;
    private readonly bool[] _isShare;
    private readonly long _firstTermTargets;
    private readonly double _equalWeight;

    /// <summary>[loss, metrics in manifest order..., real tokens]: plain sums, ready for an allreduce.</summary>
    public double[] Values { get; }

    /// <summary>Starts a window.</summary>
    /// <param name="manifest">The artifacts' manifest (metric and loss-term names).</param>
    /// <param name="windowTargets">Targets per loss term over the whole window (all ranks).</param>
    /// <param name="microBatches">Micro-batch results that will be added over all ranks (weights when there are no targets).</param>
    public WindowSums(ArtifactManifest manifest, IReadOnlyList<long> windowTargets, int microBatches)
    {
        _metrics = manifest.Metrics;
        var shares = manifest.LossTerms.Select(t => TrainingGraph.TermLossName(t.Name)).ToHashSet();
        _isShare = _metrics.Select(shares.Contains).ToArray();
        _firstTermTargets = windowTargets.Count > 0 ? windowTargets[0] : 0;
        _equalWeight = 1.0 / Math.Max(1, microBatches);
        Values = new double[_metrics.Count + 2];
    }

    /// <summary>Adds one micro-batch's result and its real tokens.</summary>
    public void Add(StepResult r, long tokens)
    {
        double w = _firstTermTargets == 0 ? _equalWeight : (double)r.Targets[0] / _firstTermTargets;
        Values[0] += r.Loss;
        for (int m = 0; m < _metrics.Count; m++) Values[m + 1] += _isShare[m] ? r.Metrics[_metrics[m]] : w * r.Metrics[_metrics[m]];
        Values[^1] += tokens;
    }

    /// <summary>The step's loss, metrics and real tokens.</summary>
    public (double Loss, Dictionary<string, double> Metrics, long Tokens) Result() =>
        (Values[0], _metrics.Select((m, i) => (m, v: Values[i + 1])).ToDictionary(x => x.m, x => x.v), (long)Math.Round(Values[^1]));

    /// <summary>Targets per loss term summed over <paramref name="batches"/>.</summary>
    public static long[] Total(IEnumerable<long[]> batches)
    {
        long[]? total = null;
        foreach (var b in batches)
        {
            total ??= new long[b.Length];
            for (int k = 0; k < b.Length; k++) total[k] += b[k];
        }
        return total ?? [];
    }
}
