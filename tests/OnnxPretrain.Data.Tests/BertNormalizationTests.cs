using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class BertNormalizationTests
{
    private static readonly BertBasicNormalizer Uncased = new();

    [TestMethod]
    public void Normalize_ControlsWhitespaceAccents_CleansFoldsAndStrips()
    {
        Assert.AreEqual("cafe naive x  y", Uncased.Normalize("Café\tNAÏVE\u0000\u200B x\r\ny"));
    }

    [TestMethod]
    public void Normalize_CapitalSigma_FinalAtTheEndOfAWord()
    {
        // Python's and Rust's lower(): a capital sigma (U+03A3) ending a word becomes final sigma (U+03C2), elsewhere
        // sigma (U+03C3); an apostrophe is case-ignorable, so what follows it decides.
        const char sigma = '\u03C3', final = '\u03C2';
        Assert.AreEqual($"\u03BF\u03B4\u03BF{final}", Uncased.Normalize("\u039F\u0394\u039F\u03A3"));                  // ΟΔΟΣ -> οδος
        Assert.AreEqual($"{sigma}\u03B1 {sigma} \u03B5{final}' x \u03B5{sigma}'s",         // ΣΑ Σ ΕΣ' x ΕΣ's
            Uncased.Normalize("\u03A3\u0391 \u03A3 \u0395\u03A3' x \u0395\u03A3's"));
    }

    [TestMethod]
    public void Normalize_CjkIdeograph_IsPaddedWithSpaces()
    {
        Assert.AreEqual("a 我 b", Uncased.Normalize("a我b"));
    }

    [TestMethod]
    public void Normalize_HangulSyllable_DecomposesToJamo()
    {
        Assert.AreEqual("\u1112\u1161\u11AB", Uncased.Normalize("한"));
    }

    [TestMethod]
    public void Normalize_DottedCapitalI_BecomesPlainI()
    {
        Assert.AreEqual("istanbul", Uncased.Normalize("İstanbul"));
    }

    [TestMethod]
    public void Normalize_ReplacementCharAndLineSeparator_DroppedAndSpaced()
    {
        Assert.AreEqual("a b c", Uncased.Normalize("a\uFFFD\u2028b\u00A0c"));
    }

    [TestMethod]
    public void Normalize_CasedWithoutStripping_KeepsText()
    {
        Assert.AreEqual("Café", new BertBasicNormalizer(lowerCase: false, stripAccents: false).Normalize("Café"));
    }

    [TestMethod]
    public void Decomposition_Table_HasUnicode14EntriesAndRecursiveForms()
    {
        Assert.AreEqual(2061, UnicodeDecomposition.Count);
        var parts = new List<int>();
        UnicodeDecomposition.Decompose(0x1E09, parts); // ḉ = c + cedilla + acute
        CollectionAssert.AreEqual(new[] { 0x63, 0x327, 0x301 }, parts);
    }

    [TestMethod]
    public void PreTokenize_SymbolsAndPunctuation_AreSingleWords()
    {
        const string text = "5+3=$8 25°c © hello!!! don't";
        string[] words = BertBasicPreTokenizer.Instance.PreTokenize(text).Select(w => text.Substring(w.Offset, w.Length)).ToArray();
        CollectionAssert.AreEqual(new[] { "5", "+", "3", "=", "$", "8", "25°c", "©", "hello", "!", "!", "!", "don", "'", "t" }, words);
    }

    [TestMethod]
    public void PreTokenize_UnicodePunctuation_SplitsButSymbolsStay()
    {
        const string text = "x—y «z» ¿q? a😀b";
        string[] words = BertBasicPreTokenizer.Instance.PreTokenize(text).Select(w => text.Substring(w.Offset, w.Length)).ToArray();
        CollectionAssert.AreEqual(new[] { "x", "—", "y", "«", "z", "»", "¿", "q", "?", "a😀b" }, words);
    }
}
