namespace OnnxPretrain.Data;

/// <summary>A contiguous range of indices [Start, Start + Count).</summary>
/// <param name="Start">First index.</param>
/// <param name="Count">Number of indices (≥ 0).</param>
public readonly record struct IndexRange(int Start, int Count)
{
    /// <summary>One past the last index.</summary>
    public int End => Start + Count;
}

/// <summary>
/// A tokenised corpus with its structure: documents → paragraphs → sentences → token ids (no specials). Indices are
/// global: paragraphs and sentences are numbered across the whole corpus in reading order.
/// </summary>
public interface ITokenizedCorpus
{
    /// <summary>Number of documents.</summary>
    int DocumentCount { get; }

    /// <summary>Number of paragraphs over all documents.</summary>
    int ParagraphCount { get; }

    /// <summary>Number of sentences over all documents.</summary>
    int SentenceCount { get; }

    /// <summary>Number of token ids over all sentences.</summary>
    long TokenCount { get; }

    /// <summary>Ids are in [0, VocabSize).</summary>
    int VocabSize { get; }

    /// <summary>Paragraphs of a document.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="document"/> outside [0, DocumentCount).</exception>
    IndexRange GetDocumentParagraphs(int document);

    /// <summary>Sentences of a paragraph.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="paragraph"/> outside [0, ParagraphCount).</exception>
    IndexRange GetParagraphSentences(int paragraph);

    /// <summary>Sentences of a document (all its paragraphs).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="document"/> outside [0, DocumentCount).</exception>
    IndexRange GetDocumentSentences(int document);

    /// <summary>Token ids of a sentence (may be empty, e.g. a sentence of control characters only).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sentence"/> outside [0, SentenceCount).</exception>
    ReadOnlySpan<int> GetSentence(int sentence);
}
