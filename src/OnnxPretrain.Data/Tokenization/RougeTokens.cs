namespace OnnxPretrain.Data;

/// <summary>
/// The tokenisation rule of Google's <c>rouge-score</c> package (<c>rouge/tokenize.py</c>) before stemming: lower-case
/// the text, treat every run of characters outside <c>[a-z0-9]</c> as a separator, keep the non-empty runs. Punctuation
/// and non-ASCII letters therefore never count as words. Shared by PEGASUS's gap-sentence scores (here) and the ROUGE
/// evaluator (<c>RougeTokenizer</c>, which adds optional Porter stemming).
/// </summary>
public static class RougeTokens
{
    /// <summary>The tokens of <paramref name="text"/>, each matching <c>^[a-z0-9]+$</c>, in text order (none for null or empty).</summary>
    public static List<string> Split(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text)) return tokens;
        string lower = text.ToLowerInvariant();
        int start = -1;
        for (int i = 0; i <= lower.Length; i++)
        {
            bool keep = i < lower.Length && lower[i] is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (keep && start < 0) start = i;
            else if (!keep && start >= 0)
            {
                tokens.Add(lower[start..i]);
                start = -1;
            }
        }
        return tokens;
    }
}
