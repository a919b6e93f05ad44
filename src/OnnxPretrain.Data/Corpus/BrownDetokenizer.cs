using System.Text;

namespace OnnxPretrain.Data;

/// <summary>
/// Joins Penn/Brown-style word tokens into normally spaced English (the inverse of Treebank-style tokenisation):
/// no space before <c>, . ; : ! ? % ) ] }</c>, closing quotes or clitics (<c>n't 's 're 've 'll 'd 'm</c>), no space
/// after <c>( [ {</c> or opening quotes; Brown's <c>``</c> and <c>''</c> become straight <c>"</c> (opening and
/// closing); a standalone <c>'</c> alternates opening/closing within the sentence.
/// </summary>
internal static class BrownDetokenizer
{
    private static readonly HashSet<string> NoSpaceBefore = new(StringComparer.Ordinal)
    {
        ",", ".", ";", ":", "!", "?", "%", ")", "]", "}", "...",
    };

    private static readonly HashSet<string> Clitics = new(StringComparer.OrdinalIgnoreCase)
    {
        "n't", "'s", "'re", "'ve", "'ll", "'d", "'m",
    };

    /// <summary>Detokenises one sentence.</summary>
    /// <param name="words">Word tokens (tags already removed).</param>
    /// <returns>The sentence text; empty for no words.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="words"/> is null.</exception>
    public static string Detokenize(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var sb = new StringBuilder();
        bool attachNext = false;
        bool singleQuoteOpen = false;
        foreach (string word in words)
        {
            (string text, bool before, bool after) = Classify(word, ref singleQuoteOpen);
            if (sb.Length > 0 && !before && !attachNext)
            {
                sb.Append(' ');
            }
            sb.Append(text);
            attachNext = after;
        }
        return sb.ToString();
    }

    private static (string Text, bool NoSpaceBefore, bool NoSpaceAfter) Classify(string word, ref bool singleQuoteOpen)
    {
        switch (word)
        {
            case "``":
                return ("\"", false, true);
            case "''":
                return ("\"", true, false);
            case "'":
                singleQuoteOpen = !singleQuoteOpen;
                return singleQuoteOpen ? ("'", false, true) : ("'", true, false);
            case "(" or "[" or "{":
                return (word, false, true);
        }
        bool before = NoSpaceBefore.Contains(word) || Clitics.Contains(word);
        return (word, before, false);
    }
}
