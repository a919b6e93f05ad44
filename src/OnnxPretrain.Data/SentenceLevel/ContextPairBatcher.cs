namespace OnnxPretrain.Data;

/// <summary>One drawn context-pair row.</summary>
/// <param name="Kind">Positive, hard negative (same document) or easy negative (another document).</param>
/// <param name="Question">The question sentence (global index).</param>
/// <param name="Candidate">The candidate sentence.</param>
/// <param name="Left">The candidate's previous sentence in its paragraph, skipping the question (−1: none).</param>
/// <param name="Right">The candidate's next sentence in its paragraph, skipping the question (−1: none).</param>
public sealed record ContextPairSample(SentenceLevelExampleKind Kind, int Question, int Candidate, int Left, int Right)
{
    /// <summary>1 for a positive, else 0.</summary>
    public long Label => Kind == SentenceLevelExampleKind.Positive ? 1 : 0;
}

/// <summary>
/// Batches of our context-pair objective (<c>context_pair</c>), a stand-in for the context-aware pre-training of Di
/// Liello, Garg and Moschitti (ACL 2023), whose method text we could not obtain: it mimics contextual AS2 fine-tuning from
/// the corpus structure. Each row draws its kind (positive / hard / easy with the options' fractions), then a question
/// sentence Q uniform in a paragraph with &gt;= 2 non-empty sentences, then a candidate sentence C: positive — another
/// sentence of Q's paragraph; hard negative — a sentence of another paragraph of Q's document (an easy one when there is
/// none); easy negative — a sentence of another document. C's context is its previous and next sentence in its own
/// paragraph, skipping Q (so Q never appears as context). Rows are <c>[CLS] Q [SEP] C [SEP] left right [SEP]</c> with token
/// types 0 / 1 / 2, laid out and truncated by <see cref="ContextRows"/> as contextual fine-tuning is. MLM masks the rows as
/// <see cref="MlmBatcher"/>. Inputs: the
/// MLM inputs plus <c>sentence_labels</c> (B), 1 for positives. Row b of step s depends only on (seed, s, b).
/// </summary>
public sealed class ContextPairBatcher
{
    /// <summary>First <see cref="MaskingRng"/> stream of the row draws (row b uses this + b).</summary>
    public const ulong SampleStreamBase = 0x4354_5850_0000_0000UL;

    private readonly SentenceLevelBatcherOptions _options;
    private readonly ITokenizedCorpus _corpus;
    private readonly SentenceLevelCorpusIndex _index;
    private readonly MlmBatcher _mlm;

    /// <summary>Creates the batcher (the options' task is ignored; fractions, length, seed and masking are used).</summary>
    /// <exception cref="ArgumentException">Invalid options, or no paragraph with 2 non-empty sentences in 2 documents.</exception>
    public ContextPairBatcher(SentenceLevelBatcherOptions options, SpecialTokens specials, ITokenizedCorpus corpus)
    {
        _options = options.Validate();
        if (options.SequenceLength < 7) throw new ArgumentException($"SequenceLength ({options.SequenceLength}) must be >= 7 for the context pairs.");
        (Specials, _corpus) = (specials, corpus);
        _index = new SentenceLevelCorpusIndex(corpus, 2);
        if (_index.EligibleCount == 0 || _index.DocumentsWithEligible < 2)
            throw new ArgumentException($"Context pairs need paragraphs with >= 2 non-empty sentences in >= 2 documents; the corpus has " +
                $"{_index.EligibleCount} in {_index.DocumentsWithEligible} documents.", nameof(corpus));
        _mlm = new MlmBatcher(options.ToMlmOptions(), specials);
    }

    /// <summary>The vocabulary's special ids.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>The rows of one step, without building the batch.</summary>
    public IReadOnlyList<ContextPairSample> Sample(long step, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Enumerable.Range(0, batchSize).Select(b => Draw(new MaskingRng(_options.Seed, step, SampleStreamBase + (ulong)b))).ToArray();
    }

    /// <summary>Builds the batch of one step: rows, MLM inputs, token types 0/1/2 and <c>sentence_labels</c>.</summary>
    public Batch Build(long step, int batchSize, out IReadOnlyList<ContextPairSample> samples)
    {
        samples = Sample(step, batchSize);
        var rows = samples.Select(Assemble).ToList();
        var mlm = _mlm.Build(rows.Select(r => r.Ids).ToList(), step);
        int t = _options.SequenceLength;
        var types = new long[batchSize * t];
        for (int b = 0; b < batchSize; b++)
            for (int i = 0; i < rows[b].Types.Length; i++) types[b * t + i] = rows[b].Types[i];
        var arrays = new Dictionary<string, BatchArray>(mlm.Arrays)
        {
            [BatcherInputNames.TokenTypeIds] = new(types, [batchSize, t]),
            [SentenceLevelInputNames.SentenceLabels] = new(samples.Select(s => s.Label).ToArray(), [batchSize]),
        };
        return new Batch(arrays, mlm.TokenCount);
    }

    /// <summary>The unmasked row of a sample and its token types (<see cref="ContextRows"/>).</summary>
    public (int[] Ids, int[] Types) Assemble(ContextPairSample s)
    {
        int[] Ids(int sentence) => sentence < 0 ? [] : _corpus.GetSentence(sentence).ToArray();
        return ContextRows.Assemble(Ids(s.Question), Ids(s.Candidate), Ids(s.Left), Ids(s.Right), _options.SequenceLength, Specials);
    }

    /// <summary>Draws one row (see the class summary).</summary>
    public ContextPairSample Draw(MaskingRng rng)
    {
        double u = rng.NextDouble();
        var kind = u < _options.PositiveFraction ? SentenceLevelExampleKind.Positive
            : u < _options.PositiveFraction + _options.HardNegativeFraction ? SentenceLevelExampleKind.HardNegative : SentenceLevelExampleKind.EasyNegative;
        int entry = _index.Draw(rng);
        var sentences = _index.UsableSentences(_index.Paragraph(entry));
        int qi = rng.NextInt(sentences.Count), question = sentences[qi];
        if (kind == SentenceLevelExampleKind.Positive)
        {
            int ci = rng.NextInt(sentences.Count - 1);
            if (ci >= qi) ci++;
            return WithContext(kind, question, sentences, ci);
        }
        if (kind == SentenceLevelExampleKind.HardNegative && !_index.HasSibling(entry)) kind = SentenceLevelExampleKind.EasyNegative;
        int other = kind == SentenceLevelExampleKind.HardNegative ? _index.DrawSibling(entry, rng) : _index.DrawOtherDocument(entry, rng);
        var otherSentences = _index.UsableSentences(_index.Paragraph(other));
        return WithContext(kind, question, otherSentences, rng.NextInt(otherSentences.Count));
    }

    private static ContextPairSample WithContext(SentenceLevelExampleKind kind, int question, List<int> sentences, int ci)
    {
        int left = ci - 1, right = ci + 1;
        if (left >= 0 && sentences[left] == question) left--;
        if (right < sentences.Count && sentences[right] == question) right++;
        return new ContextPairSample(kind, question, sentences[ci], left >= 0 ? sentences[left] : -1, right < sentences.Count ? sentences[right] : -1);
    }
}
