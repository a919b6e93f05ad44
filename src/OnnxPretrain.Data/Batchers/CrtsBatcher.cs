namespace OnnxPretrain.Data;

/// <summary>One C-RTS substitution: where it happened and which cluster pair it used.</summary>
/// <param name="FlatPosition">b·T + t, the index into the (B, T) arrays.</param>
/// <param name="SourceCluster">c, the cluster of the original token.</param>
/// <param name="TargetCluster">c', the cluster of the substituted token.</param>
public readonly record struct ClusterSwap(int FlatPosition, int SourceCluster, int TargetCluster);

/// <summary>A C-RTS batch with its substitutions, which <see cref="ClusterCounts.Update(CrtsBatch, ReadOnlySpan{long})"/> needs after the step.</summary>
/// <param name="Batch">The model inputs (as <see cref="RtsBatcher"/>: input_ids, attention_mask, token_type_ids, labels).</param>
/// <param name="Swaps">Every substituted position (label 1; a selected position whose draw equals the original is not a swap), ascending by
/// flat position.</param>
public sealed record CrtsBatch(Batch Batch, IReadOnlyList<ClusterSwap> Swaps);

/// <summary>
/// Cluster-based random token substitution (Di Liello et al. 2021, "Efficient pre-training objectives for Transformers",
/// §3): as <see cref="RtsBatcher"/> (each selectable token selected with p = 0.15, labels 1/0/−100), but the substitute
/// of a token in cluster c comes from a target cluster c' drawn from softmax(β · minmax(counts[c]))
/// (<see cref="ClusterCounts.TargetProbabilities"/>, read when <see cref="Build"/> is called), then uniformly among the
/// replaceable members of c' (<see cref="MaskingVocabulary"/>). If c' has no replaceable member, the substitute is drawn
/// uniformly from all replaceable ids instead, and the swap records the substitute's own cluster as c'.
/// <para>Inputs: <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>, <c>labels</c>, all (B, T) int64, as RTS.
/// After the step, pass the discriminator's (B, T) predictions to <see cref="ClusterCounts.Update(CrtsBatch, ReadOnlySpan{long})"/>.</para>
/// </summary>
public sealed class CrtsBatcher : IBatcher
{
    private readonly CrtsBatcherOptions _options;
    private readonly MaskingVocabulary _vocabulary;
    private readonly MaskingSpec _spec;
    private readonly TokenClusters _clusters;
    private readonly int[][] _replaceableMembers;

    /// <summary>Creates the batcher.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Vocabulary size and special ids.</param>
    /// <param name="clusters">Token clusters over the same vocabulary.</param>
    /// <param name="counts">The run's counts (C × C, C = clusters.ClusterCount); read at every <see cref="Build"/>.</param>
    /// <exception cref="ArgumentException">Invalid options, or vocabulary / cluster counts that do not match (names both values).</exception>
    public CrtsBatcher(CrtsBatcherOptions options, SpecialTokens specials, TokenClusters clusters, ClusterCounts counts)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(counts);
        _options = options.Validate();
        _vocabulary = new MaskingVocabulary(specials);
        if (clusters.VocabSize != specials.VocabSize)
            throw new ArgumentException(
                $"Token clusters cover {clusters.VocabSize} ids but SpecialTokens.VocabSize is {specials.VocabSize}.", nameof(clusters));
        if (counts.ClusterCount != clusters.ClusterCount)
            throw new ArgumentException(
                $"ClusterCounts is {counts.ClusterCount} x {counts.ClusterCount} but there are {clusters.ClusterCount} clusters.", nameof(counts));
        _spec = new MaskingSpec(options.SequenceLength, options.Seed, options.ReplaceProbability, specials);
        _clusters = clusters;
        Counts = counts;
        _replaceableMembers = Enumerable.Range(0, clusters.ClusterCount)
            .Select(c => clusters.Members(c).Where(_vocabulary.IsReplaceable).ToArray()).ToArray();
    }

    /// <summary>The counts the target clusters are drawn from.</summary>
    public ClusterCounts Counts { get; }

    /// <inheritdoc/>
    public int SequenceLength => _options.SequenceLength;

    /// <summary>Builds the batch of one step and records its substitutions.</summary>
    /// <param name="sequences">B ≥ 1 rows, each <c>[CLS] … [SEP]</c>, of length ≤ T, ids in [0, VocabSize).</param>
    /// <param name="step">Batch index; with the seed (and the current counts) it fixes every draw.</param>
    /// <returns>The batch and its swaps.</returns>
    /// <exception cref="ArgumentException">No rows, a row longer than T, or an id outside [0, VocabSize) (names row and position).</exception>
    public CrtsBatch Build(IReadOnlyList<int[]> sequences, long step)
    {
        var cumulative = new double[_clusters.ClusterCount][];
        var swaps = new List<ClusterSwap>();
        var arrays = MaskingCore.Substitution(sequences, step, _spec, (flat, original, rng) =>
        {
            int source = _clusters.ClusterOf(original);
            double[] cdf = cumulative[source] ??= Cumulative(Counts.TargetProbabilities(source, _options.Beta));
            int[] members = _replaceableMembers[SampleIndex(cdf, rng.NextDouble())];
            int id = members.Length > 0 ? members[rng.NextInt(members.Length)] : _vocabulary.SampleReplaceable(rng);
            if (id != original) swaps.Add(new ClusterSwap(flat, source, _clusters.ClusterOf(id)));   // a draw of the original is no swap (label 0)
            return id;
        }, out long tokens);
        return new CrtsBatch(new Batch(arrays, tokens), swaps);
    }

    Batch IBatcher.Build(IReadOnlyList<int[]> sequences, long step) => Build(sequences, step).Batch;

    private static double[] Cumulative(double[] p)
    {
        var cdf = new double[p.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) cdf[i] = sum += p[i];
        return cdf;
    }

    /// <summary>The first index whose cumulative probability exceeds u (the last one if rounding leaves none).</summary>
    private static int SampleIndex(double[] cdf, double u)
    {
        int lo = 0, hi = cdf.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}

/// <summary>
/// Options of <see cref="CrtsBatcher"/>: cluster-based random token substitution (Di Liello et al. 2021, "Efficient
/// pre-training objectives for Transformers", §3).
/// </summary>
public sealed record CrtsBatcherOptions
{
    /// <summary>T, tokens per row; &gt;= 2. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Probability that each selectable token is substituted; in (0, 1]. Default 0.15.</summary>
    public double ReplaceProbability { get; init; } = MaskingDefaults.SelectionProbability;

    /// <summary>β, the inverse temperature of softmax(β · minmax(counts[c])) over target clusters; finite, &gt;= 0
    /// (0 = uniform target cluster). Default 2.0.</summary>
    public double Beta { get; init; } = 2.0;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public CrtsBatcherOptions Validate()
    {
        const string type = nameof(CrtsBatcherOptions);
        BatcherValidation.SequenceLength(type, SequenceLength);
        BatcherValidation.Probability(type, nameof(ReplaceProbability), ReplaceProbability);
        if (!(Beta >= 0) || double.IsInfinity(Beta))
            throw BatcherValidation.Invalid(type, nameof(Beta), Beta, "must be a finite number >= 0");
        return this;
    }
}
