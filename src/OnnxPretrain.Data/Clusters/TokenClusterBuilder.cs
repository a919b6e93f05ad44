namespace OnnxPretrain.Data;

/// <summary>
/// Builds the <see cref="TokenClusters"/> of C-RTS (Di Liello et al. 2021, "Efficient pre-training objectives for
/// Transformers", §3) with <see cref="KMeans"/>, from either a word-embedding matrix or co-occurrence vectors.
/// </summary>
public static class TokenClusterBuilder
{
    /// <summary>Clusters every row of a (V, D) word-embedding matrix into K clusters.</summary>
    /// <param name="embeddings">(V, D) row-major, e.g. a checkpoint's <c>electra.embeddings.word_embeddings.weight</c>.</param>
    /// <param name="vocabSize">V ≥ K.</param>
    /// <param name="dimension">D ≥ 1.</param>
    /// <param name="options">k-means options (K = <see cref="KMeansOptions.Clusters"/>).</param>
    /// <returns>The clusters (V ids, K clusters).</returns>
    /// <exception cref="ArgumentException">Shapes that do not match, V &lt; K, non-finite values or bad options.</exception>
    public static TokenClusters FromEmbeddings(float[] embeddings, int vocabSize, int dimension, KMeansOptions options)
    {
        var result = KMeans.Fit(embeddings, vocabSize, dimension, options);
        return new TokenClusters(result.Assignments, options.Clusters);
    }

    /// <summary>
    /// Clusters co-occurrence vectors into K clusters. Ids without a vector (<see cref="CooccurrenceFeatures.IsSeen"/>
    /// false: never in the corpus, or never next to a context above chance) cannot be placed by similarity, so they
    /// all go to a dedicated last cluster K − 1 and k-means splits the seen ids into the other K − 1 clusters. When
    /// every id is seen, k-means uses all K clusters.
    /// </summary>
    /// <param name="features">Vectors from <see cref="Cooccurrence.Build"/>.</param>
    /// <param name="options">k-means options (K = <see cref="KMeansOptions.Clusters"/>).</param>
    /// <returns>The clusters (V ids, K clusters).</returns>
    /// <exception cref="ArgumentException">Bad options, no seen id, K &lt; 2 while some ids are unseen, or fewer seen
    /// ids than clusters to fill.</exception>
    public static TokenClusters FromCooccurrence(CooccurrenceFeatures features, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int[] seen = Enumerable.Range(0, features.VocabSize).Where(features.IsSeen).ToArray();
        if (seen.Length == 0) throw new ArgumentException("No token has a co-occurrence vector: the corpus is empty or too small.", nameof(features));
        bool dedicated = seen.Length < features.VocabSize;
        int k = dedicated ? options.Clusters - 1 : options.Clusters;
        if (k < 1)
            throw new ArgumentException($"KMeansOptions.Clusters must be >= 2 when some ids are unseen (one cluster holds them), got " +
                $"{options.Clusters}.", nameof(options));
        if (seen.Length < k)
            throw new ArgumentException($"Only {seen.Length} ids have vectors, fewer than the {k} clusters to fill.", nameof(features));
        int d = features.Dimension;
        var points = new float[(long)seen.Length * d];
        for (int i = 0; i < seen.Length; i++)
            features.Vectors.AsSpan((int)((long)seen[i] * d), d).CopyTo(points.AsSpan(i * d, d));
        var result = KMeans.Fit(points, seen.Length, d, options with { Clusters = k });
        var assignment = new int[features.VocabSize];
        Array.Fill(assignment, options.Clusters - 1);
        for (int i = 0; i < seen.Length; i++) assignment[seen[i]] = result.Assignments[i];
        return new TokenClusters(assignment, options.Clusters);
    }
}
