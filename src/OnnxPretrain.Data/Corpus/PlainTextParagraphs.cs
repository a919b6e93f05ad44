namespace OnnxPretrain.Data;

/// <summary>Turns plain-text lines into paragraphs: blank (whitespace-only) lines separate paragraphs.</summary>
internal static class PlainTextParagraphs
{
    /// <summary>
    /// Groups <paramref name="lines"/> into paragraphs (lines joined by one space) and splits each into sentences.
    /// Returns no paragraph when every line is blank.
    /// </summary>
    public static List<Paragraph> Build(IEnumerable<string> lines, SentenceSplitter splitter)
    {
        var paragraphs = new List<Paragraph>();
        var current = new List<string>();
        foreach (string line in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                Flush(paragraphs, current, splitter);
            }
            else
            {
                current.Add(line.Trim());
            }
        }
        Flush(paragraphs, current, splitter);
        return paragraphs;
    }

    /// <summary>Splits a text with <c>\n</c> or <c>\r\n</c> line breaks into paragraphs.</summary>
    public static List<Paragraph> Build(string text, SentenceSplitter splitter) =>
        Build(text.Split('\n').Select(l => l.TrimEnd('\r')), splitter);

    private static void Flush(List<Paragraph> paragraphs, List<string> current, SentenceSplitter splitter)
    {
        if (current.Count == 0)
        {
            return;
        }
        IReadOnlyList<string> sentences = splitter.Split(string.Join(' ', current));
        current.Clear();
        if (sentences.Count > 0)
        {
            paragraphs.Add(new Paragraph(sentences));
        }
    }
}
