namespace OnnxPretrain.Data;

/// <summary>
/// Batches of the sentence-level objectives of Di Liello et al. 2022, "Pre-training Transformer Models with
/// Sentence-Level Objectives for Answer Sentence Selection" (EMNLP 2022, §3), jointly with BERT's masked LM: each row is
/// a pair <c>[CLS] A [SEP] B [SEP]</c> drawn from an <see cref="ITokenizedCorpus"/>, labelled 1 (positive) or 0.
/// <list type="bullet">
/// <item><b>SSP</b> (spans in same paragraph): A and B are disjoint spans of 1-3 consecutive sentences. Positive: both
/// from one paragraph, at a uniform placement (either order). Negative: B is a 1-3-sentence span of another paragraph
/// of A's document (hard) or of another document (easy).</item>
/// <item><b>SP</b> (span in paragraph): A is a span of 1-3 consecutive sentences of paragraph P. Positive: B is P with A
/// removed (the sentences before A, then those after it). Negative: B is another whole paragraph of P's document (hard)
/// or of another document (easy).</item>
/// <item><b>PSD</b> (paragraphs in same document): A and B are whole paragraphs. Positive: two different paragraphs of
/// one document. Negative: paragraphs of two different documents (always easy; the hard share is drawn as easy).</item>
/// </list>
/// <para>Sampling. Each row first draws its kind (positive / hard / easy with the options' fractions, defaults 50% /
/// 25% / 25%), then A's paragraph uniformly among the <i>eligible</i> paragraphs, then the spans. Empty sentences are
/// skipped everywhere (as in <see cref="SequencePacker"/>), and units that do not fit are resampled: draws are uniform
/// over the units that fit, which is exactly rejection sampling (implemented without a loop). Eligible paragraphs have
/// &gt;= 2 non-empty sentences for SSP and SP (room for two disjoint spans; B non-empty once A is removed) and &gt;= 1
/// for PSD; a PSD positive's A is drawn among eligible paragraphs whose document has another one. Span lengths are
/// uniform in [1, 3], capped so the spans fit: A's at min(3, n − 1) of its paragraph's n sentences for every kind, an
/// SSP positive's B at min(3, n − |A|), a negative's B at min(3, its paragraph's count). Fallback: a hard negative whose
/// document has no other eligible paragraph (e.g. a one-paragraph document) becomes an easy negative
/// (<see cref="SentenceLevelSample.FellBackToEasy"/>), so on such corpora the realised hard share is below
/// <see cref="SentenceLevelBatcherOptions.HardNegativeFraction"/>.</para>
/// <para>Truncation: A and B are cut to fit T − 3 ids longest-first as Hugging Face's <c>truncation="longest_first"</c>
/// (ids dropped from the end of the longer segment until both are equal, then alternately, B first), which always keeps
/// at least one id of each (T &gt;= 5).</para>
/// <para>Inputs (B rows, T = <see cref="SentenceLevelBatcherOptions.SequenceLength"/>): <c>input_ids</c>,
/// <c>attention_mask</c>, <c>token_type_ids</c> (B, T) int64 (types 0 for <c>[CLS] A [SEP]</c>, 1 for <c>B [SEP]</c>,
/// 0 at padding); <c>masked_lm_positions</c>, <c>masked_lm_labels</c> (M) int64 exactly as <see cref="MlmBatcher"/>
/// emits them for these rows (which it builds; selection never touches [CLS], [SEP] or [PAD]); and
/// <c>sentence_labels</c> (B) int64, 1 positive and 0 negative.</para>
/// <para>Determinism: row b of step s is drawn from <see cref="MaskingRng"/> (seed, s, <see cref="SampleStreamBase"/> + b)
/// and masked from stream b as in <see cref="MlmBatcher"/>, so the same (seed, step) gives an identical batch, and a row
/// does not depend on the batch size. Thread-safe.</para>
/// </summary>
public sealed class SentenceLevelBatcher
{
    /// <summary>First <see cref="MaskingRng"/> stream of the pair draws (row b uses this + b), far from the masking streams 0 … B − 1.</summary>
    public const ulong SampleStreamBase = 0x5345_4E54_0000_0000UL;

    private readonly ITokenizedCorpus _corpus;
    private readonly SentenceLevelSampler _sampler;
    private readonly MlmBatcher _mlm;

    /// <summary>Creates the batcher and indexes the corpus's eligible paragraphs (one pass over its sentence index).</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Vocabulary size and special ids; VocabSize must be &gt;= the corpus's.</param>
    /// <param name="corpus">Tokenised corpus (documents → paragraphs → sentences, ids without specials).</param>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    /// <exception cref="ArgumentException">Invalid options or special tokens (names the field and value), a corpus
    /// vocabulary larger than the specials', or a corpus that cannot give the task's examples: no eligible paragraph,
    /// negatives wanted but eligible paragraphs in fewer than 2 documents, or PSD positives wanted but no document with
    /// 2 eligible paragraphs.</exception>
    public SentenceLevelBatcher(SentenceLevelBatcherOptions options, SpecialTokens specials, ITokenizedCorpus corpus)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(corpus);
        Options = options.Validate();
        _mlm = new MlmBatcher(options.ToMlmOptions(), specials);
        if (corpus.VocabSize > specials.VocabSize)
            throw new ArgumentException(
                $"The corpus's VocabSize {corpus.VocabSize} exceeds SpecialTokens.VocabSize {specials.VocabSize}.", nameof(corpus));
        Specials = specials;
        _corpus = corpus;
        _sampler = new SentenceLevelSampler(options, corpus);
    }

    /// <summary>The validated options.</summary>
    public SentenceLevelBatcherOptions Options { get; }

    /// <summary>The vocabulary's special ids.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>T, tokens per row of every (B, T) array.</summary>
    public int SequenceLength => Options.SequenceLength;

    /// <summary>Builds the batch of one step: B sampled pairs, masked for MLM.</summary>
    /// <param name="step">Batch index; with the seed it fixes every draw.</param>
    /// <param name="batchSize">B, rows, &gt;= 1.</param>
    /// <returns><c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (B, T), <c>masked_lm_positions</c>,
    /// <c>masked_lm_labels</c> (M) and <c>sentence_labels</c> (B), all int64.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize) => Build(step, batchSize, out _);

    /// <summary>Builds the batch of one step and returns what was sampled for each row.</summary>
    /// <param name="step">Batch index; with the seed it fixes every draw.</param>
    /// <param name="batchSize">B, rows, &gt;= 1.</param>
    /// <param name="samples">The B samples, row order (equal to <see cref="Sample"/>'s).</param>
    /// <returns>The batch, as <see cref="Build(long, int)"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize, out IReadOnlyList<SentenceLevelSample> samples)
    {
        samples = Sample(step, batchSize);
        var rows = samples.Select(Assemble).ToList();
        Batch mlm = _mlm.Build(rows, step);
        int t = SequenceLength;
        var types = new long[rows.Count * t];
        var labels = new long[rows.Count];
        for (int b = 0; b < rows.Count; b++)
        {
            int startB = samples[b].A.KeptTokenCount + 2;
            Array.Fill(types, 1L, b * t + startB, rows[b].Length - startB);
            labels[b] = samples[b].Label;
        }
        var arrays = new Dictionary<string, BatchArray>(mlm.Arrays)
        {
            [BatcherInputNames.TokenTypeIds] = new(types, [rows.Count, t]),
            [SentenceLevelInputNames.SentenceLabels] = new(labels, [rows.Count]),
        };
        return new Batch(arrays, mlm.TokenCount);
    }

    /// <summary>The pairs of one step, without building the batch; row b depends only on (seed, step, b).</summary>
    /// <param name="step">Batch index.</param>
    /// <param name="batchSize">B, rows, &gt;= 1.</param>
    /// <returns>The B samples in row order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public IReadOnlyList<SentenceLevelSample> Sample(long step, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var samples = new SentenceLevelSample[batchSize];
        for (int b = 0; b < batchSize; b++)
            samples[b] = _sampler.Draw(new MaskingRng(Options.Seed, step, SampleStreamBase + (ulong)b));
        return samples;
    }

    /// <summary>The unmasked row of a sample: <c>[CLS] A[..kept] [SEP] B[..kept] [SEP]</c>, length ≤ T.</summary>
    /// <param name="sample">A sample of this batcher's corpus.</param>
    /// <returns>The token ids of the row before masking and padding.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sample"/> is null.</exception>
    public int[] Assemble(SentenceLevelSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var row = new int[sample.A.KeptTokenCount + sample.B.KeptTokenCount + 3];
        row[0] = Specials.ClsId;
        int at = Copy(sample.A, row, 1);
        row[at++] = Specials.SepId;
        at = Copy(sample.B, row, at);
        row[at] = Specials.SepId;
        return row;
    }

    /// <summary>
    /// Longest-first pair truncation as Hugging Face's <c>truncate_sequences(..., "longest_first")</c>: to drop
    /// r = a + b − budget ids, first min(r, |a − b|) from the longer, then the rest split evenly with B taking the odd
    /// one. With a, b &gt;= 1 and budget &gt;= 2 both keep at least one id.
    /// </summary>
    /// <returns>Ids kept of A and of B (prefixes).</returns>
    internal static (int KeepA, int KeepB) TruncateLongestFirst(int a, int b, int budget)
    {
        int remove = a + b - budget;
        if (remove <= 0) return (a, b);
        int first = Math.Min(Math.Abs(a - b), remove), second = remove - first;
        return a > b
            ? (a - first - second / 2, b - (second - second / 2))
            : (a - second / 2, b - first - (second - second / 2));
    }

    private int Copy(SentenceLevelSegment segment, int[] row, int at)
    {
        int left = segment.KeptTokenCount;
        foreach (int s in segment.Sentences)
        {
            if (left == 0) break;
            ReadOnlySpan<int> ids = _corpus.GetSentence(s);
            int n = Math.Min(left, ids.Length);
            ids[..n].CopyTo(row.AsSpan(at));
            at += n;
            left -= n;
        }
        return at;
    }
}
