using System.Diagnostics;
using System.Numerics.Tensors;

namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>
/// Dense retrieval (Karpukhin et al. 2020, "Dense Passage Retrieval"): the corpus (<c>title + " " + text</c>) is
/// embedded once by a <see cref="BiEncoder"/> into an (N, H) matrix; a query is embedded the same way (after the model's query
/// prefix, if any) and the exact
/// top k by inner product (cosine when the encoder normalises) is found by scanning every row with
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
/// </summary>
internal sealed class DenseRetriever : IRetriever
{
    private readonly BiEncoder _encoder;
    private readonly string[] _ids;
    private readonly float[] _matrix;
    private readonly int _dim;

    /// <summary>Seconds spent embedding the corpus.</summary>
    public double CorpusSeconds { get; }

    /// <summary>Embeds the corpus with <paramref name="encoder"/> (which this retriever then owns).</summary>
    /// <exception cref="ArgumentException">The corpus is empty.</exception>
    public DenseRetriever(BiEncoder encoder, IReadOnlyList<BeirDocument> corpus)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(corpus);
        if (corpus.Count == 0) throw new ArgumentException("Cannot index an empty corpus.", nameof(corpus));
        _encoder = encoder;
        _ids = corpus.Select(d => d.Id).ToArray();
        var clock = Stopwatch.StartNew();
        _matrix = encoder.Encode(corpus.Select(d => d.Contents).ToList(), out _dim);
        CorpusSeconds = clock.Elapsed.TotalSeconds;
    }

    /// <inheritdoc />
    public IReadOnlyList<ScoredDoc> Search(string query, int k)
    {
        ArgumentNullException.ThrowIfNull(query);
        var q = _encoder.EncodeQueries([query], out _);
        return TopK(_matrix, _dim, q, k).Select(x => new ScoredDoc(_ids[x.Index], x.Score)).ToList();
    }

    /// <summary>
    /// Exact top k rows of a row-major (N, H) <paramref name="matrix"/> by inner product with <paramref name="query"/>
    /// (H floats), best first; equal scores keep the lower row index first. O(N·H + N log k) with a size-k min-heap.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix length is not a multiple of H or the query is not H long.</exception>
    public static IReadOnlyList<(int Index, float Score)> TopK(ReadOnlySpan<float> matrix, int dim, ReadOnlySpan<float> query, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (matrix.Length % dim != 0
            || query.Length != dim) throw new ArgumentException($"Matrix of {matrix.Length} floats and query of {query.Length} do not fit dimension {dim}.");
        int n = matrix.Length / dim;
        // Min-heap on (score, -index): the root is the weakest kept row (lowest score, then highest index).
        var heap = new PriorityQueue<int, (float Score, int NegIndex)>(k + 1);
        for (int i = 0; i < n; i++)
        {
            float s = TensorPrimitives.Dot(matrix.Slice(i * dim, dim), query);
            if (heap.Count < k) heap.Enqueue(i, (s, -i));
            else if (heap.TryPeek(out _, out var worst) && (s, -i).CompareTo(worst) > 0) heap.EnqueueDequeue(i, (s, -i));
        }
        var result = new (int Index, float Score)[heap.Count];
        for (int j = result.Length - 1; j >= 0; j--)
        {
            heap.TryDequeue(out int index, out var p);
            result[j] = (index, p.Score);
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _encoder.Dispose();
}
