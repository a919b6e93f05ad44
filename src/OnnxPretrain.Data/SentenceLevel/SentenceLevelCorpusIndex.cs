namespace OnnxPretrain.Data;

/// <summary>
/// The paragraphs a sentence-level task may sample ("eligible": at least <see cref="MinSentences"/> non-empty
/// sentences), grouped by document, so that every draw is uniform over the units that fit, with no rejection loop.
/// Entries are numbered 0 … <see cref="EligibleCount"/> − 1 in corpus order; a document's entries are contiguous.
/// Built once by one pass over the corpus index (one span length read per sentence).
/// </summary>
internal sealed class SentenceLevelCorpusIndex
{
    private readonly ITokenizedCorpus _corpus;
    private readonly int[] _paragraph;
    private readonly int[] _document;
    private readonly int[] _documentStart;
    private readonly int[] _multi;

    public SentenceLevelCorpusIndex(ITokenizedCorpus corpus, int minSentences)
    {
        _corpus = corpus;
        MinSentences = minSentences;
        var paragraphs = new List<int>();
        var documents = new List<int>();
        var multi = new List<int>();
        _documentStart = new int[corpus.DocumentCount + 1];
        for (int d = 0; d < corpus.DocumentCount; d++)
        {
            _documentStart[d] = paragraphs.Count;
            IndexRange range = corpus.GetDocumentParagraphs(d);
            for (int p = range.Start; p < range.End; p++)
            {
                if (!HasUsableSentences(p, minSentences)) continue;
                paragraphs.Add(p);
                documents.Add(d);
            }
            int count = paragraphs.Count - _documentStart[d];
            if (count > 0) DocumentsWithEligible++;
            if (count >= 2) multi.AddRange(Enumerable.Range(_documentStart[d], count));
        }
        _documentStart[corpus.DocumentCount] = paragraphs.Count;
        _paragraph = [.. paragraphs];
        _document = [.. documents];
        _multi = [.. multi];
    }

    /// <summary>Fewest non-empty sentences of an eligible paragraph.</summary>
    public int MinSentences { get; }

    /// <summary>Number of eligible paragraphs.</summary>
    public int EligibleCount => _paragraph.Length;

    /// <summary>Number of eligible paragraphs whose document has at least one other eligible paragraph.</summary>
    public int MultiCount => _multi.Length;

    /// <summary>Number of documents with at least one eligible paragraph.</summary>
    public int DocumentsWithEligible { get; }

    /// <summary>Global paragraph index of an entry.</summary>
    public int Paragraph(int entry) => _paragraph[entry];

    /// <summary>Document of an entry.</summary>
    public int Document(int entry) => _document[entry];

    /// <summary>The first entry of <paramref name="entry"/>'s document.</summary>
    public int FirstOfDocument(int entry) => _documentStart[_document[entry]];

    /// <summary>One past the last entry of <paramref name="entry"/>'s document.</summary>
    public int EndOfDocument(int entry) => _documentStart[_document[entry] + 1];

    /// <summary>A uniform entry.</summary>
    public int Draw(MaskingRng rng) => rng.NextInt(_paragraph.Length);

    /// <summary>A uniform entry among those whose document has another eligible paragraph (<see cref="MultiCount"/> &gt; 0).</summary>
    public int DrawWithSibling(MaskingRng rng) => _multi[rng.NextInt(_multi.Length)];

    /// <summary>Whether the entry's document has another eligible paragraph.</summary>
    public bool HasSibling(int entry)
    {
        int d = _document[entry];
        return _documentStart[d + 1] - _documentStart[d] >= 2;
    }

    /// <summary>A uniform other entry of the same document (<see cref="HasSibling"/> must be true).</summary>
    public int DrawSibling(int entry, MaskingRng rng)
    {
        int d = _document[entry], lo = _documentStart[d], hi = _documentStart[d + 1];
        int r = lo + rng.NextInt(hi - lo - 1);
        return r >= entry ? r + 1 : r;
    }

    /// <summary>A uniform entry of another document (<see cref="DocumentsWithEligible"/> must be &gt;= 2).</summary>
    public int DrawOtherDocument(int entry, MaskingRng rng)
    {
        int d = _document[entry], lo = _documentStart[d], hi = _documentStart[d + 1];
        int r = rng.NextInt(_paragraph.Length - (hi - lo));
        return r >= lo ? r + (hi - lo) : r;
    }

    /// <summary>The non-empty sentences of a paragraph, in order (empty sentences are skipped, as in <see cref="SequencePacker"/>).</summary>
    public List<int> UsableSentences(int paragraph)
    {
        IndexRange range = _corpus.GetParagraphSentences(paragraph);
        var sentences = new List<int>(range.Count);
        for (int s = range.Start; s < range.End; s++)
        {
            if (!_corpus.GetSentence(s).IsEmpty) sentences.Add(s);
        }
        return sentences;
    }

    private bool HasUsableSentences(int paragraph, int needed)
    {
        IndexRange range = _corpus.GetParagraphSentences(paragraph);
        int found = 0;
        for (int s = range.Start; s < range.End && found < needed; s++)
        {
            if (!_corpus.GetSentence(s).IsEmpty) found++;
        }
        return found >= needed;
    }
}
