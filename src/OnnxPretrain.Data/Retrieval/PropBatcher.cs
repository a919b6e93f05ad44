namespace OnnxPretrain.Data;

/// <summary>One PROP pair: a passage and two of its sampled word sets, the positive being the more likely one.</summary>
/// <param name="Passage">Passage index in the <see cref="PropDocumentModel"/>.</param>
/// <param name="Positive">Word ids of the positive set (higher query likelihood), draw order.</param>
/// <param name="Negative">Word ids of the negative set.</param>
/// <param name="PositiveLogLikelihood">Σ log P(w|d) over the positive set's words (after the token-budget cut).</param>
/// <param name="NegativeLogLikelihood">Σ log P(w|d) over the negative set's words; strictly lower.</param>
public sealed record PropPairSample(int Passage, int[] Positive, int[] Negative, double PositiveLogLikelihood, double NegativeLogLikelihood);

/// <summary>
/// Batches of PROP's representative words prediction (ROP; Ma et al., "PROP: Pre-training with Representative Words
/// Prediction for Ad-hoc Retrieval", WSDM 2021, §3–4) with BERT's masked LM on the document part.
/// <para>Sampling (see <see cref="PropDocumentModel"/> for passages, words and the smoothed model): pair j = step·B + b
/// of the run belongs to document slot u = j / PairsPerDocument. Slot u draws, from <see cref="MaskingRng"/> (seed, u,
/// <see cref="SlotStream"/>), a uniform eligible passage, its SetsPerDocument word sets (lengths ~ zero-truncated
/// Poisson(λ)), and a random order of the set pairs whose likelihoods differ; pair j is the (j mod PairsPerDocument)-th of
/// that order (cyclically, if fewer pairs differ). A slot with no differing pair redraws its passage. So the
/// PairsPerDocument pairs of one document sit in consecutive rows and a pair depends only on (seed, j). Sets are cut to
/// MaxSetTokens ids by dropping words from the end (at least one word kept, itself cut if longer); likelihoods are
/// computed on the kept words. The positive is the set with the higher Σ log P(w|d).</para>
/// <para>Inputs for B pairs, rows 2b (positive) and 2b + 1 (negative), T = SequenceLength: <c>input_ids</c>,
/// <c>attention_mask</c>, <c>token_type_ids</c> (2B, T) int64, each row <c>[CLS] set [SEP] passage [SEP]</c> (types 0 up to
/// the first [SEP], 1 after; set words joined in draw order); <c>masked_lm_positions</c>, <c>masked_lm_labels</c> (M):
/// masked-LM selection (p = MaskProbability, 80/10/10 as <see cref="MlmBatcher"/>) on passage tokens only, drawn once
/// per pair from stream (seed, step, b) and applied identically to both rows (both rows' positions are predicted), so
/// the two rows differ only in their word set. M = 1 dummy slot (position 0, label −100) when nothing is selected.</para>
/// <para>Thread-safe; deterministic given (seed, step).</para>
/// </summary>
public sealed class PropBatcher
{
    /// <summary><see cref="MaskingRng"/> stream of a document slot's draws.</summary>
    public const ulong SlotStream = 0x50524F50_0000_0000UL;

    private readonly MaskingSpec _spec;
    private readonly MaskingVocabulary _vocabulary;

    /// <summary>Creates the batcher and the passages' language models.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Vocabulary size and special ids; VocabSize must be &gt;= the corpus's.</param>
    /// <param name="corpus">Tokenised corpus.</param>
    /// <param name="rules">Word rules (<see cref="PropWordRules.For"/>); null = every id a word.</param>
    /// <exception cref="ArgumentException">Invalid options, a corpus vocabulary larger than the specials', or no passage
    /// with two distinct counted words.</exception>
    public PropBatcher(PropBatcherOptions options, SpecialTokens specials, ITokenizedCorpus corpus, PropWordRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(corpus);
        Options = options.Validate();
        if (corpus.VocabSize > specials.VocabSize)
            throw new ArgumentException($"The corpus's VocabSize {corpus.VocabSize} exceeds SpecialTokens.VocabSize {specials.VocabSize}.", nameof(corpus));
        Specials = specials;
        Model = new PropDocumentModel(corpus, rules ?? PropWordRules.TokenIds, options.PassageTokens);
        _spec = new MaskingSpec(options.SequenceLength, options.Seed, options.MaskProbability, specials);
        _vocabulary = new MaskingVocabulary(specials);
    }

    /// <summary>The validated options.</summary>
    public PropBatcherOptions Options { get; }

    /// <summary>The vocabulary's special ids.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>Passages and their language models.</summary>
    public PropDocumentModel Model { get; }

    /// <summary>Builds the batch of B pairs (2B rows) of one step.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pairs"/> &lt; 1.</exception>
    public Batch Build(long step, int pairs) => Build(step, pairs, out _);

    /// <summary>Builds the batch of one step and returns the sampled pairs (row order).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pairs"/> &lt; 1.</exception>
    public Batch Build(long step, int pairs, out IReadOnlyList<PropPairSample> samples)
    {
        samples = Sample(step, pairs);
        int t = Options.SequenceLength;
        var rows = new List<int[]>(2 * pairs);
        foreach (var s in samples) rows.AddRange([Assemble(s.Positive, s.Passage), Assemble(s.Negative, s.Passage)]);
        var arrays = MaskingCore.Layout(rows, _spec, out long tokens);
        long[] ids = arrays[BatcherInputNames.InputIds].Int64s, types = arrays[BatcherInputNames.TokenTypeIds].Int64s;
        var positions = new List<long>();
        var labels = new List<long>();
        for (int b = 0; b < pairs; b++)
        {
            int start = rows[2 * b].Length - Model.Passage(samples[b].Passage).Tokens.Length - 1;
            var rng = new MaskingRng(Options.Seed, step, (ulong)b);
            var selected = MaskingCore.Select(rows[2 * b][start..], _spec, rng);
            var replaced = selected.Select(i => Replace(rows[2 * b][start + i], rng)).ToArray();
            for (int r = 2 * b; r <= 2 * b + 1; r++)
            {
                int first = rows[r].Length - (rows[2 * b].Length - start);
                Array.Fill(types, 1L, r * t + first, rows[r].Length - first);
                for (int i = 0; i < selected.Count; i++)
                {
                    ids[r * t + first + selected[i]] = replaced[i];
                    positions.Add((long)r * t + first + selected[i]);
                    labels.Add(rows[r][first + selected[i]]);
                }
            }
        }
        if (positions.Count == 0) { positions.Add(MaskingCore.DummyPosition); labels.Add(MaskingDefaults.IgnoreLabel); }
        arrays[BatcherInputNames.MaskedLmPositions] = new(positions.ToArray(), [positions.Count]);
        arrays[BatcherInputNames.MaskedLmLabels] = new(labels.ToArray(), [labels.Count]);
        return new Batch(arrays, tokens);
    }

    /// <summary>The pairs of one step; pair b depends only on (seed, step·B + b).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pairs"/> &lt; 1.</exception>
    public IReadOnlyList<PropPairSample> Sample(long step, int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pairs);
        var samples = new PropPairSample[pairs];
        (long Slot, SlotDraw Draw)? cached = null;
        for (int b = 0; b < pairs; b++)
        {
            long j = step * pairs + b, slot = j / Options.PairsPerDocument;
            if (cached?.Slot != slot) cached = (slot, DrawSlot(slot));
            samples[b] = cached.Value.Draw.Pair((int)(j % Options.PairsPerDocument));
        }
        return samples;
    }

    /// <summary>The unmasked row <c>[CLS] set [SEP] passage [SEP]</c> of a set (word ids) and a passage; the set's ids are cut to MaxSetTokens.</summary>
    public int[] Assemble(int[] words, int passage)
    {
        var row = new List<int> { Specials.ClsId };
        foreach (int w in words) row.AddRange(Model.Word(w));
        if (row.Count > Options.MaxSetTokens + 1) row.RemoveRange(Options.MaxSetTokens + 1, row.Count - Options.MaxSetTokens - 1);
        row.Add(Specials.SepId);
        row.AddRange(Model.Passage(passage).Tokens);
        row.Add(Specials.SepId);
        return [.. row];
    }

    private int Replace(int original, MaskingRng rng)
    {
        double u = rng.NextDouble();
        if (u < Options.MaskTokenFraction) return Specials.MaskId;
        if (u < Options.MaskTokenFraction + Options.RandomTokenFraction) return _vocabulary.SampleReplaceable(rng);
        return original;
    }

    private SlotDraw DrawSlot(long slot)
    {
        var rng = new MaskingRng(Options.Seed, slot, SlotStream);
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            int passage = Model.Eligible[rng.NextInt(Model.Eligible.Count)];
            var sets = Enumerable.Range(0, Options.SetsPerDocument).Select(_ => Cut(passage, Model.SampleSet(passage, Options.PoissonLambda, rng))).ToArray();
            var scores = sets.Select(s => Model.LogLikelihood(passage, s)).ToArray();
            var pairs = new List<(int, int)>();
            for (int i = 0; i < sets.Length; i++)
                for (int k = i + 1; k < sets.Length; k++)
                    if (scores[i] != scores[k]) pairs.Add((i, k));
            if (pairs.Count == 0) continue;
            rng.Shuffle(pairs);
            return new SlotDraw(this, passage, sets, scores, pairs);
        }
        throw new InvalidOperationException($"PROP slot {slot}: 1000 passages in a row gave no two word sets of different likelihood.");
    }

    /// <summary>Drops words from the end until the set's ids fit MaxSetTokens (one word is always kept).</summary>
    private List<int> Cut(int passage, List<int> set)
    {
        var words = Model.Passage(passage).Words;
        int tokens = 0, keep = 0;
        while (keep < set.Count && tokens + Model.Word(words[set[keep]]).Length <= Options.MaxSetTokens) tokens += Model.Word(words[set[keep++]]).Length;
        return set.GetRange(0, Math.Max(1, keep));
    }

    private sealed record SlotDraw(PropBatcher Owner, int Passage, List<int>[] Sets, double[] Scores, List<(int A, int B)> Pairs)
    {
        public PropPairSample Pair(int index)
        {
            var (a, b) = Pairs[index % Pairs.Count];
            if (Scores[a] < Scores[b]) (a, b) = (b, a);
            return new PropPairSample(Passage, Words(a), Words(b), Scores[a], Scores[b]);
        }

        private int[] Words(int set) => [.. Sets[set].Select(k => Owner.Model.Passage(Passage).Words[k])];
    }
}

/// <summary>In-place Fisher–Yates shuffle with a <see cref="MaskingRng"/>.</summary>
internal static class MaskingRngShuffle
{
    public static void Shuffle<T>(this MaskingRng rng, IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
