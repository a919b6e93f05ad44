namespace OnnxPretrain.Data;

/// <summary>Options of the plain-text readers (<see cref="TextFolderReader"/>, <see cref="JsonlReader"/>).</summary>
public sealed record PlainTextReaderOptions
{
    /// <summary>Splits paragraph text into sentences; defaults to <see cref="SentenceSplitter.Default"/>.</summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    public SentenceSplitter Splitter
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Splitter));
    } = SentenceSplitter.Default;

    /// <summary>File name pattern for <see cref="TextFolderReader"/> (default <c>*.txt</c>), searched recursively.</summary>
    /// <exception cref="ArgumentException">Empty or whitespace.</exception>
    public string SearchPattern
    {
        get;
        init => field = string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"Search pattern must be non-empty, got '{value}'.", nameof(SearchPattern)) : value;
    } = "*.txt";
}

/// <summary>
/// Reads a folder of UTF-8 <c>.txt</c> files, one document per file. The id is the path relative to the folder with
/// <c>/</c> separators; files are read in ordinal order of that id (deterministic). Blank lines separate paragraphs;
/// the lines of a paragraph are joined with spaces and split into sentences by <see cref="SentenceSplitter"/>.
/// A file with no non-blank line (e.g. empty) yields no document. Titles are null.
/// </summary>
public static class TextFolderReader
{
    /// <summary>Reads every matching file under <paramref name="folder"/>, lazily, in id order.</summary>
    /// <param name="folder">Root folder.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist (message names it).</exception>
    /// <exception cref="CorpusFormatException">A file is not valid UTF-8 (names file, line and byte offset).</exception>
    public static IEnumerable<Document> Read(string folder, PlainTextReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Text corpus folder '{folder}' does not exist.");
        }
        options ??= new PlainTextReaderOptions();
        string root = Path.GetFullPath(folder);
        string[] files = Directory.EnumerateFiles(root, options.SearchPattern, SearchOption.AllDirectories)
            .OrderBy(f => RelativeId(root, f), StringComparer.Ordinal)
            .ToArray();
        return files.Select(f => ReadFile(f, RelativeId(root, f), options)).OfType<Document>();
    }

    /// <summary>Reads one file as a document with the given id; null when the file has no non-blank line.</summary>
    /// <exception cref="CorpusFormatException">The file is not valid UTF-8.</exception>
    public static Document? ReadFile(string path, string id, PlainTextReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new PlainTextReaderOptions();
        List<Paragraph> paragraphs = PlainTextParagraphs.Build(Utf8LineReader.ReadLines(path).Select(l => l.Text), options.Splitter);
        return paragraphs.Count == 0 ? null : new Document(id, null, paragraphs);
    }

    private static string RelativeId(string root, string file) =>
        Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
}
