using System.Text;
using System.Text.RegularExpressions;

namespace OnnxPretrain.Data;

/// <summary>
/// Reads the Brown Corpus in its tagged "form C" distribution (Francis &amp; Kučera 1964/1979, as in NLTK's
/// <c>brown</c> corpus): UTF-8 text, one sentence per line of whitespace-separated <c>word/tag</c> tokens, paragraphs
/// separated by blank (or whitespace-only) lines. The tag is the text after the token's last <c>/</c>; the word is
/// detokenised by <see cref="BrownDetokenizer"/>. In this distribution every line-final <c>;</c>, <c>?</c> and
/// <c>!</c> token tagged <c>.</c> appears twice (<c>?/. ?/.</c>, 5,890 lines); the repeat is dropped.
/// </summary>
public static partial class BrownReader
{
    /// <summary>Reads one file as a document; null when it has no non-blank line.</summary>
    /// <param name="path">Tagged Brown file.</param>
    /// <param name="id">Document id.</param>
    /// <param name="title">Optional title (e.g. the Brown category).</param>
    /// <exception cref="CorpusFormatException">Invalid UTF-8, or a token without a non-empty word and tag
    /// around a <c>/</c> (names file, line and byte offset of the token).</exception>
    public static Document? ReadFile(string path, string id, string? title = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var paragraphs = new List<Paragraph>();
        var sentences = new List<string>();
        foreach (TextLine line in Utf8LineReader.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                FlushParagraph(paragraphs, sentences);
                continue;
            }
            sentences.Add(BrownDetokenizer.Detokenize(ParseWords(path, line)));
        }
        FlushParagraph(paragraphs, sentences);
        return paragraphs.Count == 0 ? null : new Document(id, title, paragraphs);
    }

    /// <summary>
    /// Reads an NLTK-layout Brown folder: files named <c>c</c> + category letter a–r + two digits (e.g. <c>ca01</c>),
    /// in ordinal name order, ids = file names; titles come from <c>cats.txt</c> (<c>ca01 news</c>) when present.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="CorpusFormatException">A malformed file or <c>cats.txt</c> line.</exception>
    public static IEnumerable<Document> ReadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Brown corpus folder '{folder}' does not exist.");
        }
        Dictionary<string, string> categories = ReadCategories(Path.Combine(folder, "cats.txt"));
        string[] files = Directory.EnumerateFiles(folder)
            .Where(f => BrownFileName().IsMatch(Path.GetFileName(f)))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToArray();
        foreach (string file in files)
        {
            string name = Path.GetFileName(file);
            Document? doc = ReadFile(file, name, categories.GetValueOrDefault(name));
            if (doc is not null)
            {
                yield return doc;
            }
        }
    }

    private static List<string> ParseWords(string path, TextLine line)
    {
        var words = new List<string>();
        string lastToken = "";
        string text = line.Text;
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            int end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end]))
            {
                end++;
            }
            string token = text[i..end];
            int slash = token.LastIndexOf('/');
            if (slash <= 0 || slash == token.Length - 1)
            {
                long offset = line.ByteOffset + Encoding.UTF8.GetByteCount(text.AsSpan(0, i));
                throw new CorpusFormatException(path, offset, line.LineNumber,
                    $"token '{token}' is not word/tag (expected a non-empty word, a '/', and a non-empty tag after the last '/').");
            }
            if (!(end == text.Length || text.AsSpan(end).IsWhiteSpace()) || !IsDoubledFinalStop(token, lastToken))
            {
                words.Add(token[..slash]);
            }
            lastToken = token;
            i = end;
        }
        return words;
    }

    // The NLTK-format files repeat every line-final ';', '?' and '!' token tagged '.' ("?/. ?/."); keep one.
    private static bool IsDoubledFinalStop(string token, string previous) =>
        token == previous && token is ";/." or "?/." or "!/.";

    private static void FlushParagraph(List<Paragraph> paragraphs, List<string> sentences)
    {
        if (sentences.Count > 0)
        {
            paragraphs.Add(new Paragraph(sentences.ToArray()));
            sentences.Clear();
        }
    }

    private static Dictionary<string, string> ReadCategories(string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return map;
        }
        foreach (TextLine line in Utf8LineReader.ReadLines(path))
        {
            string[] parts = line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }
            if (parts.Length != 2)
            {
                throw new CorpusFormatException(path, line.ByteOffset, line.LineNumber,
                    $"expected 'fileid category', found '{line.Text}'.");
            }
            map[parts[0]] = parts[1];
        }
        return map;
    }

    [GeneratedRegex("^c[a-r][0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex BrownFileName();
}
