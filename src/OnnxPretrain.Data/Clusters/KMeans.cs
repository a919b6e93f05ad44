using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace OnnxPretrain.Data;

/// <summary>How <see cref="KMeans"/> measures the distance between a vector and a centroid.</summary>
public enum KMeansMetric
{
    /// <summary>
    /// Spherical k-means (Dhillon and Modha 2001): vectors are L2-normalised first, distance is 1 − cos(x, c), and
    /// centroids are the normalised means of their members. The usual choice for embeddings and PPMI vectors.
    /// </summary>
    Cosine,

    /// <summary>Classic k-means: squared Euclidean distance, centroids are the means of their members.</summary>
    Euclidean,
}

/// <summary>Options of <see cref="KMeans.Fit"/>.</summary>
public sealed record KMeansOptions
{
    /// <summary>K, the number of clusters; &gt;= 1 and at most the number of points. Default 100.</summary>
    public int Clusters { get; init; } = 100;

    /// <summary>Maximum Lloyd iterations (assignment + update); &gt;= 1. Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Seed of the k-means++ initialisation. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Distance. Default <see cref="KMeansMetric.Cosine"/>.</summary>
    public KMeansMetric Metric { get; init; } = KMeansMetric.Cosine;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public KMeansOptions Validate()
    {
        if (Clusters < 1) throw Invalid(nameof(Clusters), Clusters.ToString(CultureInfo.InvariantCulture), "must be >= 1");
        if (MaxIterations < 1)
            throw Invalid(nameof(MaxIterations), MaxIterations.ToString(CultureInfo.InvariantCulture), "must be >= 1");
        if (!Enum.IsDefined(Metric)) throw Invalid(nameof(Metric), Metric.ToString(), "must be Cosine or Euclidean");
        return this;
    }

    private static ArgumentException Invalid(string field, string value, string rule) =>
        new($"KMeansOptions.{field} {rule}, got {value}.", field);
}

/// <summary>The outcome of <see cref="KMeans.Fit"/>.</summary>
/// <param name="Assignments">Cluster of each point, in [0, K).</param>
/// <param name="Centroids">(K, D) row-major centroids (unit vectors for <see cref="KMeansMetric.Cosine"/>).</param>
/// <param name="Iterations">Lloyd iterations run.</param>
/// <param name="Converged">True when the last iteration changed no assignment.</param>
/// <param name="Inertia">Sum over points of the distance to their centroid (squared Euclidean, or 1 − cos).</param>
internal sealed record KMeansResult(int[] Assignments, float[] Centroids, int Iterations, bool Converged, double Inertia);

/// <summary>
/// k-means clustering: k-means++ seeding (Arthur and Vassilvitskii 2007, "k-means++: The Advantages of Careful
/// Seeding": each next centre drawn with probability proportional to the distance, squared Euclidean or 1 − cos, to the
/// nearest centre chosen so far) followed by Lloyd iterations (Lloyd 1982) until no assignment changes or
/// <see cref="KMeansOptions.MaxIterations"/>. A cluster left empty is re-seeded with the point farthest from its centroid.
/// Deterministic for a given seed (points are assigned in parallel, but each independently; sums run in point order).
/// Zero vectors under <see cref="KMeansMetric.Cosine"/> are equally far (1) from every centroid and land in cluster 0:
/// leave them out (as <see cref="TokenClusterBuilder"/> does).
/// </summary>
internal static class KMeans
{
    private const ulong SeedingStream = 0x6B6D65616E73UL;

    /// <summary>Clusters <paramref name="count"/> points of dimension <paramref name="dimension"/>.</summary>
    /// <param name="points">(N, D) row-major vectors; finite.</param>
    /// <param name="count">N ≥ K.</param>
    /// <param name="dimension">D ≥ 1.</param>
    /// <param name="options">Options; validated here.</param>
    /// <returns>Assignments, centroids and diagnostics.</returns>
    /// <exception cref="ArgumentException">Bad options, a length that is not N·D, N &lt; K, or a non-finite value.</exception>
    public static KMeansResult Fit(float[] points, int count, int dimension, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckPoints(points, count, dimension, options.Clusters);
        var space = new Space(points, count, dimension, options.Metric);
        float[] centroids = PlusPlus(space, options.Clusters, new MaskingRng(options.Seed, 0, SeedingStream));
        var assignments = new int[count];
        Array.Fill(assignments, -1);
        var distances = new double[count];
        int iterations = 0;
        bool converged = false;
        while (iterations < options.MaxIterations && !converged)
        {
            iterations++;
            converged = space.Assign(centroids, assignments, distances) == 0;
            if (!converged) space.Update(centroids, assignments, distances);
        }
        if (!converged) space.Assign(centroids, assignments, distances);
        return new KMeansResult(assignments, centroids, iterations, converged, distances.Sum());
    }

    private static void CheckPoints(float[] points, int count, int dimension, int clusters)
    {
        if (dimension < 1) throw new ArgumentException($"dimension must be >= 1, got {dimension}.", nameof(dimension));
        if (count < clusters)
            throw new ArgumentException($"count ({count}) must be >= KMeansOptions.Clusters ({clusters}).", nameof(count));
        if (points.LongLength != (long)count * dimension)
            throw new ArgumentException($"points has {points.LongLength} values, expected count x dimension = {(long)count * dimension}.", nameof(points));
        for (long i = 0; i < points.LongLength; i++)
        {
            if (!float.IsFinite(points[i]))
                throw new ArgumentException($"points[{i / dimension}, {i % dimension}] is {points[i]}, not finite.", nameof(points));
        }
    }

    private static float[] PlusPlus(Space space, int k, MaskingRng rng)
    {
        var centroids = new float[k * space.D];
        var nearest = new double[space.N];
        Array.Fill(nearest, double.PositiveInfinity);
        for (int c = 0; c < k; c++)
        {
            int pick = c == 0 ? rng.NextInt(space.N) : Weighted(nearest, rng);
            space.Row(pick).CopyTo(centroids.AsSpan(c * space.D, space.D));
            float[] centre = centroids.AsSpan(c * space.D, space.D).ToArray();
            double centreNorm = Space.Dot(centre, centre);
            Parallel.For(0, space.N, i => nearest[i] = Math.Min(nearest[i], space.Distance(i, centre, centreNorm)));
        }
        return centroids;
    }

    private static int Weighted(double[] weights, MaskingRng rng)
    {
        double total = 0;
        foreach (double w in weights) total += w;
        if (!(total > 0)) return rng.NextInt(weights.Length);
        double u = rng.NextDouble() * total, sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            if (u < sum && weights[i] > 0) return i;
        }
        return Array.FindLastIndex(weights, w => w > 0);
    }

    /// <summary>The (normalised) points and the metric's distance.</summary>
    private sealed class Space
    {
        private readonly float[] _x;
        private readonly double[] _norms;
        private readonly KMeansMetric _metric;

        public Space(float[] points, int n, int d, KMeansMetric metric)
        {
            N = n;
            D = d;
            _metric = metric;
            _x = (float[])points.Clone();
            _norms = new double[n];
            for (int i = 0; i < n; i++)
            {
                _norms[i] = Dot(Row(i), Row(i));
                if (metric == KMeansMetric.Cosine) Normalize(_x.AsSpan(i * d, d), ref _norms[i]);
            }
        }

        public int N { get; }

        public int D { get; }

        public ReadOnlySpan<float> Row(int i) => _x.AsSpan(i * D, D);

        public double Distance(int i, ReadOnlySpan<float> centre, double centreNorm)
        {
            double dot = Dot(Row(i), centre);
            return _metric == KMeansMetric.Cosine ? Math.Max(0, 1 - dot) : Math.Max(0, _norms[i] - 2 * dot + centreNorm);
        }

        /// <summary>Assigns every point to its nearest centroid (lowest index on ties); returns how many changed.</summary>
        public int Assign(float[] centroids, int[] assignments, double[] distances)
        {
            int k = centroids.Length / D, changed = 0;
            var norms = new double[k];
            for (int c = 0; c < k; c++) norms[c] = Dot(centroids.AsSpan(c * D, D), centroids.AsSpan(c * D, D));
            Parallel.For(0, N, () => 0, (i, _, local) =>
            {
                int best = 0;
                double bestD = double.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    double d = Distance(i, centroids.AsSpan(c * D, D), norms[c]);
                    if (d < bestD) (best, bestD) = (c, d);
                }
                distances[i] = bestD;
                if (assignments[i] == best) return local;
                assignments[i] = best;
                return local + 1;
            }, local => Interlocked.Add(ref changed, local));
            return changed;
        }

        /// <summary>Moves every centroid to its members' (normalised) mean; re-seeds empty clusters with far points.</summary>
        public void Update(float[] centroids, int[] assignments, double[] distances)
        {
            int k = centroids.Length / D;
            var sums = new double[k * D];
            var sizes = new int[k];
            for (int i = 0; i < N; i++)
            {
                int c = assignments[i];
                sizes[c]++;
                var row = Row(i);
                for (int j = 0; j < D; j++) sums[c * D + j] += row[j];
            }
            var spare = (int[])sizes.Clone();
            using var far = Enumerable.Range(0, N).OrderByDescending(i => distances[i]).ThenBy(i => i)
                .Where(i => spare[assignments[i]] > 1).GetEnumerator();
            for (int c = 0; c < k; c++)
            {
                var centre = centroids.AsSpan(c * D, D);
                if (sizes[c] == 0)
                {
                    if (!far.MoveNext()) continue;
                    spare[assignments[far.Current]]--;
                    Row(far.Current).CopyTo(centre);
                    continue;
                }
                for (int j = 0; j < D; j++) centre[j] = (float)(sums[c * D + j] / sizes[c]);
                double norm = Dot(centre, centre);
                if (_metric == KMeansMetric.Cosine) Normalize(centre, ref norm);
            }
        }

        public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (int i = 0; i < va.Length; i++) acc += va[i] * vb[i];
            double sum = Vector.Sum(acc);
            for (int i = va.Length * Vector<float>.Count; i < a.Length; i++) sum += a[i] * b[i];
            return sum;
        }

        private static void Normalize(Span<float> v, ref double squaredNorm)
        {
            if (!(squaredNorm > 0)) return;
            float inv = (float)(1 / Math.Sqrt(squaredNorm));
            for (int j = 0; j < v.Length; j++) v[j] *= inv;
            squaredNorm = 1;
        }
    }
}
