namespace OnnxPretrain.Data;

/// <summary>Options of <see cref="SequencePacker"/>.</summary>
public sealed record SequencePackerOptions
{
    /// <summary>Creates options.</summary>
    /// <param name="maxLength">T: maximum ids per sequence including [CLS] and [SEP]; at least 3.</param>
    /// <param name="clsId">Id put first ([CLS], or &lt;s&gt;).</param>
    /// <param name="sepId">Id put last ([SEP], or &lt;/s&gt;).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxLength &lt; 3 or a negative id (the message shows the value).</exception>
    public SequencePackerOptions(int maxLength, int clsId, int sepId)
    {
        if (maxLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"maxLength must be at least 3 ([CLS], a token, [SEP]), got {maxLength}.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(clsId);
        ArgumentOutOfRangeException.ThrowIfNegative(sepId);
        MaxLength = maxLength;
        ClsId = clsId;
        SepId = sepId;
    }

    /// <summary>T, maximum sequence length including specials.</summary>
    public int MaxLength { get; }

    /// <summary>First id of every sequence.</summary>
    public int ClsId { get; }

    /// <summary>Last id of every sequence.</summary>
    public int SepId { get; }

    /// <summary>Options from a vocabulary's specials.</summary>
    public static SequencePackerOptions For(SpecialTokens specials, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(specials);
        return new SequencePackerOptions(maxLength, specials.ClsId, specials.SepId);
    }
}

/// <summary>
/// Packs a tokenised corpus into sequences <c>[CLS] s_i s_i+1 … [SEP]</c> of at most T ids for token-level objectives
/// (MLM, RTD): consecutive full sentences of one document fill a sequence until the next would overflow
/// (RoBERTa's DOC-SENTENCES input format, Liu et al. 2019 §4.2; sequences never cross documents, and sentences are
/// not split unless a single sentence is longer than T − 2, in which case it is cut into chunks of T − 2 whose last
/// chunk continues packing). Sentences with no ids are skipped. Deterministic: same corpus, same output, in document
/// order; shuffle with <see cref="EpochShuffler"/>. Thread-safe.
/// </summary>
public sealed class SequencePacker
{
    private SequencePacker(SequencePackerOptions options) => Options = options;

    /// <summary>The options.</summary>
    public SequencePackerOptions Options { get; }

    /// <summary>Creates a packer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static SequencePacker Create(SequencePackerOptions options) =>
        new(options ?? throw new ArgumentNullException(nameof(options)));

    /// <summary>All sequences of all documents, in document order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="corpus"/> is null.</exception>
    public IReadOnlyList<int[]> Pack(ITokenizedCorpus corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var output = new List<int[]>();
        for (int d = 0; d < corpus.DocumentCount; d++)
        {
            PackInto(corpus, d, output);
        }
        return output;
    }

    /// <summary>The sequences of one document.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="document"/> outside [0, DocumentCount).</exception>
    public IReadOnlyList<int[]> PackDocument(ITokenizedCorpus corpus, int document)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var output = new List<int[]>();
        PackInto(corpus, document, output);
        return output;
    }

    private void PackInto(ITokenizedCorpus corpus, int document, List<int[]> output)
    {
        int capacity = Options.MaxLength - 2;
        var current = new List<int>(capacity);
        IndexRange sentences = corpus.GetDocumentSentences(document);
        for (int s = sentences.Start; s < sentences.End; s++)
        {
            ReadOnlySpan<int> ids = corpus.GetSentence(s);
            if (ids.IsEmpty)
            {
                continue;
            }
            if (current.Count + ids.Length > capacity)
            {
                Emit(current, output);
            }
            while (ids.Length > capacity)
            {
                current.AddRange(ids[..capacity]);
                Emit(current, output);
                ids = ids[capacity..];
            }
            current.AddRange(ids);
        }
        Emit(current, output);
    }

    private void Emit(List<int> body, List<int[]> output)
    {
        if (body.Count == 0)
        {
            return;
        }
        int[] seq = new int[body.Count + 2];
        seq[0] = Options.ClsId;
        body.CopyTo(seq, 1);
        seq[^1] = Options.SepId;
        output.Add(seq);
        body.Clear();
    }
}
