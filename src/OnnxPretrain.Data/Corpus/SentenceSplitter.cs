using System.Collections.Frozen;

namespace OnnxPretrain.Data;

/// <summary>Options of <see cref="SentenceSplitter"/>.</summary>
public sealed record SentenceSplitterOptions
{
    /// <summary>
    /// Extra abbreviations (case-insensitive, without the final period, e.g. <c>"approx"</c>) after which a period
    /// never ends a sentence; added to the built-in English list.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is empty, contains whitespace or ends with a period.</exception>
    public IReadOnlyList<string> ExtraAbbreviations
    {
        get;
        init => field = Validate(value ?? throw new ArgumentNullException(nameof(ExtraAbbreviations)));
    } = [];

    private static IReadOnlyList<string> Validate(IReadOnlyList<string> list)
    {
        foreach (string a in list)
        {
            if (string.IsNullOrEmpty(a) || a.Any(char.IsWhiteSpace) || a.EndsWith('.'))
            {
                throw new ArgumentException($"Abbreviation '{a}' must be non-empty, without whitespace and without the final period.",
                    nameof(ExtraAbbreviations));
            }
        }
        return list.ToArray();
    }
}

/// <summary>
/// Rule-based English sentence splitter for plain text (in the spirit of Punkt-style heuristics, Kiss &amp; Strunk 2006,
/// without training). A sentence ends at a run of <c>. ? ! …</c>, optionally followed by closing quotes or brackets,
/// when whitespace follows and the next word does not start with a lower-case letter. A single period does not end a
/// sentence after a known abbreviation (Mr., Dr., e.g., Inc., Jan., …), an upper-case initial other than I (<c>J.</c>,
/// so "Plan B. Next" stays one sentence) or a dotted acronym
/// (<c>U.S.</c>, <c>i.e.</c>); decimals (<c>3.14</c>) never split because no whitespace follows the period.
/// Thread-safe.
/// </summary>
public sealed class SentenceSplitter
{
    private static readonly string[] BuiltInAbbreviations =
    [
        "mr", "mrs", "ms", "messrs", "mme", "mlle", "dr", "prof", "sr", "jr", "st", "rev", "hon", "esq",
        "gen", "gov", "sen", "rep", "pres", "lt", "col", "capt", "sgt", "maj", "cmdr", "adm", "cpl", "pvt",
        "mt", "ft", "ave", "blvd", "rd", "vs", "cf", "viz", "al", "approx", "dept", "univ", "assn", "bros",
        "inc", "ltd", "co", "corp", "no", "nos", "vol", "fig", "figs", "pp", "ed", "eds", "ch", "sec",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ];

    private readonly FrozenSet<string> _abbreviations;

    private SentenceSplitter(SentenceSplitterOptions options)
    {
        _abbreviations = BuiltInAbbreviations
            .Concat(options.ExtraAbbreviations.Select(a => a.ToLowerInvariant()))
            .ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>A splitter with the built-in English rules and no extra abbreviations.</summary>
    public static SentenceSplitter Default { get; } = new(new SentenceSplitterOptions());

    /// <summary>Creates a splitter.</summary>
    /// <param name="options">Options; null for the defaults.</param>
    public static SentenceSplitter Create(SentenceSplitterOptions? options = null) => new(options ?? new SentenceSplitterOptions());

    /// <summary>Splits <paramref name="text"/> (one paragraph; line breaks count as spaces) into trimmed, non-empty sentences.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<string>();
        int start = 0;
        int i = 0;
        while (i < text.Length)
        {
            if (!IsTerminal(text[i]))
            {
                i++;
                continue;
            }
            int afterRun = SkipWhile(text, i, IsTerminal);
            int afterClose = SkipWhile(text, afterRun, IsClosing);
            if (afterClose < text.Length && !char.IsWhiteSpace(text[afterClose]))
            {
                i = afterRun;
                continue;
            }
            int next = SkipWhile(text, afterClose, char.IsWhiteSpace);
            if (next < text.Length && EndsSentence(text, start, i, afterRun, next))
            {
                Add(sentences, text, start, afterClose);
                start = next;
            }
            i = afterClose;
        }
        Add(sentences, text, start, text.Length);
        return sentences;
    }

    private bool EndsSentence(string text, int start, int runStart, int runEnd, int next)
    {
        if (StartsLowerCase(text, next))
        {
            return false;
        }
        if (runEnd - runStart != 1 || text[runStart] != '.')
        {
            return true;
        }
        ReadOnlySpan<char> word = WordBefore(text, start, runStart);
        return !IsAbbreviation(word);
    }

    private bool IsAbbreviation(ReadOnlySpan<char> word)
    {
        if (word.IsEmpty)
        {
            return false;
        }
        if (word.Length == 1 && char.IsUpper(word[0]) && word[0] != 'I')
        {
            return true; // an initial: "John F. Kennedy" (not the pronoun "I")
        }
        if (IsDottedAcronym(word))
        {
            return true; // "U.S", "e.g", "i.e", "Ph.D"
        }
        Span<char> lower = word.Length <= 32 ? stackalloc char[word.Length] : new char[word.Length];
        word.ToLowerInvariant(lower);
        return _abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(lower);
    }

    private static bool IsDottedAcronym(ReadOnlySpan<char> word)
    {
        if (!word.Contains('.'))
        {
            return false;
        }
        foreach (Range part in word.Split('.'))
        {
            ReadOnlySpan<char> p = word[part];
            if (p.Length is 0 or > 2 || !char.IsLetter(p[0]) || (p.Length == 2 && !char.IsLetter(p[1])))
            {
                return false;
            }
        }
        return true;
    }

    private static ReadOnlySpan<char> WordBefore(string text, int start, int end)
    {
        int b = end;
        while (b > start && !char.IsWhiteSpace(text[b - 1]))
        {
            b--;
        }
        ReadOnlySpan<char> word = text.AsSpan(b, end - b);
        return word.TrimStart("\"'([{“‘«");
    }

    private static bool StartsLowerCase(string text, int index)
    {
        int i = index;
        while (i < text.Length && IsOpening(text[i]))
        {
            i++;
        }
        return i < text.Length && char.IsLower(text[i]);
    }

    private static int SkipWhile(string text, int index, Func<char, bool> predicate)
    {
        while (index < text.Length && predicate(text[index]))
        {
            index++;
        }
        return index;
    }

    private static void Add(List<string> sentences, string text, int start, int end)
    {
        string s = text[start..end].Trim();
        if (s.Length > 0)
        {
            sentences.Add(WhitespaceRuns.Collapse(s));
        }
    }

    private static bool IsTerminal(char c) => c is '.' or '?' or '!' or '…';

    private static bool IsClosing(char c) => c is '"' or '\'' or ')' or ']' or '}' or '”' or '’' or '»';

    private static bool IsOpening(char c) => c is '"' or '\'' or '(' or '[' or '{' or '“' or '‘' or '«';
}

/// <summary>Whitespace clean-up shared by the readers.</summary>
internal static class WhitespaceRuns
{
    /// <summary>Replaces each run of whitespace (including tabs and line breaks) by one space.</summary>
    public static string Collapse(string s)
    {
        bool needs = false;
        for (int i = 0; i < s.Length && !needs; i++)
        {
            needs = char.IsWhiteSpace(s[i]) && (s[i] != ' ' || (i + 1 < s.Length && char.IsWhiteSpace(s[i + 1])));
        }
        if (!needs)
        {
            return s;
        }
        var sb = new System.Text.StringBuilder(s.Length);
        foreach (char c in s)
        {
            bool ws = char.IsWhiteSpace(c);
            if (!ws || sb.Length == 0 || sb[^1] != ' ')
            {
                sb.Append(ws ? ' ' : c);
            }
        }
        return sb.ToString();
    }
}
