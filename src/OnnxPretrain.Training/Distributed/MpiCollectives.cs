using System.Diagnostics;
using MPI;

namespace OnnxPretrain.Training.Distributed;

/// <summary>
/// <see cref="ICollectives"/> over MPI (MPI.NET 1.4.0 on MPICH): <c>MPI_Allreduce</c> with <c>MPI_SUM</c> on floats,
/// <c>MPI_MAX</c> on int64, <c>MPI_Barrier</c>, all on <c>MPI_COMM_WORLD</c>. A watchdog stops the process with a clear
/// message when one collective waits longer than the timeout (a rank died or hangs), so no rank waits forever; the
/// launcher then ends the others. Dispose calls <c>MPI_Finalize</c> unless <see cref="Abandon"/> was called.
/// </summary>
public sealed class MpiCollectives : ICollectives, IDisposable
{
    private readonly MPI.Environment _environment;
    private readonly Intracommunicator _world;
    private readonly TimeSpan _timeout;
    private readonly TextWriter _error;
    private readonly Thread _watchdog;
    private float[] _receive = [];
    private long _waitingSince = -1;
    private string _operation = "";
    private volatile bool _disposed, _abandoned;

    private MpiCollectives(MPI.Environment environment, TimeSpan timeout, TextWriter error)
    {
        (_environment, _world, _timeout, _error) = (environment, Communicator.world, timeout, error);
        _watchdog = new Thread(Watch) { IsBackground = true, Name = "mpi-watchdog" };
        _watchdog.Start();
    }

    /// <summary>Initialises MPI (<c>MPI_Init</c>) in this process.</summary>
    /// <param name="timeout">Longest wait inside one collective before the process stops.</param>
    /// <param name="error">Where the watchdog's message goes (stderr in the CLI).</param>
    /// <exception cref="NotSupportedException">MPICH is not installed, or the process was started by Open MPI's mpiexec (says what to install).</exception>
    public static MpiCollectives Start(TimeSpan timeout, TextWriter error)
    {
        if (MpiLibrary.LaunchedByOpenMpi())
            throw new NotSupportedException($"This process was started by Open MPI's mpiexec, whose ABI MPI.NET cannot use. {MpiLibrary.InstallHint}");
        if (!MpiLibrary.TryInstall(out var why)) throw new NotSupportedException(why);
        var args = Array.Empty<string>();
        return new MpiCollectives(new MPI.Environment(ref args), timeout, error);
    }

    /// <inheritdoc/>
    public int Rank => _world.Rank;

    /// <inheritdoc/>
    public int Size => _world.Size;

    /// <inheritdoc/>
    public void SumInPlace(float[] buffer)
    {
        if (_receive.Length != buffer.Length) _receive = new float[buffer.Length];
        Guarded("allreduce (gradient sum)", () => _world.Allreduce(buffer, Operation<float>.Add, ref _receive));
        _receive.AsSpan().CopyTo(buffer);
    }

    /// <inheritdoc/>
    public bool AllEqual(long value)
    {
        long[] max = [];
        Guarded("allreduce (parameter checksum)", () => max = _world.Allreduce(new[] { value, -value }, Operation<long>.Max));
        return max[0] == -max[1];
    }

    /// <inheritdoc/>
    public void Barrier() => Guarded("barrier", _world.Barrier);

    /// <summary>Marks this process as failed: Dispose then skips <c>MPI_Finalize</c> (which would wait for the other ranks).</summary>
    public void Abandon() => _abandoned = true;

    private void Guarded(string operation, Action action)
    {
        _operation = operation;
        Interlocked.Exchange(ref _waitingSince, Stopwatch.GetTimestamp());
        try
        {
            action();
        }
        finally
        {
            Interlocked.Exchange(ref _waitingSince, -1);
        }
    }

    private void Watch()
    {
        while (!_disposed)
        {
            Thread.Sleep(200);
            long since = Interlocked.Read(ref _waitingSince);
            if (since < 0 || Stopwatch.GetElapsedTime(since) < _timeout) continue;
            _error.WriteLine($"error: rank {Rank} of {Size} waited more than {_timeout.TotalSeconds:F0} s in MPI {_operation}: another rank " +
                             "probably died or hangs. Stopping this rank; checkpoints already written stay valid (resume with --resume on " +
                                 "any number of ranks).");
            _error.Flush();
            System.Environment.Exit(3);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_abandoned) _environment.Dispose();
    }
}
