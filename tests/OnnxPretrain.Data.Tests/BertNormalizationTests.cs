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
