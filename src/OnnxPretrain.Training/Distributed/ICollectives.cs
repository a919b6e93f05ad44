namespace OnnxPretrain.Training.Distributed;

/// <summary>
/// The few collective operations data-parallel training needs, over a group of <see cref="Size"/> processes (ranks).
/// Every rank must make the same calls in the same order; the implementation over MPI is <see cref="MpiCollectives"/>.
/// </summary>
public interface ICollectives
{
    /// <summary>This process's rank, 0 .. <see cref="Size"/> - 1; rank 0 is the lead (it alone writes files).</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="buffer"/> on every rank by the element-wise sum of the ranks' buffers (one allreduce).</summary>
    /// <param name="buffer">Same length on every rank.</param>
    void SumInPlace(float[] buffer);

    /// <summary>Whether every rank passed the same <paramref name="value"/> (one allreduce of (max, -min)).</summary>
    bool AllEqual(long value);

    /// <summary>Blocks until every rank has called it.</summary>
    void Barrier();
}
