using OnnxPretrain.Training.Distributed;

namespace OnnxPretrain.Training.Tests;

/// <summary>
/// In-process stand-in for MPI: <see cref="ICollectives"/> over threads of one process, one <see cref="ThreadCollectives"/>
/// per rank sharing a <see cref="ThreadGroup"/>. Sums are taken in rank order, so every rank gets bit-identical results.
/// </summary>
public sealed class ThreadGroup(int size)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly Barrier _barrier = new(size);
    public readonly float[][] Floats = new float[size][];
    public readonly long[] Longs = new long[size];
    public int Size => size;

    public void Wait()
    {
        if (!_barrier.SignalAndWait(Timeout)) throw new TimeoutException("a rank did not reach the collective within 90 s");
    }

    public ThreadCollectives[] Ranks() => Enumerable.Range(0, size).Select(r => new ThreadCollectives(this, r)).ToArray();
}

public sealed class ThreadCollectives(ThreadGroup group, int rank) : ICollectives
{
    public int Rank => rank;
    public int Size => group.Size;
    public int Allreduces { get; private set; }

    public void SumInPlace(float[] buffer)
    {
        Allreduces++;
        group.Floats[rank] = buffer;
        group.Wait();
        var sum = new float[buffer.Length];
        for (int r = 0; r < group.Size; r++)
            for (int i = 0; i < sum.Length; i++) sum[i] += group.Floats[r][i];
        group.Wait();
        sum.CopyTo(buffer, 0);
    }

    public bool AllEqual(long value)
    {
        group.Longs[rank] = value;
        group.Wait();
        bool equal = group.Longs.All(v => v == group.Longs[0]);
        group.Wait();
        return equal;
    }

    public void Barrier() => group.Wait();
}

/// <summary>Runs one action per rank on its own thread and rethrows the first failure.</summary>
public static class Ranks
{
    public static T[] Run<T>(int size, Func<ThreadCollectives, T> action)
    {
        var comms = new ThreadGroup(size).Ranks();
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = comms.Select((c, r) => new Thread(() =>
        {
            try { results[r] = action(c); }
            catch (Exception e) { errors[r] = e; }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw new AggregateException(error);
        return results;
    }
}
