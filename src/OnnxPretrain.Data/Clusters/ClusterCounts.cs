using System.Globalization;

namespace OnnxPretrain.Data;

/// <summary>
/// The C × C matrix of C-RTS (Di Liello et al. 2021, "Efficient pre-training objectives for Transformers", §3):
/// counts[c, c'] scores how well substituting a token of cluster c with one of cluster c' fools the discriminator.
/// All ones at the start; <see cref="Update(CrtsBatch, ReadOnlySpan{long})"/> adds +1 for every substitution the
/// discriminator missed and −1 for every one it caught (entries are not clamped and may become negative).
/// <see cref="CrtsBatcher"/> draws the target cluster of a token in cluster c from
/// <see cref="TargetProbabilities"/> = softmax(β · minmax(counts[c])).
/// The counts are training state: save them with the checkpoint so a resumed run continues identically.
/// Not thread-safe: do not update while a batch is being built.
/// <para>File format (UTF-8 text, invariant culture): line 1 <c>onnxpretrain-cluster-counts 1</c>, line 2
/// <c>clusters C</c>, then C lines of C space-separated doubles (row c = counts[c, ·]) in round-trip ("R") form.</para>
/// </summary>
public sealed class ClusterCounts
{
    /// <summary>First word of the file's first line.</summary>
    public const string Magic = "onnxpretrain-cluster-counts";

    /// <summary>Format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private readonly double[] _counts;

    /// <summary>Creates a C × C matrix of ones.</summary>
    /// <param name="clusterCount">C ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">C &lt; 1.</exception>
    public ClusterCounts(int clusterCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clusterCount, 1);
        ClusterCount = clusterCount;
        _counts = new double[checked(clusterCount * clusterCount)];
        Array.Fill(_counts, 1.0);
    }

    /// <summary>Creates a C × C matrix from given values (e.g. to seed C-RTS with prior counts).</summary>
    /// <param name="clusterCount">C ≥ 1.</param>
    /// <param name="rowMajor">C·C finite values, row c = counts[c, ·].</param>
    /// <exception cref="ArgumentException">C &lt; 1, a length other than C·C, or a non-finite value (names the index).</exception>
    public ClusterCounts(int clusterCount, IReadOnlyList<double> rowMajor) : this(clusterCount)
    {
        ArgumentNullException.ThrowIfNull(rowMajor);
        if (rowMajor.Count != _counts.Length)
            throw new ArgumentException($"Expected C x C = {_counts.Length} values, got {rowMajor.Count}.", nameof(rowMajor));
        for (int i = 0; i < _counts.Length; i++)
        {
            if (!double.IsFinite(rowMajor[i]))
                throw new ArgumentException($"counts[{i / clusterCount}, {i % clusterCount}] is {rowMajor[i]}, not finite.", nameof(rowMajor));
            _counts[i] = rowMajor[i];
        }
    }

    /// <summary>C, the number of clusters.</summary>
    public int ClusterCount { get; }

    /// <summary>The matrix, row-major (row c = counts[c, ·]); a copy.</summary>
    public double[] ToArray() => (double[])_counts.Clone();

    /// <summary>counts[source, target].</summary>
    /// <param name="source">Original cluster c in [0, C).</param>
    /// <param name="target">Substitute's cluster c' in [0, C).</param>
    /// <exception cref="ArgumentException">An index is outside [0, C).</exception>
    public double this[int source, int target]
    {
        get
        {
            Check(source, target);
            return _counts[source * ClusterCount + target];
        }
    }

    /// <summary>
    /// softmax(β · minmax(counts[source])) over the C target clusters, where minmax maps the row to
    /// (x − min) / (max − min) and an all-equal row to all zeros (so the result is uniform).
    /// </summary>
    /// <param name="source">Original cluster c in [0, C).</param>
    /// <param name="beta">β, finite and ≥ 0.</param>
    /// <returns>C probabilities summing to 1.</returns>
    /// <exception cref="ArgumentException">β is negative or not finite, or the source is outside [0, C).</exception>
    public double[] TargetProbabilities(int source, double beta)
    {
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "must be finite and >= 0");
        Check(source, 0);
        var row = _counts.AsSpan(source * ClusterCount, ClusterCount);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double x in row) { min = Math.Min(min, x); max = Math.Max(max, x); }
        double range = max - min;
        var p = new double[ClusterCount];
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double scaled = range > 0 ? (row[i] - min) / range : 0;
            p[i] = Math.Exp(beta * (scaled - 1));
            sum += p[i];
        }
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>
    /// Scores one step's substitutions with the discriminator's predictions: for every <see cref="ClusterSwap"/> of the
    /// batch, counts[c, c'] += 1 where the discriminator predicted "original" (0; it was fooled) and −= 1 where it
    /// predicted "replaced" (1).
    /// </summary>
    /// <param name="batch">The batch the predictions belong to.</param>
    /// <param name="predictions">(B, T) predictions, row-major, 1 = replaced and 0 = original.</param>
    /// <exception cref="ArgumentException">Length is not B·T, a value other than 0 or 1, or a cluster outside [0, C);
    /// checked before any count changes.</exception>
    public void Update(CrtsBatch batch, ReadOnlySpan<long> predictions)
    {
        CheckLength(batch, predictions.Length);
        foreach (var swap in batch.Swaps)
        {
            long p = predictions[swap.FlatPosition];
            if (p is not (0 or 1))
                throw new ArgumentException($"Prediction at flat position {swap.FlatPosition} is {p}; expected 0 or 1.", nameof(predictions));
            Check(swap.SourceCluster, swap.TargetCluster);
        }
        foreach (var swap in batch.Swaps) Add(swap, predictions[swap.FlatPosition] == 1);
    }

    /// <summary>
    /// As <see cref="Update(CrtsBatch, ReadOnlySpan{long})"/> with float predictions (0/1 indicators or probabilities of
    /// "replaced"); a value &gt; 0.5 counts as predicted replaced, like rounding <c>sigmoid(logit)</c>.
    /// </summary>
    /// <param name="batch">The batch the predictions belong to.</param>
    /// <param name="predictions">(B, T) predictions, row-major.</param>
    /// <exception cref="ArgumentException">Length is not B·T, a NaN value, or a cluster outside [0, C); checked before any count changes.</exception>
    public void Update(CrtsBatch batch, ReadOnlySpan<float> predictions)
    {
        CheckLength(batch, predictions.Length);
        foreach (var swap in batch.Swaps)
        {
            if (float.IsNaN(predictions[swap.FlatPosition]))
                throw new ArgumentException($"Prediction at flat position {swap.FlatPosition} is NaN.", nameof(predictions));
            Check(swap.SourceCluster, swap.TargetCluster);
        }
        foreach (var swap in batch.Swaps) Add(swap, predictions[swap.FlatPosition] > 0.5f);
    }

    /// <summary>Writes the matrix atomically (temporary sibling file, then rename) in round-trip form.</summary>
    /// <param name="path">Destination file.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ClusterFiles.WriteAtomic(path, w =>
        {
            w.Write($"{Magic} {FormatVersion}\nclusters {ClusterCount}\n");
            for (int c = 0; c < ClusterCount; c++)
            {
                var row = _counts.Skip(c * ClusterCount).Take(ClusterCount);
                w.Write(string.Join(' ', row.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "\n");
            }
        });
    }

    /// <summary>Reads a matrix written by <see cref="Save"/>; values are restored bit for bit.</summary>
    /// <param name="path">Counts file.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Bad magic or version, malformed header, a row of the wrong length, a
    /// non-finite value, or extra lines; the message names the file and the 1-based line.</exception>
    public static ClusterCounts Load(string path)
    {
        using var reader = new ClusterFileReader(path);
        reader.ExpectHeader(Magic, FormatVersion);
        int c = reader.ReadNamedInt("clusters", 1, 46340);
        var counts = new ClusterCounts(c);
        for (int row = 0; row < c; row++)
        {
            string[] words = reader.Next($"row {row}").Split(' ');
            if (words.Length != c) throw reader.Error($"row {row} has {words.Length} values, expected {c}.");
            for (int col = 0; col < c; col++)
                counts._counts[row * c + col] = reader.ParseDouble(words[col], $"counts[{row}, {col}]");
        }
        reader.ExpectEnd();
        return counts;
    }

    private void Add(ClusterSwap swap, bool predictedReplaced)
    {
        _counts[swap.SourceCluster * ClusterCount + swap.TargetCluster] += predictedReplaced ? -1 : 1;
    }

    private static void CheckLength(CrtsBatch batch, int length)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long expected = batch.Batch.Arrays[BatcherInputNames.InputIds].Data.LongLength;
        if (length != expected)
            throw new ArgumentException($"Predictions have {length} values, expected B·T = {expected}.", "predictions");
    }

    private void Check(int source, int target)
    {
        if ((uint)source >= (uint)ClusterCount || (uint)target >= (uint)ClusterCount)
            throw new ArgumentException($"Cluster pair ({source}, {target}) is outside [0, {ClusterCount}).");
    }
}
