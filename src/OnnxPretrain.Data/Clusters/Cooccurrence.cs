using System.Globalization;

namespace OnnxPretrain.Data;

/// <summary>Options of <see cref="Cooccurrence.Build"/>.</summary>
public sealed record CooccurrenceOptions
{
    /// <summary>Context window: tokens at distance 1 … Window on either side (within the same sequence) count; &gt;= 1. Default 5.</summary>
    public int Window { get; init; } = 5;

    /// <summary>N, the number of context ids (feature dimensions): the N most frequent ids of the corpus (ties to the
    /// lower id); &gt;= 1. Default 512.</summary>
    public int ContextSize { get; init; } = 512;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public CooccurrenceOptions Validate()
    {
        if (Window < 1) throw Invalid(nameof(Window), Window, "must be >= 1");
        if (ContextSize < 1) throw Invalid(nameof(ContextSize), ContextSize, "must be >= 1");
        return this;
    }

    private static ArgumentException Invalid(string field, int value, string rule) =>
        new($"CooccurrenceOptions.{field} {rule}, got {value.ToString(CultureInfo.InvariantCulture)}.", field);
}

/// <summary>Token vectors built from co-occurrence statistics.</summary>
/// <param name="Vectors">(V, Dimension) row-major, each row L2-normalised PPMI weights, or all zeros (see <see cref="IsSeen"/>).</param>
/// <param name="VocabSize">V.</param>
/// <param name="Dimension">Number of context ids actually used (≤ ContextSize: only ids that occur in the corpus).</param>
/// <param name="ContextIds">Context id of each dimension, most frequent first.</param>
/// <param name="Frequencies">Occurrences of each id in the corpus, indexed by id.</param>
public sealed record CooccurrenceFeatures(float[] Vectors, int VocabSize, int Dimension, int[] ContextIds, long[] Frequencies)
{
    /// <summary>True when the id's vector is not all zeros: it occurs in the corpus with some context whose PPMI is &gt; 0.
    /// Ids never seen (or seen only next to no context above chance) are false.</summary>
    /// <param name="id">Token id in [0, V).</param>
    /// <returns>Whether the id has a usable vector.</returns>
    public bool IsSeen(int id)
    {
        for (int j = 0; j < Dimension; j++) if (Vectors[(long)id * Dimension + j] != 0) return true;
        return false;
    }
}

/// <summary>
/// Distributional token vectors for clustering: co-occurrence counts within a symmetric window over the N most
/// frequent context ids, weighted by positive pointwise mutual information (Church and Hanks 1990; PPMI as in Levy,
/// Goldberg and Dagan 2015, "Improving Distributional Similarity with Lessons Learned from Word Embeddings", without
/// context-distribution smoothing), then L2-normalised per token.
/// PPMI(w, c) = max(0, ln(n(w, c) · n / (n(w) · n(c)))) where n(w, c) is the count of c in w's windows, n(w) and n(c)
/// the row and column sums of that (V × N) count matrix, and n its total.
/// </summary>
public static class Cooccurrence
{
    /// <summary>Builds the PPMI vectors. The corpus is enumerated twice (frequencies, then counts).</summary>
    /// <param name="sequences">Token-id sequences; windows never cross sequence boundaries. Must be re-enumerable.</param>
    /// <param name="vocabSize">V ≥ 1; every id must be in [0, V).</param>
    /// <param name="options">Options; validated here.</param>
    /// <returns>The vectors and their context ids.</returns>
    /// <exception cref="ArgumentException">Bad options, V &lt; 1, or an id outside [0, V) (names sequence and position).</exception>
    public static CooccurrenceFeatures Build(IEnumerable<int[]> sequences, int vocabSize, CooccurrenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (vocabSize < 1) throw new ArgumentException($"vocabSize must be >= 1, got {vocabSize}.", nameof(vocabSize));
        long[] frequencies = Frequencies(sequences, vocabSize);
        int[] contexts = Enumerable.Range(0, vocabSize).Where(id => frequencies[id] > 0)
            .OrderByDescending(id => frequencies[id]).ThenBy(id => id).Take(options.ContextSize).ToArray();
        var column = new int[vocabSize];
        Array.Fill(column, -1);
        for (int j = 0; j < contexts.Length; j++) column[contexts[j]] = j;
        var counts = Count(sequences, column, vocabSize, options.Window);
        float[] vectors = Ppmi(counts, vocabSize, contexts.Length);
        return new CooccurrenceFeatures(vectors, vocabSize, contexts.Length, contexts, frequencies);
    }

    private static long[] Frequencies(IEnumerable<int[]> sequences, int vocabSize)
    {
        var frequencies = new long[vocabSize];
        int s = 0;
        foreach (int[] sequence in sequences)
        {
            for (int i = 0; i < sequence.Length; i++)
            {
                if ((uint)sequence[i] >= (uint)vocabSize)
                    throw new ArgumentException($"Sequence {s}, position {i}: id {sequence[i]} is outside [0, {vocabSize}).", nameof(sequences));
                frequencies[sequence[i]]++;
            }
            s++;
        }
        return frequencies;
    }

    /// <summary>Sparse counts: for each token id, context column → count.</summary>
    private static Dictionary<int, long>?[] Count(IEnumerable<int[]> sequences, int[] column, int vocabSize, int window)
    {
        var counts = new Dictionary<int, long>?[vocabSize];
        foreach (int[] sequence in sequences)
        {
            for (int i = 0; i < sequence.Length; i++)
            {
                int lo = Math.Max(0, i - window), hi = Math.Min(sequence.Length - 1, i + window);
                for (int j = lo; j <= hi; j++)
                {
                    int c = j == i ? -1 : column[sequence[j]];
                    if (c < 0) continue;
                    var row = counts[sequence[i]] ??= [];
                    row[c] = row.GetValueOrDefault(c) + 1;
                }
            }
        }
        return counts;
    }

    private static float[] Ppmi(Dictionary<int, long>?[] counts, int vocabSize, int dimension)
    {
        var rowSums = new double[vocabSize];
        var columnSums = new double[dimension];
        double total = 0;
        for (int w = 0; w < vocabSize; w++)
        {
            foreach (var (c, n) in counts[w] ?? [])
            {
                rowSums[w] += n;
                columnSums[c] += n;
                total += n;
            }
        }
        var vectors = new float[checked((long)vocabSize * dimension)];
        for (int w = 0; w < vocabSize; w++)
        {
            if (counts[w] is not { } row) continue;
            var v = vectors.AsSpan((int)((long)w * dimension), dimension);
            double norm = 0;
            foreach (var (c, n) in row)
            {
                double pmi = Math.Log(n * total / (rowSums[w] * columnSums[c]));
                if (pmi <= 0) continue;
                v[c] = (float)pmi;
                norm += pmi * pmi;
            }
            if (norm > 0) Normalize(v, 1 / Math.Sqrt(norm));
        }
        return vectors;
    }

    private static void Normalize(Span<float> v, double scale)
    {
        for (int j = 0; j < v.Length; j++) v[j] = (float)(v[j] * scale);
    }
}
