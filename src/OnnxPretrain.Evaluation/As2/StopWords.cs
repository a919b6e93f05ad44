namespace OnnxPretrain.Evaluation;

/// <summary>
/// The English stop-word list used by the lexical AS2 baselines: NLTK's original English list (127 lower-case words,
/// as shipped with NLTK up to 3.2; Bird, Klein and Loper 2009), embedded so results need no download. It includes
/// the wh-words (what, which, who, whom, when, where, why, how), so question words never count as overlap.
/// </summary>
internal static class StopWords
{
    private static readonly string[] Words =
    [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are",
        "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
        "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
        "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up",
        "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
        "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor",
        "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now",
    ];

    /// <summary>The 127 stop words (lower case, ordinal comparison).</summary>
    public static IReadOnlySet<string> English { get; } = new HashSet<string>(Words, StringComparer.Ordinal);
}
