using System.Diagnostics;
using System.Runtime.InteropServices;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training.Distributed;

/// <summary>Settings of data-parallel training.</summary>
/// <param name="CheckEvery">Verify every this many optimizer steps (and at every checkpoint and the last step) that all ranks hold
/// identical parameters.</param>
public sealed record DataParallelOptions(int CheckEvery = 100);

/// <summary>Loss, metrics and real tokens of one optimizer step over all ranks, and the time of its gradient allreduce.</summary>
/// <param name="Loss">Global token-weighted loss of the step (as one process with the whole global batches).</param>
/// <param name="Metrics">Global metrics (see <see cref="WindowSums"/>).</param>
/// <param name="Tokens">Real tokens of the step over all ranks.</param>
/// <param name="AllreduceSeconds">Wall time of the gradient allreduce (packing excluded).</param>
public sealed record ReducedStep(double Loss, Dictionary<string, double> Metrics, long Tokens, double AllreduceSeconds);

/// <summary>
/// Synchronous data parallelism (as PyTorch DistributedDataParallel / Horovod): every rank runs the same artifacts on
/// its slice of each global batch (<see cref="BatchSlicer"/>) with the <c>loss_scales</c> of the whole window (every rank
/// counts the loss targets of the global batches itself), and the ranks' gradient buffers, flattened into one bucket with
/// the loss and metrics, are summed with one allreduce. After that every rank holds exactly the gradient of the
/// single-process token-weighted loss, for every loss term; runs the same optimizer step and so keeps identical
/// parameters, which <see cref="VerifyIdentical"/> checks with a checksum allreduce.
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
    /// <paramref name="position"/> (advanced by as many), leaving in the session's gradient buffers the sum over ranks:
    /// the gradient of the single-process loss of the window, so the caller's <c>OptimizerStep(lr)</c> is the
    /// single-process update. A slice with nothing to predict runs too (its dummy slot adds loss 0 and gradient 0).
    /// Dropout masks are keyed by (<paramref name="seed"/>, global position, rank).
    /// </summary>
    public ReducedStep Accumulate(TrainingSession session, IBatchSource train, int accumulation, ref long position, long seed)
    {
        _slicer ??= new BatchSlicer(session.Manifest.BatchInputs, comm.Rank, comm.Size);
        long first = position;
        var globals = Enumerable.Range(0, accumulation).Select(i => train.Get(first + i)).ToList();
        var window = WindowSums.Total(globals.Select(b => session.CountTargets(BatchStream.ToTensors(b))));
        var scales = TrainingSession.LossScales(window);
        var sums = new WindowSums(session.Manifest, window, accumulation * comm.Size);
        foreach (var global in globals)
        {
            var local = _slicer.Slice(global);
            sums.Add(session.TrainStep(BatchStream.ToTensors(local), scales, DropoutMasks.Key(seed, position, comm.Rank)), local.TokenCount);
            position++;
        }
        double seconds = Reduce(session, sums.Values);
        var (loss, metrics, tokens) = sums.Result();
        return new ReducedStep(loss, metrics, tokens, seconds);
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
