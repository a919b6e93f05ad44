using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>
/// The Lead-1 baseline: the first sentence of the document (as in the PEGASUS and AESLC papers' Lead baselines).
/// Line breaks are paragraph boundaries (AESLC's email bodies hold one sentence per line): the first non-blank line is
/// split with the Data project's <see cref="SentenceSplitter"/> (default English rules) and its first sentence is
/// returned. An empty or all-blank document gives the empty string.
/// </summary>
internal static class LeadBaseline
{
    /// <summary>Name of the baseline in reports.</summary>
    public const string SystemName = "lead-1";

    /// <summary>The first sentence of <paramref name="document"/> (see the class remarks).</summary>
    /// <param name="document">The source text.</param>
    /// <returns>The first sentence, whitespace-collapsed; "" when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="document"/> is null.</exception>
    public static string Lead1(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        foreach (string line in document.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            IReadOnlyList<string> sentences = SentenceSplitter.Default.Split(line);
            if (sentences.Count > 0) return sentences[0];
        }
        return "";
    }
}
