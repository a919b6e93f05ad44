namespace OnnxPretrain.Data;

/// <summary>
/// The units the seq2seq batchers sample: runs of consecutive non-empty sentences of one document (paragraph
/// boundaries inside a document are ignored; empty sentences skipped as in <see cref="SequencePacker"/>), filled greedily
/// in reading order up to <c>maxTokens</c> ids; a single sentence longer than that forms its own chunk and is cut to
/// <c>maxTokens</c> when read. Chunks with fewer than the required sentences or ids are left out, so draws are uniform over
/// usable chunks. Built by one pass over the corpus index.
/// </summary>
internal sealed class Seq2SeqChunks
{
    private readonly ITokenizedCorpus _corpus;
    private readonly int _maxTokens;
    private readonly List<int> _sentences = [];
    private readonly List<(int Start, int Count)> _chunks = [];

    public Seq2SeqChunks(ITokenizedCorpus corpus, int maxTokens, int minSentences, int minTokens)
    {
        _corpus = corpus;
        _maxTokens = maxTokens;
        for (int d = 0; d < corpus.DocumentCount; d++)
        {
            IndexRange range = corpus.GetDocumentSentences(d);
            int start = _sentences.Count, tokens = 0;
            for (int s = range.Start; s < range.End; s++)
            {
                int length = corpus.GetSentence(s).Length;
                if (length == 0) continue;
                if (_sentences.Count > start && tokens + length > maxTokens)
                {
                    Close(start, tokens, minSentences, minTokens);
                    start = _sentences.Count;
                    tokens = 0;
                }
                _sentences.Add(s);
                tokens += length;
            }
            Close(start, tokens, minSentences, minTokens);
        }
    }

    /// <summary>Number of usable chunks.</summary>
    public int Count => _chunks.Count;

    /// <summary>A uniform chunk.</summary>
    public int Draw(MaskingRng rng) => rng.NextInt(_chunks.Count);

    /// <summary>The sentences of a chunk as id arrays, the total cut to maxTokens (only a lone long sentence is ever cut).</summary>
    public List<int[]> Sentences(int chunk)
    {
        (int start, int count) = _chunks[chunk];
        var sentences = new List<int[]>(count);
        int left = _maxTokens;
        for (int i = start; i < start + count && left > 0; i++)
        {
            ReadOnlySpan<int> ids = _corpus.GetSentence(_sentences[i]);
            int n = Math.Min(left, ids.Length);
            sentences.Add(ids[..n].ToArray());
            left -= n;
        }
        return sentences;
    }

    private void Close(int start, int tokens, int minSentences, int minTokens)
    {
        int count = _sentences.Count - start;
        if (count > 0 && count >= minSentences && Math.Min(tokens, _maxTokens) >= minTokens) _chunks.Add((start, count));
        else _sentences.RemoveRange(start, count);
    }
}
