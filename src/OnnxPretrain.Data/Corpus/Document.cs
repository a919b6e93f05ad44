namespace OnnxPretrain.Data;

/// <summary>
/// One document of a corpus, kept as document → paragraph → sentence so that sentence- and paragraph-pair
/// objectives (NSP, SOP) and full-sentence packing can use the structure.
/// </summary>
/// <param name="Id">Stable identifier, unique within a corpus (e.g. a relative file path, <c>brown/ca01</c>).</param>
/// <param name="Title">Optional title; not part of the text.</param>
/// <param name="Paragraphs">Paragraphs in reading order; may be empty (a JSONL record with empty text).</param>
public sealed record Document(string Id, string? Title, IReadOnlyList<Paragraph> Paragraphs)
{
    /// <summary>The identifier.</summary>
    /// <exception cref="ArgumentException">Null, empty or whitespace.</exception>
    public string Id
    {
        get;
        init => field = CheckId(value);
    } = CheckId(Id);

    /// <summary>The paragraphs.</summary>
    /// <exception cref="ArgumentNullException">Null list.</exception>
    public IReadOnlyList<Paragraph> Paragraphs
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Paragraphs));
    } = Paragraphs ?? throw new ArgumentNullException(nameof(Paragraphs));

    /// <summary>Number of sentences over all paragraphs.</summary>
    public int SentenceCount => Paragraphs.Sum(p => p.Sentences.Count);

    private static string CheckId(string id) => string.IsNullOrWhiteSpace(id)
        ? throw new ArgumentException($"Document id must be non-empty, got '{id}'.", nameof(Id)) : id;
}

/// <summary>A paragraph: one or more sentences in reading order.</summary>
/// <param name="Sentences">Sentence strings, each non-empty, without the paragraph's line breaks.</param>
public sealed record Paragraph(IReadOnlyList<string> Sentences)
{
    /// <summary>The sentences.</summary>
    /// <exception cref="ArgumentException">Null or empty list.</exception>
    public IReadOnlyList<string> Sentences
    {
        get;
        init => field = Check(value);
    } = Check(Sentences);

    private static IReadOnlyList<string> Check(IReadOnlyList<string> sentences) => sentences is { Count: > 0 }
        ? sentences : throw new ArgumentException("A paragraph needs at least one sentence.", nameof(Sentences));
}

/// <summary>A train/validation split of a corpus.</summary>
/// <param name="Train">Documents to train on.</param>
/// <param name="Validation">Held-out documents; disjoint from <paramref name="Train"/>.</param>
public sealed record CorpusSplit(IReadOnlyList<Document> Train, IReadOnlyList<Document> Validation)
{
    /// <summary>
    /// The split of a corpus without a documented one: documents sorted by id, every 10th (the 10th, 20th, ...) held
    /// out — at least the last two when that gives fewer (one for fewer than 4 documents).
    /// </summary>
    /// <param name="documents">The corpus.</param>
    /// <param name="source">Where it was read from, for the error message.</param>
    /// <exception cref="InvalidDataException">Fewer than 2 documents.</exception>
    public static CorpusSplit HoldOutEveryTenth(IEnumerable<Document> documents, string source)
    {
        var all = documents.OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        if (all.Count < 2) throw new InvalidDataException($"data.corpus '{source}' has {all.Count} document(s); at least 2 are needed (one is held out).");
        var held = all.Where((_, i) => i % 10 == 9).ToList();
        if (held.Count < 2) held = all.TakeLast(all.Count >= 4 ? 2 : 1).ToList();
        return new CorpusSplit(all.Except(held).ToList(), held);
    }
}
