using System.Runtime.CompilerServices;

namespace OnnxPretrain.Data;

/// <summary>
/// The batchers' random number generator: xoshiro256** (Blackman and Vigna 2018, "Scrambled linear pseudorandom number
/// generators") whose 256-bit state is filled by SplitMix64 from a hash of (seed, step, stream). A generator is a pure
/// function of those three numbers, so batch <c>step</c> of a run is the same whether the run went straight there or
/// was resumed from a checkpoint, and every row (stream) of a batch can be drawn independently of the others.
/// Not thread-safe: use one instance per thread.
/// </summary>
public sealed class MaskingRng
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates the generator of one (seed, step, stream) triple.</summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="step">Batch index (0-based); every step gets fresh, independent draws.</param>
    /// <param name="stream">Sub-stream inside the step (batchers use the row index, and separate streams for noise).</param>
    public MaskingRng(long seed, long step, ulong stream)
    {
        ulong x = Hash(seed, step, stream);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>Mixes (seed, step, stream) into one 64-bit SplitMix64 seed; distinct triples give unrelated values.</summary>
    /// <returns>The 64-bit hash.</returns>
    public static ulong Hash(long seed, long step, ulong stream)
    {
        ulong h = Mix((ulong)seed + Golden);
        h = Mix(h ^ unchecked((ulong)step + 2 * Golden));
        return Mix(h ^ unchecked(stream + 3 * Golden));
    }

    /// <summary>Next 64 uniformly random bits (xoshiro256**).</summary>
    /// <returns>A uniform 64-bit value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitRotate(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitRotate(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    /// <returns>A value u with 0 &lt;= u &lt; 1.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="n"/>), unbiased (Lemire 2019, "Fast random integer generation in an interval").</summary>
    /// <param name="n">Exclusive upper bound, &gt; 0.</param>
    /// <returns>A value in [0, n).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt;= 0.</exception>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bound = (ulong)n;
        UInt128 m = (UInt128)NextUInt64() * bound;
        if ((ulong)m < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while ((ulong)m < threshold) m = (UInt128)NextUInt64() * bound;
        }
        return (int)(ulong)(m >> 64);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with floats uniform on the OPEN interval (0, 1): each is (k + 0.5)·2⁻²³ for a
    /// uniform 23-bit k, so the smallest is 2⁻²⁴ and the largest 1 − 2⁻²⁴, both exact in float32; never 0 or 1, so
    /// −log(−log(u)) (Gumbel noise) is always finite. Two floats per 64-bit draw.
    /// </summary>
    /// <param name="destination">Span to fill.</param>
    public void FillOpenUnitFloats(Span<float> destination)
    {
        const double scale = 1.0 / (1 << 23);
        int i = 0;
        for (; i + 1 < destination.Length; i += 2)
        {
            ulong r = NextUInt64();
            destination[i] = (float)(((r >> 41) + 0.5) * scale);
            destination[i + 1] = (float)((((r >> 9) & 0x7FFFFF) + 0.5) * scale);
        }
        if (i < destination.Length) destination[i] = (float)(((NextUInt64() >> 41) + 0.5) * scale);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += Golden;
        return Mix(x);
    }

    /// <summary>SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mix, the data side's one copy.</summary>
    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BitRotate(ulong x, int k) => (x << k) | (x >> (64 - k));
}
