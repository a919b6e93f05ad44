namespace OnnxPretrain.Data;

/// <summary>
/// Positive pairs from the corpus itself for in-batch-negative contrastive pre-training (Neelakantan et al. 2022, "Text
/// and Code Embeddings by Contrastive Pre-Training", §2: neighbouring text as positives, the other rows of the batch
/// as negatives).
/// <para>Pairs. A document with a title (and <see cref="ContrastivePairSource.Auto"/> or <see cref="ContrastivePairSource.Title"/>)
/// gives title ↔ text: A = the title, B = the document's text from its start (without a leading copy of the title, as
/// in Cranfield's BEIR texts, so the pair is not a string match). Otherwise (Auto or Neighbours) a boundary
/// is drawn uniformly: between two consecutive non-empty paragraphs when the document has &gt;= 2, A = the end of the
/// first, B = the start of the second; else between two consecutive non-empty sentences of its one paragraph, A = the
/// sentences before (their end), B = those after (their start). Each side keeps at most T − 2 ids: the last ones for
/// A of a neighbouring pair (the text next to the boundary), the first ones otherwise. Documents with none of these
/// (no title, one sentence) are not used.</para>
/// <para>Batches. Step s uses B distinct documents, a uniform sample without replacement (sparse Fisher–Yates from
/// <see cref="MaskingRng"/> (seed, s, <see cref="DocumentStream"/>)), so in-batch negatives never come from the positive's
/// document; if B exceeds the usable documents, rows b &gt;= N repeat the sample cyclically. Row b's boundary draw uses
/// stream (seed, s, <see cref="PairStreamBase"/> + b). Deterministic given (seed, step); thread-safe.</para>
/// <para>Inputs (B pairs, T = SequenceLength): <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (2B, T)
/// int64: rows 0 … B − 1 are the A sides, rows B … 2B − 1 the B sides, each <c>[CLS] text [SEP]</c>, types 0, padded with
/// [PAD]; <c>contrastive_labels</c> (B) int64 = 0 … B − 1.</para>
/// </summary>
public sealed class ContrastivePairBatcher
{
    /// <summary><see cref="MaskingRng"/> stream of a step's document sample.</summary>
    public const ulong DocumentStream = 0x434F_4E54_0000_0000UL;

    /// <summary>First stream of the rows' boundary draws (row b uses this + 1 + b).</summary>
    public const ulong PairStreamBase = 0x434F_4E54_0001_0000UL;

    private readonly ITokenizedCorpus _corpus;
    private readonly IReadOnlyList<int[]?>? _titles;
    private readonly int[] _usable;
    private readonly MaskingSpec _spec;

    /// <summary>Creates the batcher and finds the usable documents.</summary>
    /// <param name="options">Options; validated here.</param>
    /// <param name="specials">Special ids and vocabulary size.</param>
    /// <param name="corpus">Tokenised corpus.</param>
    /// <param name="titles">Per document, the title's ids (null or empty = no title); null = no titles at all.</param>
    /// <exception cref="ArgumentException">Invalid options, titles not aligned with the documents, a corpus vocabulary
    /// larger than the specials', or fewer than 2 usable documents.</exception>
    public ContrastivePairBatcher(ContrastivePairBatcherOptions options, SpecialTokens specials, ITokenizedCorpus corpus, IReadOnlyList<int[]?>? titles = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(corpus);
        Options = options.Validate();
        if (titles is not null && titles.Count != corpus.DocumentCount)
            throw new ArgumentException($"{titles.Count} titles for {corpus.DocumentCount} documents; pass one (or null) per document.", nameof(titles));
        if (corpus.VocabSize > specials.VocabSize)
            throw new ArgumentException($"The corpus's VocabSize {corpus.VocabSize} exceeds SpecialTokens.VocabSize {specials.VocabSize}.", nameof(corpus));
        (_corpus, _titles, Specials) = (corpus, titles, specials);
        _usable = Enumerable.Range(0, corpus.DocumentCount).Where(d => KindOf(d) is not null).ToArray();
        if (_usable.Length < 2)
            throw new ArgumentException($"Contrastive pairs ({options.PairSource}) need >= 2 usable documents (a title and text, or two " +
                $"non-empty paragraphs or sentences); the corpus has {_usable.Length}.", nameof(corpus));
        _spec = new MaskingSpec(options.SequenceLength, options.Seed, 0.5, specials);   // layout only: nothing is masked
    }

    /// <summary>The validated options.</summary>
    public ContrastivePairBatcherOptions Options { get; }

    /// <summary>Special ids.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>Number of documents that give a pair.</summary>
    public int UsableDocumentCount => _usable.Length;

    /// <summary>Builds the batch of B pairs (2B rows) of one step.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pairs"/> &lt; 1.</exception>
    public Batch Build(long step, int pairs) => Build(step, pairs, out _);

    /// <summary>Builds the batch of one step and returns its pairs (row order).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pairs"/> &lt; 1.</exception>
    public Batch Build(long step, int pairs, out IReadOnlyList<ContrastivePairSample> samples)
    {
        samples = Sample(step, pairs);
        var rows = samples.Select(s => Wrap(s.A)).Concat(samples.Select(s => Wrap(s.B))).ToList();
        var arrays = MaskingCore.Layout(rows, _spec, out long tokens);
        arrays[ContrastiveInputNames.Labels] = new(Enumerable.Range(0, pairs).Select(i => (long)i).ToArray(), [pairs]);
        return new Batch(arrays, tokens);
    }

    /// <summary>The pairs of one step.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pairs"/> &lt; 1.</exception>
    public IReadOnlyList<ContrastivePairSample> Sample(long step, int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pairs);
        var documents = DistinctDocuments(new MaskingRng(Options.Seed, step, DocumentStream), Math.Min(pairs, _usable.Length));
        var samples = new ContrastivePairSample[pairs];
        for (int b = 0; b < pairs; b++)
            samples[b] = Pair(documents[b % documents.Length], new MaskingRng(Options.Seed, step, PairStreamBase + 1 + (ulong)b));
        return samples;
    }

    private int[] DistinctDocuments(MaskingRng rng, int count)
    {
        var swapped = new Dictionary<int, int>();
        var picked = new int[count];
        for (int i = 0; i < count; i++)
        {
            int j = i + rng.NextInt(_usable.Length - i);
            int atJ = swapped.GetValueOrDefault(j, j), atI = swapped.GetValueOrDefault(i, i);
            (swapped[i], swapped[j]) = (atJ, atI);
            picked[i] = _usable[atJ];
        }
        return picked;
    }

    private ContrastivePairSample Pair(int document, MaskingRng rng)
    {
        int budget = Options.SequenceLength - 2;
        var kind = KindOf(document)!.Value;
        if (kind == ContrastivePairKind.TitleText)
        {
            int[] title = _titles![document]!, text = Ids(_corpus.GetDocumentSentences(document));
            if (text.Length > title.Length && text.AsSpan().StartsWith(title)) text = text[title.Length..];   // BEIR texts may repeat the title
            return new(document, kind, Head(title, budget), Head(text, budget));
        }
        List<IndexRange> units = kind == ContrastivePairKind.NeighbouringParagraphs ? Paragraphs(document) : Sentences(Paragraphs(document)[0]);
        int boundary = 1 + rng.NextInt(units.Count - 1);
        bool paragraphs = kind == ContrastivePairKind.NeighbouringParagraphs;
        int[] a = paragraphs ? Ids(units[boundary - 1]) : Ids(new IndexRange(units[0].Start, units[boundary - 1].End - units[0].Start));
        int[] b = paragraphs ? Ids(units[boundary]) : Ids(new IndexRange(units[boundary].Start, units[^1].End - units[boundary].Start));
        return new(document, kind, a[Math.Max(0, a.Length - budget)..], Head(b, budget));
    }

    private ContrastivePairKind? KindOf(int document)
    {
        bool title = _titles is not null && _titles[document] is { Length: > 0 } && Options.PairSource != ContrastivePairSource.Neighbours;
        var paragraphs = Paragraphs(document);
        if (title && paragraphs.Count > 0) return ContrastivePairKind.TitleText;
        if (Options.PairSource == ContrastivePairSource.Title) return null;
        if (paragraphs.Count >= 2) return ContrastivePairKind.NeighbouringParagraphs;
        if (paragraphs.Count == 1 && Sentences(paragraphs[0]).Count >= 2) return ContrastivePairKind.NeighbouringSentences;
        return null;
    }

    /// <summary>The document's paragraphs that have a non-empty sentence, as sentence ranges.</summary>
    private List<IndexRange> Paragraphs(int document)
    {
        var result = new List<IndexRange>();
        IndexRange range = _corpus.GetDocumentParagraphs(document);
        for (int p = range.Start; p < range.End; p++)
        {
            IndexRange s = _corpus.GetParagraphSentences(p);
            if (Ids(s).Length > 0) result.Add(s);
        }
        return result;
    }

    /// <summary>The non-empty sentences of a sentence range, each as a one-sentence range.</summary>
    private List<IndexRange> Sentences(IndexRange range) =>
        Enumerable.Range(range.Start, range.Count).Where(s => !_corpus.GetSentence(s).IsEmpty).Select(s => new IndexRange(s, 1)).ToList();

    private int[] Ids(IndexRange sentences)
    {
        var ids = new List<int>();
        for (int s = sentences.Start; s < sentences.End; s++) ids.AddRange(_corpus.GetSentence(s).ToArray());
        return [.. ids];
    }

    private static int[] Head(int[] ids, int budget) => ids[..Math.Min(ids.Length, budget)];

    private int[] Wrap(int[] ids) => [Specials.ClsId, .. ids, Specials.SepId];
}
