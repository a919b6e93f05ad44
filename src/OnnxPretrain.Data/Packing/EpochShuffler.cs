namespace OnnxPretrain.Data;

/// <summary>
/// Deterministic per-epoch permutations: the order for (seed, epoch) is a Fisher–Yates shuffle (Knuth, TAOCP vol. 2,
/// Algorithm P) driven by SplitMix64 (Steele et al. 2014) seeded from both values, with unbiased bounded draws
/// (Lemire 2019). It depends on nothing but these integers, so it is identical across runs, machines and .NET versions.
/// </summary>
public sealed class EpochShuffler
{
    /// <summary>Creates a shuffler.</summary>
    /// <param name="seed">Run seed.</param>
    public EpochShuffler(long seed) => Seed = seed;

    /// <summary>The run seed.</summary>
    public long Seed { get; }

    /// <summary>A permutation of 0…count−1 for <paramref name="epoch"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="epoch"/> is negative.</exception>
    public int[] Order(int count, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        ulong state = MaskingRng.Mix((ulong)Seed ^ MaskingRng.Mix(0x9E3779B97F4A7C15UL * ((ulong)epoch + 1)));
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)Bounded(ref state, (uint)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary><paramref name="items"/> in the order of <see cref="Order"/> for <paramref name="epoch"/>.</summary>
    public IReadOnlyList<T> Shuffle<T>(IReadOnlyList<T> items, int epoch)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Order(items.Count, epoch).Select(i => items[i]).ToArray();
    }

    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return MaskingRng.Mix(state);
    }

    private static uint Bounded(ref ulong state, uint range)
    {
        ulong m = (Next(ref state) >> 32) * range;
        uint low = (uint)m;
        if (low < range)
        {
            uint threshold = (uint)-range % range;
            while (low < threshold)
            {
                m = (Next(ref state) >> 32) * range;
                low = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }
}
