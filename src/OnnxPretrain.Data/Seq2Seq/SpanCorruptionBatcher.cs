namespace OnnxPretrain.Data;

/// <summary>
/// Batches of T5's span corruption (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
/// Text-to-Text Transformer", §3.1.4 and §3.3.4, the <c>random_spans_noise_mask</c> procedure of its code).
/// <para>For a row of n raw ids: noise = clamp(round-half-even(n × density), 1, n − 1) ids in
/// spans = max(1, round-half-even(noise / mean span length)) spans (capped at the non-noise count); the noise ids and
/// the non-noise ids are each split into that many non-empty segments by a uniformly random segmentation (spans − 1
/// distinct cut points), and the segments are interleaved starting with non-noise: keep₀ noise₀ keep₁ noise₁ …. The
/// source replaces noise span i by sentinel i (<see cref="Seq2SeqSpecialTokens.SentinelIds"/>); the target is
/// sentinel₀ noise₀ sentinel₁ noise₁ …; both end with the end of sequence. So source + target reconstruct the row.</para>
/// <para>Rows are chunks of consecutive non-empty sentences of one document (<see cref="Seq2SeqChunks"/>, sentences
/// concatenated) of at most <see cref="MaxRawLength"/> ids: the longest length whose source fits S and whose target fits
/// L (T5 likewise picks the raw length so the corrupted input fills S). Batch: see <see cref="Seq2SeqBatchBuilder"/>.
/// Determinism: row b of step s draws its chunk and noise mask from <see cref="MaskingRng"/>(seed, s,
/// <see cref="SampleStreamBase"/> + b). Thread-safe.</para>
/// </summary>
public sealed class SpanCorruptionBatcher
{
    /// <summary>First <see cref="MaskingRng"/> stream of the rows (row b uses this + b).</summary>
    public const ulong SampleStreamBase = 0x5435_5350_0000_0000UL;

    private readonly Seq2SeqChunks _chunks;

    /// <summary>Creates the batcher and indexes the corpus's chunks.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Seq2seq special ids; validated here.</param>
    /// <param name="corpus">Tokenised corpus.</param>
    /// <exception cref="ArgumentException">Invalid options or specials, a larger corpus vocabulary, lengths too small
    /// for even 2 raw ids, or a corpus without a chunk of &gt;= 2 ids.</exception>
    public SpanCorruptionBatcher(SpanCorruptionBatcherOptions options, Seq2SeqSpecialTokens specials, ITokenizedCorpus corpus)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(corpus);
        Options = options.Validate();
        Specials = specials.Validate();
        if (corpus.VocabSize > specials.VocabSize)
            throw new ArgumentException($"The corpus's VocabSize {corpus.VocabSize} exceeds Seq2SeqSpecialTokens.VocabSize " +
                $"{specials.VocabSize}.", nameof(corpus));
        MaxRawLength = RawLength(options, specials.SentinelIds.Count);
        _chunks = new Seq2SeqChunks(corpus, MaxRawLength, minSentences: 1, minTokens: 2);
        if (_chunks.Count == 0) throw new ArgumentException("The corpus has no chunk of >= 2 ids for span corruption.", nameof(corpus));
    }

    /// <summary>The validated options.</summary>
    public SpanCorruptionBatcherOptions Options { get; }

    /// <summary>The validated special ids.</summary>
    public Seq2SeqSpecialTokens Specials { get; }

    /// <summary>Most raw ids per row: every length 2 … this fits S and L after corruption.</summary>
    public int MaxRawLength { get; }

    /// <summary>Builds the batch of one step.</summary>
    /// <param name="step">Batch index.</param>
    /// <param name="batchSize">B &gt;= 1.</param>
    /// <returns><c>input_ids</c>, <c>attention_mask</c> (B, S), <c>decoder_input_ids</c>, <c>labels</c> (B, L).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize) => Build(step, batchSize, out _, out _);

    /// <summary>Builds the batch of one step and returns each row's raw ids and example.</summary>
    /// <param name="step">Batch index.</param>
    /// <param name="batchSize">B &gt;= 1.</param>
    /// <param name="raw">The rows' raw ids before corruption.</param>
    /// <param name="examples">The rows' examples.</param>
    /// <returns>The batch.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize, out IReadOnlyList<int[]> raw, out IReadOnlyList<Seq2SeqExample> examples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var rows = new int[batchSize][];
        var made = new Seq2SeqExample[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            var rng = new MaskingRng(Options.Seed, step, SampleStreamBase + (ulong)b);
            rows[b] = [.. _chunks.Sentences(_chunks.Draw(rng)).SelectMany(s => s)];
            made[b] = MakeExample(rows[b], rng);
        }
        raw = rows;
        examples = made;
        return Seq2SeqBatchBuilder.Build(made, Options.MaxSourceLength, Options.MaxTargetLength, Specials);
    }

    /// <summary>The span-corruption example of one row (see the type remarks).</summary>
    /// <param name="tokens">2 … <see cref="MaxRawLength"/> raw ids.</param>
    /// <param name="rng">Draws the segmentation.</param>
    /// <returns>Source and target.</returns>
    /// <exception cref="ArgumentException">A row shorter than 2 or longer than <see cref="MaxRawLength"/>.</exception>
    public Seq2SeqExample MakeExample(IReadOnlyList<int> tokens, MaskingRng rng)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count < 2 || tokens.Count > MaxRawLength)
            throw new ArgumentException($"A span-corruption row has {tokens.Count} ids; expected 2 … MaxRawLength = {MaxRawLength}.", nameof(tokens));
        bool[] noise = RandomSpansNoiseMask(tokens.Count, Options.NoiseDensity, Options.MeanNoiseSpanLength, rng);
        var source = new List<int>();
        var target = new List<int>();
        int span = -1;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (noise[i])
            {
                if (i == 0 || !noise[i - 1])
                {
                    span++;
                    source.Add(Specials.SentinelIds[span]);
                    target.Add(Specials.SentinelIds[span]);
                }
                target.Add(tokens[i]);
            }
            else source.Add(tokens[i]);
        }
        source.Add(Specials.EosId);
        target.Add(Specials.EosId);
        return new Seq2SeqExample([.. source], [.. target]);
    }

    /// <summary>Noise and span counts of a row of <paramref name="length"/> ids (see the type remarks).</summary>
    /// <param name="length">Raw ids, &gt;= 2.</param>
    /// <param name="density">Noise density in (0, 1).</param>
    /// <param name="meanSpanLength">Mean noise-span length, &gt;= 1.</param>
    /// <returns>Noise ids and spans.</returns>
    public static (int Noise, int Spans) Counts(int length, double density, double meanSpanLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        int noise = Math.Clamp((int)Math.Round(length * density, MidpointRounding.ToEven), 1, length - 1);
        int spans = Math.Max(1, (int)Math.Round(noise / meanSpanLength, MidpointRounding.ToEven));
        return (noise, Math.Min(spans, length - noise));
    }

    /// <summary>T5's <c>random_spans_noise_mask</c>: true at the noise positions of a row of <paramref name="length"/> ids.</summary>
    /// <param name="length">Raw ids, &gt;= 2.</param>
    /// <param name="density">Noise density in (0, 1).</param>
    /// <param name="meanSpanLength">Mean noise-span length, &gt;= 1.</param>
    /// <param name="rng">Draws both segmentations (noise first, then non-noise).</param>
    /// <returns>The mask; it starts with non-noise and ends with noise.</returns>
    public static bool[] RandomSpansNoiseMask(int length, double density, double meanSpanLength, MaskingRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        (int noise, int spans) = Counts(length, density, meanSpanLength);
        int[] noiseLengths = RandomSegmentation(noise, spans, rng);
        int[] keepLengths = RandomSegmentation(length - noise, spans, rng);
        var mask = new bool[length];
        int at = 0;
        for (int i = 0; i < spans; i++)
        {
            at += keepLengths[i];
            Array.Fill(mask, true, at, noiseLengths[i]);
            at += noiseLengths[i];
        }
        return mask;
    }

    /// <summary>Splits <paramref name="items"/> into <paramref name="segments"/> non-empty parts uniformly at random
    /// (segments − 1 distinct cut points among the items − 1 gaps).</summary>
    /// <returns>The part lengths, in order; they sum to <paramref name="items"/>.</returns>
    internal static int[] RandomSegmentation(int items, int segments, MaskingRng rng)
    {
        int[] gaps = [.. Enumerable.Range(1, items - 1)];
        for (int i = 0; i < segments - 1; i++) // partial Fisher-Yates: the first segments − 1 gaps are a uniform subset
        {
            int j = i + rng.NextInt(gaps.Length - i);
            (gaps[i], gaps[j]) = (gaps[j], gaps[i]);
        }
        int[] cuts = [.. gaps.Take(segments - 1).Order(), items];
        var lengths = new int[segments];
        for (int i = 0, previous = 0; i < segments; previous = cuts[i], i++) lengths[i] = cuts[i] - previous;
        return lengths;
    }

    private static int RawLength(SpanCorruptionBatcherOptions o, int sentinels)
    {
        int best = 0;
        for (int n = 2; n <= 16 * o.MaxSourceLength; n++)
        {
            (int noise, int spans) = Counts(n, o.NoiseDensity, o.MeanNoiseSpanLength);
            if (n - noise + spans + 1 > o.MaxSourceLength || noise + spans + 1 > o.MaxTargetLength || spans > sentinels) break;
            best = n;
        }
        if (best < 2)
            throw new ArgumentException($"SpanCorruptionBatcherOptions: MaxSourceLength {o.MaxSourceLength} and MaxTargetLength {o.MaxTargetLength} " +
                "cannot hold even a 2-id row after corruption.", nameof(o));
        return best;
    }
}
