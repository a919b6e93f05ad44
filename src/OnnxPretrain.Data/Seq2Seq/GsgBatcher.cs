namespace OnnxPretrain.Data;

/// <summary>One gap-sentence example and what was drawn for it.</summary>
/// <param name="Example">Source and target ids.</param>
/// <param name="Selected">Indices of the selected (gap) sentences within the chunk, ascending.</param>
/// <param name="Masked">Per selected sentence (same order): true when it became [MASK1] in the source, false when left unchanged.</param>
public sealed record GsgExample(Seq2SeqExample Example, IReadOnlyList<int> Selected, IReadOnlyList<bool> Masked);

/// <summary>
/// Batches of PEGASUS gap-sentence generation (Zhang et al. 2020, "PEGASUS: Pre-training with Extracted Gap-sentences
/// for Abstractive Summarization", §3.1, the "Ind-Orig" strategy).
/// <para>Each row is a chunk of consecutive non-empty sentences of one document that fits in S − 1 ids (see
/// <see cref="Seq2SeqChunks"/>; chunks need &gt;= 2 sentences), drawn uniformly. Each sentence is scored independently by
/// ROUGE-1 F1 of its words against the words of all the other sentences of the chunk (<see cref="RougeWords"/>:
/// <c>rouge-score</c>'s tokenisation of the decoded text, so punctuation is not a word; clipped counts); the m = max(1,
/// round-half-even(ratio × n)) best-scored sentences are selected (ties: the earlier
/// sentence first). In the source each selected sentence is replaced by one [MASK1] with probability
/// <see cref="GsgBatcherOptions.SentenceMaskProbability"/> (0.9) and left unchanged otherwise; the target is the selected
/// sentences concatenated in document order. Both end with the end-of-sequence id; a target longer than L is cut to its
/// first L − 1 ids plus the end of sequence.</para>
/// <para>Optional encoder MLM (<see cref="GsgBatcherOptions.MaskedLm"/>): after GSG, each source id that is not special
/// (<see cref="Seq2SeqSpecialTokens.IsSpecial"/>) is selected with probability 0.15 and becomes [MASK2] (80%), a random
/// replaceable id (10%) or stays (10%); <c>masked_lm_positions</c> / <c>masked_lm_labels</c> (M) int64 follow
/// <see cref="MlmBatcher"/>'s layout over the (B, S) source (flattened b·S + t; one dummy slot with label −100 when nothing
/// is selected).</para>
/// <para>Batch: see <see cref="Seq2SeqBatchBuilder"/>. Determinism: row b of step s draws its chunk, selection masks and
/// (when on) its MLM from <see cref="MaskingRng"/>(seed, s, <see cref="SampleStreamBase"/> + b), so a row depends only on
/// (seed, step, b). Thread-safe.</para>
/// </summary>
public sealed class GsgBatcher
{
    /// <summary>First <see cref="MaskingRng"/> stream of the rows (row b uses this + b).</summary>
    public const ulong SampleStreamBase = 0x4753_4700_0000_0000UL;

    private readonly Seq2SeqChunks _chunks;
    private readonly RougeWords _words;
    private readonly MaskingVocabulary? _mlmVocabulary;

    /// <summary>Creates the batcher and indexes the corpus's chunks.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Seq2seq special ids; validated here; VocabSize must be &gt;= the corpus's.</param>
    /// <param name="corpus">Tokenised corpus (documents → paragraphs → sentences, ids without specials).</param>
    /// <param name="words">Words of a sentence for the scores (<see cref="RougeWords.FromTokenizer"/>).</param>
    /// <param name="mlmVocabulary">Ids for MLM's random replacements; required when <see cref="GsgBatcherOptions.MaskedLm"/> is on.</param>
    /// <exception cref="ArgumentException">Invalid options or specials, a larger corpus vocabulary, MLM without a vocabulary,
    /// or no chunk with 2 sentences.</exception>
    public GsgBatcher(GsgBatcherOptions options, Seq2SeqSpecialTokens specials, ITokenizedCorpus corpus, RougeWords words,
        MaskingVocabulary? mlmVocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(words);
        Options = options.Validate();
        Specials = specials.Validate();
        if (corpus.VocabSize > specials.VocabSize)
            throw new ArgumentException($"The corpus's VocabSize {corpus.VocabSize} exceeds Seq2SeqSpecialTokens.VocabSize " +
                $"{specials.VocabSize}.", nameof(corpus));
        if (options.MaskedLm && mlmVocabulary is null)
            throw new ArgumentException("GsgBatcherOptions.MaskedLm is on but no MaskingVocabulary was given for the random replacements.",
                nameof(mlmVocabulary));
        _words = words;
        _mlmVocabulary = mlmVocabulary;
        _chunks = new Seq2SeqChunks(corpus, options.MaxSourceLength - 1, minSentences: 2, minTokens: 2);
        if (_chunks.Count == 0)
            throw new ArgumentException("The corpus has no document with 2 non-empty sentences that fit the source length; GSG needs them.", nameof(corpus));
    }

    /// <summary>The validated options.</summary>
    public GsgBatcherOptions Options { get; }

    /// <summary>The validated special ids.</summary>
    public Seq2SeqSpecialTokens Specials { get; }

    /// <summary>Number of chunks rows are drawn from.</summary>
    public int ChunkCount => _chunks.Count;

    /// <summary>Builds the batch of one step.</summary>
    /// <param name="step">Batch index; with the seed it fixes every draw.</param>
    /// <param name="batchSize">B &gt;= 1.</param>
    /// <returns><c>input_ids</c>, <c>attention_mask</c> (B, S), <c>decoder_input_ids</c>, <c>labels</c> (B, L), plus the MLM arrays when on.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize) => Build(step, batchSize, out _);

    /// <summary>Builds the batch of one step and returns the rows' examples.</summary>
    /// <param name="step">Batch index.</param>
    /// <param name="batchSize">B &gt;= 1.</param>
    /// <param name="examples">The B examples in row order (sources before MLM).</param>
    /// <returns>The batch, as <see cref="Build(long, int)"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1.</exception>
    public Batch Build(long step, int batchSize, out IReadOnlyList<GsgExample> examples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var rows = new GsgExample[batchSize];
        var rngs = new MaskingRng[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            rngs[b] = new MaskingRng(Options.Seed, step, SampleStreamBase + (ulong)b);
            rows[b] = MakeExample(_chunks.Sentences(_chunks.Draw(rngs[b])), rngs[b]);
        }
        examples = rows;
        Batch batch = Seq2SeqBatchBuilder.Build([.. rows.Select(r => r.Example)], Options.MaxSourceLength, Options.MaxTargetLength, Specials);
        return Options.MaskedLm ? Seq2SeqMlm.Apply(batch, rngs, Options, Specials, _mlmVocabulary!) : batch;
    }

    /// <summary>The gap-sentence example of one chunk.</summary>
    /// <param name="sentences">The chunk's sentences (ids without specials); their total is cut to S − 1 ids.</param>
    /// <param name="rng">Draws the 90/10 mask decisions, one per selected sentence in document order.</param>
    /// <returns>The example and the selection.</returns>
    public GsgExample MakeExample(IReadOnlyList<int[]> sentences, MaskingRng rng)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(rng);
        IReadOnlyList<int> selected = SelectGapSentences(sentences, _words, Options.GapSentenceRatio);
        var masked = new bool[selected.Count];
        var source = new List<int>();
        var target = new List<int>();
        for (int i = 0, k = 0; i < sentences.Count; i++)
        {
            if (k < selected.Count && selected[k] == i)
            {
                masked[k] = rng.NextDouble() < Options.SentenceMaskProbability;
                if (masked[k]) source.Add(Specials.SentenceMaskId);
                else source.AddRange(sentences[i]);
                target.AddRange(sentences[i]);
                k++;
            }
            else source.AddRange(sentences[i]);
        }
        return new GsgExample(new Seq2SeqExample(WithEos(source, Options.MaxSourceLength), WithEos(target, Options.MaxTargetLength)), selected, masked);
    }

    /// <summary>
    /// PEGASUS's Ind-Orig selection: the indices (ascending) of the m = max(1, round-half-even(ratio × n)) sentences with the
    /// highest ROUGE-1 F1 against the rest of the chunk (ties: earlier first); none when n &lt; 2.
    /// </summary>
    /// <param name="sentences">The n sentences.</param>
    /// <param name="words">Word grouping.</param>
    /// <param name="ratio">Gap-sentence ratio in (0, 1).</param>
    /// <returns>Selected sentence indices, ascending.</returns>
    public static IReadOnlyList<int> SelectGapSentences(IReadOnlyList<int[]> sentences, RougeWords words, double ratio)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(words);
        int n = sentences.Count;
        if (n < 2) return [];
        int m = Math.Max(1, (int)Math.Round(ratio * n, MidpointRounding.ToEven));
        double[] scores = SentenceScores(sentences, words);
        return [.. Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(m).Order()];
    }

    /// <summary>ROUGE-1 F1 (clipped word counts) of each sentence against all the other sentences together.</summary>
    /// <param name="sentences">The sentences.</param>
    /// <param name="words">Word grouping.</param>
    /// <returns>One score per sentence, in [0, 1].</returns>
    public static double[] SentenceScores(IReadOnlyList<int[]> sentences, RougeWords words)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(words);
        var counts = new Dictionary<string, int>[sentences.Count];
        var sizes = new int[sentences.Count];
        var all = new Dictionary<string, int>(StringComparer.Ordinal);
        int total = 0;
        for (int i = 0; i < sentences.Count; i++)
        {
            counts[i] = words.CountWords(sentences[i], out sizes[i]);
            total += sizes[i];
            foreach ((string w, int c) in counts[i]) all[w] = all.GetValueOrDefault(w) + c;
        }
        var scores = new double[sentences.Count];
        for (int i = 0; i < sentences.Count; i++)
        {
            int matches = 0;
            foreach ((string w, int c) in counts[i]) matches += Math.Min(c, all[w] - c); // rest = all − this sentence
            scores[i] = RougeWords.F1(matches, sizes[i], total - sizes[i]);
        }
        return scores;
    }

    private int[] WithEos(List<int> ids, int max)
    {
        if (ids.Count > max - 1) ids.RemoveRange(max - 1, ids.Count - (max - 1));
        ids.Add(Specials.EosId);
        return [.. ids];
    }
}
