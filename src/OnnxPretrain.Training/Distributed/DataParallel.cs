using System.Diagnostics;
using System.Runtime.InteropServices;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training.Distributed;

/// <summary>Settings of data-parallel training.</summary>
/// <param name="CheckEvery">Verify every this many optimizer steps (and at every checkpoint and the last step) that all ranks hold identical parameters.</param>
public sealed record DataParallelOptions(int CheckEvery = 100);

/// <summary>Loss, metrics and real tokens of one optimizer step over all ranks, and the time of its gradient allreduce.</summary>
/// <param name="Loss">Global mean loss (mean over micro-batches of the target-weighted mean over ranks).</param>
/// <param name="Metrics">Global metrics, weighted like the loss.</param>
/// <param name="Tokens">Real tokens of the step over all ranks.</param>
/// <param name="AllreduceSeconds">Wall time of the gradient allreduce (packing excluded).</param>
public sealed record ReducedStep(double Loss, Dictionary<string, double> Metrics, long Tokens, double AllreduceSeconds);

/// <summary>
/// Synchronous data parallelism (as PyTorch DistributedDataParallel / Horovod): every rank runs the same artifacts on
/// its slice of each global batch (<see cref="BatchSlicer"/>), weights each micro-batch's gradient by its share of the
/// global loss targets, and the ranks' gradient buffers, flattened into one bucket with the loss and metrics, are summed
/// with one allreduce. After that every rank holds the gradient of the single-process mean loss (exact for single-head
/// objectives — mlm, slm, rts; for multi-head ones — electra's BCE, the sentence-level pair head — every head is weighted
/// by the first head's target count, so the extra heads' means are weighted approximately), runs the same optimizer
/// step and so keeps identical parameters, which <see cref="VerifyIdentical"/> checks with a checksum allreduce.
/// </summary>
public sealed class DataParallel(ICollectives comm, DataParallelOptions? options = null)
{
    private readonly DataParallelOptions _options = options ?? new DataParallelOptions();
    private BatchSlicer? _slicer;
    private float[] _bucket = [];

    /// <summary>The collectives in use.</summary>
    public ICollectives Comm => comm;

    /// <summary>Whether this is rank 0, which alone writes checkpoints, metrics and progress.</summary>
    public bool IsLead => comm.Rank == 0;

    /// <summary>
    /// Runs <paramref name="accumulation"/> micro-batches of this rank's slices from global position
    /// <paramref name="position"/> (advanced by as many), leaving in the session's gradient buffers the sum over ranks of
    /// the target-weighted gradients: the gradient of the single-process loss summed over micro-batches, so the caller's
    /// <c>OptimizerStep(lr, 1 / accumulation)</c> is the single-process update.
    /// </summary>
    public ReducedStep Accumulate(TrainingSession session, IBatchSource train, int accumulation, ref long position)
    {
        _slicer ??= new BatchSlicer(session.Manifest.BatchInputs, comm.Rank, comm.Size);
        var metrics = session.Manifest.Metrics;
        var sums = new double[metrics.Count + 2];            // loss, metrics..., tokens
        double scale = 0;                                   // the accumulated gradient is scale * buffer
        for (int micro = 0; micro < accumulation; micro++, position++)
        {
            var slice = _slicer.Slice(train.Get(position));
            sums[^1] += slice.Local.TokenCount;
            if (slice.LocalTargets == 0) continue;          // nothing to predict here: this rank adds no gradient
            double w = slice.Weight;
            if (scale != 0 && scale != w) session.ScaleGradients((float)(scale / w));
            var r = session.TrainStep(BatchStream.ToTensors(slice.Local));
            scale = w;
            sums[0] += w * r.Loss;
            for (int m = 0; m < metrics.Count; m++) sums[m + 1] += w * r.Metrics[metrics[m]];
        }
        if (scale == 0) session.ZeroGradients();
        else if (scale != 1) session.ScaleGradients((float)scale);
        double seconds = Reduce(session, sums);
        var reduced = metrics.Select((m, i) => (m, v: sums[i + 1] / accumulation)).ToDictionary(x => x.m, x => x.v);
        return new ReducedStep(sums[0] / accumulation, reduced, (long)Math.Round(sums[^1]), seconds);
    }

    private double Reduce(TrainingSession session, double[] sums)
    {
        int count = 0;
        foreach (var p in session.TrainableParameters) count += session.GradientBuffer(p).Length;
        if (_bucket.Length != count + sums.Length) _bucket = new float[count + sums.Length];
        int offset = 0;
        foreach (var p in session.TrainableParameters)
        {
            var g = session.GradientBuffer(p);
            g.CopyTo(_bucket.AsSpan(offset));
            offset += g.Length;
        }
        for (int i = 0; i < sums.Length; i++) _bucket[offset + i] = (float)sums[i];
        var clock = Stopwatch.StartNew();
        comm.SumInPlace(_bucket);
        double seconds = clock.Elapsed.TotalSeconds;
        offset = 0;
        foreach (var p in session.TrainableParameters)
        {
            var g = session.GradientBuffer(p);
            _bucket.AsSpan(offset, g.Length).CopyTo(g);
            offset += g.Length;
        }
        for (int i = 0; i < sums.Length; i++) sums[i] = _bucket[offset + i];
        return seconds;
    }

    /// <summary>Whether step <paramref name="step"/> is one where the parameters are verified (every CheckEvery steps).</summary>
    public bool IsCheckStep(long step) => _options.CheckEvery > 0 && step % _options.CheckEvery == 0;

    /// <summary>
    /// Checks that every rank holds bit-identical parameters (a 64-bit FNV-1a hash of their bits, compared with one allreduce).
    /// </summary>
    /// <exception cref="InvalidOperationException">The ranks' parameters differ (names the step).</exception>
    public void VerifyIdentical(TrainingSession session, long step)
    {
        if (comm.AllEqual(Checksum(session))) return;
        throw new InvalidOperationException(
            $"Data-parallel ranks diverged: the parameters of rank {comm.Rank} of {comm.Size} differ from another rank's at step {step}. " +
            "Every rank must run the same build, artifacts and checkpoint (a shared run folder) and the same ONNX Runtime settings; stopping.");
    }

    /// <summary>FNV-1a over the bits of every parameter, in manifest order.</summary>
    public static long Checksum(TrainingSession session)
    {
        ulong h = 14695981039346656037UL;
        foreach (var p in session.Manifest.Parameters.Where(p => p.Dtype == DataType.Float))
            foreach (uint bits in MemoryMarshal.Cast<float, uint>(session.ParameterValues(p.Name)))
                h = (h ^ bits) * 1099511628211UL;
        return unchecked((long)h);
    }
}
