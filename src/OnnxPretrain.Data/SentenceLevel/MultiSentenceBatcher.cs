namespace OnnxPretrain.Data;

/// <summary>Options of <see cref="MultiSentenceBatcher"/>.</summary>
public sealed record MultiSentenceBatcherOptions
{
    /// <summary>k, candidates per row (5).</summary>
    public int Candidates { get; init; } = 5;

    /// <summary>S, tokens per segment (64); T = (k + 1)·S.</summary>
    public int SegmentLength { get; init; } = 64;

    /// <summary>Most hard negatives per row (2).</summary>
    public int HardNegatives { get; init; } = 2;

    /// <summary>Seed of the draws and the masking.</summary>
    public long Seed { get; init; }

    /// <summary>MLM selection probability (0.15).</summary>
    public float MaskProbability { get; init; } = 0.15f;

    /// <summary>Selected tokens replaced by [MASK] (0.8).</summary>
    public float MaskTokenFraction { get; init; } = 0.8f;

    /// <summary>Selected tokens replaced by a random token (0.1).</summary>
    public float RandomTokenFraction { get; init; } = 0.1f;

    /// <summary>Checks the options; messages name the field and value.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public MultiSentenceBatcherOptions Validate()
    {
        if (Candidates is < 2 or > 32) throw new ArgumentException($"Candidates ({Candidates}) must be in [2, 32] (one positive and >= 1 negative).");
        if (SegmentLength < 3) throw new ArgumentException($"SegmentLength ({SegmentLength}) must be >= 3.");
        if (HardNegatives < 0 || HardNegatives > Candidates - 1)
            throw new ArgumentException($"HardNegatives ({HardNegatives}) must be in [0, Candidates - 1 = {Candidates - 1}].");
        return this;
    }
}

/// <summary>One drawn MSPP row: the premise's sentences and each candidate's (shuffled), with labels and whether a negative is hard.</summary>
/// <param name="Document">The premise's document.</param>
/// <param name="Premise">The premise's sentence (global index).</param>
/// <param name="Candidates">Each candidate's sentences, row order.</param>
/// <param name="Labels">1 for the positive, 0 for negatives.</param>
/// <param name="Hard">Whether each candidate is a hard negative.</param>
public sealed record MultiSentenceSample(int Document, int[] Premise, IReadOnlyList<int[]> Candidates, long[] Labels, bool[] Hard);

/// <summary>
/// Batches of multi-sentence paragraph pre-training (MSPP; Di Liello et al., NAACL 2022, as the authors' public code builds
/// them), jointly with MLM. Each row draws a paragraph with &gt;= 2 non-empty sentences (uniform over such paragraphs), then:
/// <list type="bullet">
/// <item><b>premise</b> (the "question"): one sentence at a uniform position p among the first n − 1;</item>
/// <item><b>positive</b>: a span of 1-2 consecutive sentences (uniform length, capped by the room) at a uniform start after p in the same paragraph;</item>
/// <item><b>hard negatives</b> (up to <see cref="MultiSentenceBatcherOptions.HardNegatives"/>), drawn without replacement
/// from the pool {a 1-2-sentence span before p in the paragraph, when p &gt; 0} ∪ {every other eligible paragraph of the
/// document, a uniform 1-2-sentence span of it};</item>
/// <item><b>easy negatives</b>: 1-2-sentence spans of uniform paragraphs of other documents, up to k − 1 negatives in all.</item>
/// </list>
/// The k candidates are shuffled with their labels (1 positive, 0 negative) and laid out by <see cref="JointRows"/>; MLM
/// masks the whole row as <see cref="MlmBatcher"/> (never [CLS], [SEP] or [PAD]). Differences from the authors' code:
/// their character filters (sentence &gt;= 20, paragraph &gt;= 60, document &gt;= 200 characters) are not applied, as our shards
/// keep ids only (empty sentences are skipped, as everywhere); hard spans from other paragraphs are a uniform span, not
/// their consecutive chunks; easy negatives come from the whole corpus, not the same 20,000-document map batch.
/// <para>Inputs: <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (B, T), <c>candidate_labels</c> (B, k),
/// <c>masked_lm_positions</c>, <c>masked_lm_labels</c> (M). Row b of step s depends only on (seed, s, b). Thread-safe.</para>
/// </summary>
public sealed class MultiSentenceBatcher
{
    /// <summary>First <see cref="MaskingRng"/> stream of the row draws (row b uses this + b), far from the masking streams.</summary>
    public const ulong SampleStreamBase = 0x4D53_5050_0000_0000UL;

    private readonly ITokenizedCorpus _corpus;
    private readonly SentenceLevelCorpusIndex _index;
    private readonly MlmBatcher _mlm;

    /// <summary>Creates the batcher and indexes the corpus's paragraphs.</summary>
    /// <exception cref="ArgumentException">Invalid options, or a corpus without a paragraph of 2 non-empty sentences or
    /// with such paragraphs in fewer than 2 documents (no easy negatives).</exception>
    public MultiSentenceBatcher(MultiSentenceBatcherOptions options, SpecialTokens specials, ITokenizedCorpus corpus)
    {
        Options = options.Validate();
        Specials = specials;
        _corpus = corpus;
        _index = new SentenceLevelCorpusIndex(corpus, 2);
        if (_index.EligibleCount == 0 || _index.DocumentsWithEligible < 2)
            throw new ArgumentException($"MSPP needs paragraphs with >= 2 non-empty sentences in >= 2 documents; the corpus has " +
                $"{_index.EligibleCount} such paragraphs in {_index.DocumentsWithEligible} documents.", nameof(corpus));
        _mlm = new MlmBatcher(new MlmBatcherOptions
        {
            SequenceLength = (options.Candidates + 1) * options.SegmentLength, Seed = options.Seed, MaskProbability = options.MaskProbability,
            MaskTokenFraction = options.MaskTokenFraction, RandomTokenFraction = options.RandomTokenFraction,
        }, specials);
    }

    /// <summary>The validated options.</summary>
    public MultiSentenceBatcherOptions Options { get; }

    /// <summary>The vocabulary's special ids.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>Builds the batch of one step.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize) => Build(step, batchSize, out _);

    /// <summary>Builds the batch of one step and returns the samples (row order).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize, out IReadOnlyList<MultiSentenceSample> samples)
    {
        var drawn = Sample(step, batchSize);
        samples = drawn;
        var rows = drawn.Select(s => JointRows.Ids([Tokens(s.Premise), .. s.Candidates.Select(Tokens)], Options.SegmentLength, Specials)).ToList();
        var mlm = _mlm.Build(rows, step);
        int t = rows[0].Length;
        var types = new long[batchSize * t];
        var mask = new long[batchSize * t];
        for (int b = 0; b < batchSize; b++) JointRows.TypesAndMask(rows[b], Options.SegmentLength, Specials.PadId, b, types, mask);
        var arrays = new Dictionary<string, BatchArray>(mlm.Arrays)
        {
            [BatcherInputNames.TokenTypeIds] = new(types, [batchSize, t]), [BatcherInputNames.AttentionMask] = new(mask, [batchSize, t]),
            [MultiSentenceInputNames.CandidateLabels] = new(drawn.SelectMany(s => s.Labels).ToArray(), [batchSize, Options.Candidates]),
        };
        return new Batch(arrays, mask.Sum());
    }

    /// <summary>The rows of one step without building the batch; row b depends only on (seed, step, b).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public IReadOnlyList<MultiSentenceSample> Sample(long step, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Enumerable.Range(0, batchSize).Select(b => Draw(new MaskingRng(Options.Seed, step, SampleStreamBase + (ulong)b))).ToArray();
    }

    /// <summary>Draws one row (see the class summary).</summary>
    public MultiSentenceSample Draw(MaskingRng rng)
    {
        int entry = _index.Draw(rng);
        var sentences = _index.UsableSentences(_index.Paragraph(entry));
        int n = sentences.Count, p = rng.NextInt(n - 1);
        int positiveLength = 1 + rng.NextInt(Math.Min(2, n - 1 - p));
        int positiveStart = p + 1 + rng.NextInt(n - p - positiveLength);
        var candidates = new List<(int[] Span, long Label, bool Hard)> { (sentences.GetRange(positiveStart, positiveLength).ToArray(), 1, false) };
        foreach (var span in HardNegatives(entry, sentences, p, rng)) candidates.Add((span, 0, true));
        while (candidates.Count < Options.Candidates)
        {
            var other = _index.UsableSentences(_index.Paragraph(_index.DrawOtherDocument(entry, rng)));
            candidates.Add((RandomSpan(other, rng), 0, false));
        }
        var order = Enumerable.Range(0, candidates.Count).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return new MultiSentenceSample(_index.Document(entry), [sentences[p]], order.Select(i => candidates[i].Span).ToList(),
            order.Select(i => candidates[i].Label).ToArray(), order.Select(i => candidates[i].Hard).ToArray());
    }

    private List<int[]> HardNegatives(int entry, List<int> sentences, int p, MaskingRng rng)
    {
        var pool = new List<int>();                                    // -1: the span before the premise; else a sibling entry
        if (p > 0) pool.Add(-1);
        for (int e = _index.FirstOfDocument(entry); e < _index.EndOfDocument(entry); e++)
            if (e != entry) pool.Add(e);
        var spans = new List<int[]>();
        for (int i = 0; i < Math.Min(Options.HardNegatives, pool.Count); i++)
        {
            int pick = i + rng.NextInt(pool.Count - i);
            (pool[i], pool[pick]) = (pool[pick], pool[i]);
            spans.Add(pool[i] < 0 ? RandomSpan(sentences.GetRange(0, p), rng) : RandomSpan(_index.UsableSentences(_index.Paragraph(pool[i])), rng));
        }
        return spans;
    }

    /// <summary>A span of 1-2 consecutive sentences (uniform length capped by the count, uniform start).</summary>
    private static int[] RandomSpan(List<int> sentences, MaskingRng rng)
    {
        int length = 1 + rng.NextInt(Math.Min(2, sentences.Count));
        return sentences.GetRange(rng.NextInt(sentences.Count - length + 1), length).ToArray();
    }

    /// <summary>The ids of a span's sentences, concatenated.</summary>
    public int[] Tokens(int[] span)
    {
        var ids = new List<int>();
        foreach (int s in span) ids.AddRange(_corpus.GetSentence(s).ToArray());
        return [.. ids];
    }
}
