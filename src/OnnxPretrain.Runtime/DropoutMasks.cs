using System.Globalization;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

/// <summary>
/// Dropout masks drawn from our own counter-based generator instead of ONNX Runtime's session-owned one: element i of
/// dropout site s in the micro-batch with key k is kept when the SplitMix64 finaliser of (k, s, i) clears p, so a mask
/// depends only on (seed, micro-batch position, rank, site, element) and never on what ran before. A resumed run
/// therefore draws exactly the masks the uninterrupted run drew. Masks hold 0 or 1 / (1 − p) (inverted dropout), so
/// the model multiplies once, forward and backward.
/// </summary>
public static class DropoutMasks
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The key of one micro-batch: run seed, its position in the run's micro-batch sequence, and the rank.</summary>
    public static ulong Key(long seed, long microBatch, int rank = 0) =>
        Mix(Mix((ulong)seed) ^ Mix((ulong)microBatch * Golden + 1) ^ Mix(((ulong)(uint)rank << 32) + unchecked(2 * Golden)));

    /// <summary>
    /// Fills <paramref name="mask"/> for site <paramref name="site"/>: 0 with probability <paramref name="p"/>, else 1 / (1 − p).
    /// Element pair (2j, 2j + 1) takes the low and high halves of one draw of counter j, so the pairs are filled in
    /// parallel chunks and the result does not depend on the number of threads.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">p is not in [0, 1).</exception>
    public static void Fill(float[] mask, float p, ulong key, int site)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "A dropout probability must be in [0, 1).");
        var draw = new Draw(Mix(key ^ Mix((ulong)site * Golden + 3)), (uint)Math.Min(p * 4294967296.0, uint.MaxValue), 1f / (1f - p));
        int pairs = (mask.Length + 1) / 2, chunks = (pairs + PairsPerChunk - 1) / PairsPerChunk;
        if (chunks <= 1) draw.Pairs(mask, 0, pairs);
        else Parallel.For(0, chunks, c => draw.Pairs(mask, c * PairsPerChunk, Math.Min(pairs, (c + 1) * PairsPerChunk)));
    }

    private const int PairsPerChunk = 1 << 16;

    /// <summary>One site's stream, keep threshold (p · 2³²) and kept value.</summary>
    private readonly record struct Draw(ulong Stream, uint Threshold, float Scale)
    {
        public void Pairs(float[] mask, int from, int to)
        {
            for (int j = from; j < to; j++)
            {
                ulong r = Mix(Stream + (ulong)j * Golden);
                mask[2 * j] = (uint)r < Threshold ? 0f : Scale;
                if (2 * j + 1 < mask.Length) mask[2 * j + 1] = (uint)(r >> 32) < Threshold ? 0f : Scale;
            }
        }
    }

    /// <summary>SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mix with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The sizes of the batch's symbolic dims (<c>batch</c>, <c>sequence</c>, ...) read off the batch tensors against the
    /// manifest's batch input specs; a symbol bound twice to different sizes is an error.
    /// </summary>
    /// <exception cref="ArgumentException">Two inputs disagree on a symbol's size.</exception>
    public static Dictionary<string, long> Bind(IReadOnlyList<TensorSpec> specs, IReadOnlyDictionary<string, TensorData> batch)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (!batch.TryGetValue(spec.Name, out var t) || t.Shape.Length != spec.Shape.Count) continue;
            for (int d = 0; d < spec.Shape.Count; d++)
            {
                string dim = spec.Shape[d];
                if (dim == "?" || dim.Contains('*') || long.TryParse(dim, out _)) continue;
                if (sizes.TryGetValue(dim, out var known) && known != t.Shape[d])
                    throw new ArgumentException($"Batch input '{spec.Name}' has {dim} = {t.Shape[d]}, but another input has {dim} = {known}.");
                sizes[dim] = t.Shape[d];
            }
        }
        return sizes;
    }

    /// <summary>The concrete shape of <paramref name="spec"/> (dims such as <c>512</c>, <c>batch</c>, <c>2*batch*sequence</c>).</summary>
    /// <exception cref="InvalidDataException">A dim is unknown or names a symbol no batch input binds.</exception>
    public static long[] Shape(TensorSpec spec, IReadOnlyDictionary<string, long> sizes) => spec.Shape.Select(dim =>
        dim.Split('*').Aggregate(1L, (product, factor) => product * (long.TryParse(factor, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : sizes.TryGetValue(factor, out var s) ? s
            : throw new InvalidDataException($"Dropout mask '{spec.Name}' has dim '{dim}', and no batch input gives '{factor}' " +
                $"(known: {string.Join(", ", sizes.Select(kv => $"{kv.Key} = {kv.Value}"))})."))))
        .ToArray();
}
