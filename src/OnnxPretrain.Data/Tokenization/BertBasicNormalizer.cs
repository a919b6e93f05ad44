using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace OnnxPretrain.Data;

/// <summary>
/// The normalisation half of BERT's basic tokenizer (Devlin et al. 2019, reference <c>tokenization.py</c>;
/// Hugging Face <c>BertNormalizer</c>), as a Microsoft.ML.Tokenizers <see cref="Normalizer"/>:
/// (1) clean text — drop U+0000, U+FFFD and control characters (Cc, Cf; a lone surrogate counts as U+FFFD), turn
/// tab/LF/CR, Zs and U+2028/U+2029 into a space (the last two as in Hugging Face's fast tokenizer); (2) surround CJK
/// ideographs with spaces; (3) strip accents — canonical decomposition (NFD) and removal of non-spacing marks (Mn);
/// (4) lower-case (simple case mapping; İ becomes i as in Hugging Face; a capital sigma at the end of a word becomes
/// final ς, as Rust's and Python's <c>lower()</c> and JavaScript's <c>toLowerCase</c> make it). Character categories come from .NET's
/// Unicode tables, which may be newer than Hugging Face's (a character assigned recently, e.g. U+061D, can split
/// differently).
/// Unlike the library's <c>BertNormalizer</c> it keeps tab/newline as word boundaries and needs no ICU.
/// Output length differs from input length, so offsets refer to the normalised text. Thread-safe.
/// </summary>
internal sealed class BertBasicNormalizer : Normalizer
{
    [ThreadStatic]
    private static List<int>? t_parts;

    [ThreadStatic]
    private static List<int>? t_sigmas;

    /// <summary>Creates the normaliser.</summary>
    /// <param name="lowerCase">Lower-case the text (uncased models).</param>
    /// <param name="stripAccents">Decompose and drop Mn marks (on for uncased BERT).</param>
    public BertBasicNormalizer(bool lowerCase = true, bool stripAccents = true)
    {
        LowerCase = lowerCase;
        StripAccents = stripAccents;
    }

    /// <summary>Whether text is lower-cased.</summary>
    public bool LowerCase { get; }

    /// <summary>Whether accents (Mn marks after NFD) are removed.</summary>
    public bool StripAccents { get; }

    /// <summary>Normalises <paramref name="original"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="original"/> is null.</exception>
    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return Normalize(original.AsSpan());
    }

    /// <summary>Normalises <paramref name="original"/>.</summary>
    public override string Normalize(ReadOnlySpan<char> original)
    {
        var sb = new StringBuilder(original.Length + 16);
        (t_sigmas ??= new List<int>(2)).Clear();
        for (int i = 0; i < original.Length;)
        {
            i += BertCharacters.Read(original, i, out int cp);
            if (cp < 0x80)
            {
                AppendAscii(sb, cp);
            }
            else if (cp == 0xFFFD || BertCharacters.IsControl(cp))
            {
                continue;
            }
            else if (BertCharacters.IsWhitespace(cp))
            {
                sb.Append(' ');
            }
            else if (BertCharacters.IsCjk(cp))
            {
                sb.Append(' ');
                AppendFolded(sb, cp);
                sb.Append(' ');
            }
            else
            {
                AppendFolded(sb, cp);
            }
        }
        foreach (int at in t_sigmas)
            if (IsWordFinal(sb, at)) sb[at] = 'ς';
        return sb.ToString();
    }

    // Unicode's Final_Sigma context: a cased letter before (skipping case-ignorable characters) and none after.
    private static bool IsWordFinal(StringBuilder sb, int at)
    {
        int before = at - 1, after = at + 1;
        while (before >= 0 && IsCaseIgnorable(sb[before])) before--;
        while (after < sb.Length && IsCaseIgnorable(sb[after])) after++;
        return before >= 0 && IsCased(sb[before]) && !(after < sb.Length && IsCased(sb[after]));
    }

    private static bool IsCased(char c) => char.IsLower(c) || char.IsUpper(c) || char.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(char c) => c is '\'' or '.' or ':' or '·' or '‘' or '’' or '․'
        || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    private void AppendAscii(StringBuilder sb, int cp)
    {
        if (cp is '\t' or '\n' or '\r')
        {
            sb.Append(' ');
        }
        else if (cp >= 0x20 && cp != 0x7F)
        {
            sb.Append(LowerCase && cp is >= 'A' and <= 'Z' ? (char)(cp + 32) : (char)cp);
        }
    }

    private void AppendFolded(StringBuilder sb, int cp)
    {
        if (!StripAccents)
        {
            if (cp == 0x03A3 && LowerCase) t_sigmas!.Add(sb.Length);
            AppendRune(sb, Lower(cp));
            return;
        }
        List<int> parts = t_parts ??= new List<int>(4);
        parts.Clear();
        UnicodeDecomposition.Decompose(cp, parts);
        foreach (int p in parts)
        {
            if (BertCharacters.Category(p) != UnicodeCategory.NonSpacingMark)
            {
                if (p == 0x03A3 && LowerCase) t_sigmas!.Add(sb.Length);
                AppendRune(sb, Lower(p));
            }
        }
    }

    private int Lower(int cp) => LowerCase ? Rune.ToLowerInvariant(new Rune(cp)).Value : cp;

    private static void AppendRune(StringBuilder sb, int cp)
    {
        if (cp < 0x10000)
        {
            sb.Append((char)cp);
        }
        else
        {
            sb.Append(new Rune(cp).ToString());
        }
    }
}
