using Microsoft.ML.Tokenizers;

namespace OnnxPretrain.Data;

/// <summary>
/// The splitting half of BERT's basic tokenizer (Devlin et al. 2019; Hugging Face <c>BertPreTokenizer</c>), as a
/// Microsoft.ML.Tokenizers <see cref="PreTokenizer"/>: words are maximal runs of non-whitespace, non-punctuation
/// characters; every punctuation character — all ASCII symbols and punctuation (33–47, 58–64, 91–96, 123–126) and
/// Unicode P* — is a word of its own; whitespace (space, tab, LF, CR, Zs, U+2028, U+2029) separates words and is dropped. Symbols
/// outside those classes (°, ©, emoji) stay inside words and go to WordPiece. Special tokens are not recognised in
/// text. Thread-safe.
/// </summary>
internal sealed class BertBasicPreTokenizer : PreTokenizer
{
    /// <summary>The shared instance (the type has no state).</summary>
    public static BertBasicPreTokenizer Instance { get; } = new();

    /// <summary>Splits <paramref name="text"/>.</summary>
    /// <returns>(offset, length) in UTF-16 units of each word, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PreTokenize(text.AsSpan());
    }

    /// <summary>Splits <paramref name="text"/>.</summary>
    /// <returns>(offset, length) in UTF-16 units of each word, in order.</returns>
    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var words = new List<(int Offset, int Length)>(text.Length / 4 + 1);
        int start = -1;
        for (int i = 0; i < text.Length;)
        {
            int n = BertCharacters.Read(text, i, out int cp);
            if (BertCharacters.IsWhitespace(cp) || BertCharacters.IsPunctuation(cp))
            {
                if (start >= 0)
                {
                    words.Add((start, i - start));
                    start = -1;
                }
                if (!BertCharacters.IsWhitespace(cp))
                {
                    words.Add((i, n));
                }
            }
            else if (start < 0)
            {
                start = i;
            }
            i += n;
        }
        if (start >= 0)
        {
            words.Add((start, text.Length - start));
        }
        return words;
    }
}
