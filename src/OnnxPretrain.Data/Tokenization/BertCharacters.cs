using System.Globalization;
using System.Text;

namespace OnnxPretrain.Data;

/// <summary>
/// Character classes of BERT's basic tokenizer (Devlin et al. 2019, reference <c>tokenization.py</c>; Hugging Face
/// <c>BasicTokenizer</c>), by code point.
/// </summary>
internal static class BertCharacters
{
    /// <summary>
    /// Space, tab, LF, CR, Unicode category Zs, and U+2028/U+2029 (line/paragraph separator). The last two follow
    /// Hugging Face's fast (Rust) tokenizer, which uses the White_Space property; the Python BasicTokenizer keeps them
    /// inside words. The other White_Space characters outside Zs are controls and removed before this test.
    /// </summary>
    public static bool IsWhitespace(int cp) =>
        cp is ' ' or '\t' or '\n' or '\r' or 0x2028 or 0x2029
        || (cp > 0x7F && Category(cp) == UnicodeCategory.SpaceSeparator);

    /// <summary>Categories Cc and Cf, except tab, LF and CR (which are whitespace).</summary>
    public static bool IsControl(int cp)
    {
        if (cp is '\t' or '\n' or '\r')
        {
            return false;
        }
        if (cp < 0x80)
        {
            return cp < 0x20 || cp == 0x7F;
        }
        UnicodeCategory c = Category(cp);
        return c is UnicodeCategory.Control or UnicodeCategory.Format;
    }

    /// <summary>ASCII 33–47, 58–64, 91–96, 123–126 (all ASCII symbols and punctuation) or any Unicode P* category.</summary>
    public static bool IsPunctuation(int cp)
    {
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
        {
            return true;
        }
        if (cp < 0x80)
        {
            return false;
        }
        UnicodeCategory c = Category(cp);
        return c is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
            or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>CJK Unified Ideographs and extensions A–E, compatibility ideographs and supplement (BERT's list).</summary>
    public static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    /// <summary>Unicode general category (managed tables; independent of ICU and InvariantGlobalization).</summary>
    public static UnicodeCategory Category(int cp) => CharUnicodeInfo.GetUnicodeCategory(cp);

    /// <summary>Reads the code point at <paramref name="i"/>; a lone surrogate reads as U+FFFD. Returns its UTF-16 length.</summary>
    public static int Read(ReadOnlySpan<char> s, int i, out int cp)
    {
        if (Rune.DecodeFromUtf16(s[i..], out Rune r, out int used) == System.Buffers.OperationStatus.Done)
        {
            cp = r.Value;
            return used;
        }
        cp = 0xFFFD;
        return Math.Max(used, 1);
    }
}
