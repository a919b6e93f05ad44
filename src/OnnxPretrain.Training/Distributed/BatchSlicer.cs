using OnnxPretrain.Data;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training.Distributed;

/// <summary>
/// Cuts a global batch (B rows) into a rank's contiguous rows [r·B/N, (r+1)·B/N), so the ranks' slices together are
/// exactly the single-process batch. Inputs whose leading dim is <c>batch</c> (manifest) are cut by rows; inputs whose
/// leading dim is <c>predictions</c> (M: <c>masked_lm_positions</c> b·T + t, <c>masked_lm_labels</c>,
/// <c>sampling_noise</c> (M, V)) keep the entries of the rank's rows, positions re-based to (b - r·B/N)·T + t; other
/// inputs are copied. A slice with no selected token gets the batchers' dummy slot (position 0, label -100, ignored).
/// </summary>
internal sealed class BatchSlicer
{
    private readonly IReadOnlyList<TensorSpec> _inputs;
    private readonly int _rank, _size;

    /// <summary>Creates the slicer for rank <paramref name="rank"/> of <paramref name="size"/>.</summary>
    /// <param name="inputs">The manifest's batch inputs (names and symbolic dims).</param>
    /// <param name="rank">This rank.</param>
    /// <param name="size">Number of ranks.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rank is not in [0, size).</exception>
    public BatchSlicer(IReadOnlyList<TensorSpec> inputs, int rank, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, size);
        (_inputs, _rank, _size) = (inputs, rank, size);
    }

    /// <summary>This rank's slice of <paramref name="global"/>.</summary>
    /// <exception cref="ArgumentException">The batch has fewer rows than there are ranks, or lacks <c>input_ids</c> (B, T).</exception>
    public Batch Slice(Batch global)
    {
        if (!global.Arrays.TryGetValue(BatcherInputNames.InputIds, out var ids) || ids.Shape.Length != 2)
            throw new ArgumentException("A data-parallel batch needs input_ids (B, T).", nameof(global));
        long b = ids.Shape[0], t = ids.Shape[1];
        if (b < _size) throw new ArgumentException($"training.batch_size {b} is smaller than the number of ranks ({_size}); each rank needs " +
            $"at least one row.", nameof(global));
        long lo = _rank * b / _size, hi = (_rank + 1) * b / _size;
        var keep = PredictionsToKeep(global, lo * t, hi * t);
        var arrays = new Dictionary<string, BatchArray>();
        foreach (var (name, array) in global.Arrays)
        {
            var lead = _inputs.FirstOrDefault(i => i.Name == name)?.Shape.FirstOrDefault();
            arrays[name] = lead == "batch" ? Rows(array, lo, hi)
                : lead == "predictions" && keep is not null ? Predictions(name, array, keep, lo * t)
                : array;
        }
        return new Batch(arrays, RealTokens(arrays, hi - lo, t));
    }

    private static int[]? PredictionsToKeep(Batch global, long from, long to)
    {
        if (!global.Arrays.TryGetValue(BatcherInputNames.MaskedLmPositions, out var positions)) return null;
        var p = positions.Int64s;
        return Enumerable.Range(0, p.Length).Where(i => p[i] >= from && p[i] < to).ToArray();
    }

    private static BatchArray Predictions(string name, BatchArray array, int[] keep, long offset)
    {
        long width = array.Shape.Skip(1).Aggregate(1L, (x, y) => x * y);
        if (keep.Length == 0) return Dummy(name, array, width);
        var shape = array.Shape.ToArray();
        shape[0] = keep.Length;
        if (array.Data is long[] longs)
        {
            var data = new long[keep.Length * width];
            for (int k = 0; k < keep.Length; k++) Array.Copy(longs, keep[k] * width, data, k * width, width);
            if (name == BatcherInputNames.MaskedLmPositions) for (int k = 0; k < data.Length; k++) data[k] -= offset;
            return new BatchArray(data, shape);
        }
        var floats = array.Floats;
        var f = new float[keep.Length * width];
        for (int k = 0; k < keep.Length; k++) Array.Copy(floats, keep[k] * width, f, k * width, width);
        return new BatchArray(f, shape);
    }

    private static BatchArray Dummy(string name, BatchArray array, long width)
    {
        var shape = array.Shape.ToArray();
        shape[0] = 1;
        if (array.Data is float[]) return new BatchArray(Enumerable.Repeat(0.5f, (int)width).ToArray(), shape);
        long value = name == BatcherInputNames.MaskedLmPositions ? 0 : MaskingDefaults.IgnoreLabel;
        return new BatchArray(Enumerable.Repeat(value, (int)width).ToArray(), shape);
    }

    private static BatchArray Rows(BatchArray array, long lo, long hi)
    {
        long width = array.Shape.Skip(1).Aggregate(1L, (x, y) => x * y);
        var shape = array.Shape.ToArray();
        shape[0] = hi - lo;
        var data = Array.CreateInstance(array.Data.GetType().GetElementType()!, (hi - lo) * width);
        Array.Copy(array.Data, lo * width, data, 0, (hi - lo) * width);
        return new BatchArray(data, shape);
    }

    private static long RealTokens(Dictionary<string, BatchArray> arrays, long rows, long t) =>
        arrays.TryGetValue(BatcherInputNames.AttentionMask, out var mask) ? mask.Int64s.Count(m => m != 0) : rows * t;
}
