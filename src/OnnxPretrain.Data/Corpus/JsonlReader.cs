using System.Text.Json;

namespace OnnxPretrain.Data;

/// <summary>
/// Reads JSON Lines (one JSON object per line, UTF-8): <c>{"id": "...", "title": "...", "text": "..."}</c>; BEIR's
/// corpus field <c>_id</c> is accepted instead of <c>id</c> (Thakur et al. 2021). <c>id</c>/<c>_id</c> is a string or a
/// number, <c>title</c> is optional (string or null), <c>text</c> is a required string whose blank lines separate
/// paragraphs; sentences come from <see cref="SentenceSplitter"/>. Other fields are ignored; whitespace-only lines
/// carry no record. Every record becomes a document (empty text gives zero paragraphs), in file order.
/// </summary>
public static class JsonlReader
{
    /// <summary>Reads the documents of <paramref name="path"/> lazily.</summary>
    /// <param name="path">JSONL file.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorpusFormatException">Invalid UTF-8 or JSON, a missing or mistyped field, or a duplicate id
    /// (names file, line and byte offset).</exception>
    public static IEnumerable<Document> Read(string path, PlainTextReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"JSONL corpus file '{path}' does not exist.", path);
        }
        return ReadIterator(path, options ?? new PlainTextReaderOptions());
    }

    private static IEnumerable<Document> ReadIterator(string path, PlainTextReaderOptions options)
    {
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (TextLine line in Utf8LineReader.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }
            Document doc = ParseRecord(path, line, options);
            if (!seen.TryAdd(doc.Id, line.LineNumber))
            {
                throw new CorpusFormatException(path, line.ByteOffset, line.LineNumber,
                    $"duplicate document id '{doc.Id}' (first seen on line {seen[doc.Id]}); ids must be unique.");
            }
            yield return doc;
        }
    }

    private static Document ParseRecord(string path, TextLine line, PlainTextReaderOptions options)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line.Text);
        }
        catch (JsonException e)
        {
            long offset = line.ByteOffset + (e.BytePositionInLine ?? 0);
            throw new CorpusFormatException(path, offset, line.LineNumber, $"invalid JSON: {e.Message}", e);
        }
        using (json)
        {
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, line, $"expected a JSON object, found {root.ValueKind}.");
            }
            string id = ReadId(path, line, root);
            string? title = ReadOptionalString(path, line, root, "title");
            string text = ReadOptionalString(path, line, root, "text")
                ?? throw Error(path, line, $"record '{id}' has no string field \"text\".");
            return new Document(id, title, PlainTextParagraphs.Build(text, options.Splitter));
        }
    }

    private static string ReadId(string path, TextLine line, JsonElement root)
    {
        if (!root.TryGetProperty("id", out JsonElement id) && !root.TryGetProperty("_id", out id))
        {
            throw Error(path, line, "record has no \"id\" (or BEIR \"_id\") field.");
        }
        string? value = id.ValueKind switch
        {
            JsonValueKind.String => id.GetString(),
            JsonValueKind.Number => id.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(value)
            ? throw Error(path, line, $"id must be a non-empty string or a number, found {id.ValueKind} {id.GetRawText()}.")
            : value;
    }

    private static string? ReadOptionalString(string path, TextLine line, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return e.ValueKind == JsonValueKind.String
            ? e.GetString()
            : throw Error(path, line, $"field \"{name}\" must be a string, found {e.ValueKind} {e.GetRawText()}.");
    }

    private static CorpusFormatException Error(string path, TextLine line, string detail) =>
        new(path, line.ByteOffset, line.LineNumber, detail);
}
