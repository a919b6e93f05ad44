using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class SentenceSplitterTests
{
    private static string[] Split(string text) => SentenceSplitter.Default.Split(text).ToArray();

    [TestMethod]
    [DataRow("Mr. Smith met Dr. Jones. They talked.", new[] { "Mr. Smith met Dr. Jones.", "They talked." })]
    [DataRow("The U.S. economy grew 2.5 percent. Prices rose.", new[] { "The U.S. economy grew 2.5 percent.", "Prices rose." })]
    [DataRow("Use e.g. apples, i.e. fruit. Then stop.", new[] { "Use e.g. apples, i.e. fruit.", "Then stop." })]
    [DataRow("J. R. R. Tolkien wrote it. Read it.", new[] { "J. R. R. Tolkien wrote it.", "Read it." })]
    [DataRow("He said, \"Stop.\" Then he left.", new[] { "He said, \"Stop.\"", "Then he left." })]
    [DataRow("Really?! Yes! Why? Because.", new[] { "Really?!", "Yes!", "Why?", "Because." })]
    [DataRow("Wait... What happened?", new[] { "Wait...", "What happened?" })]
    [DataRow("Thank you. (Applause.) Thank you.", new[] { "Thank you.", "(Applause.)", "Thank you." })]
    [DataRow("It costs $3.50 today. Buy it.", new[] { "It costs $3.50 today.", "Buy it." })]
    [DataRow("See fig. 3 for details. Done.", new[] { "See fig. 3 for details.", "Done." })]
    [DataRow("It ended at 5 p.m. on Friday.", new[] { "It ended at 5 p.m. on Friday." })]
    [DataRow("So did I. We left.", new[] { "So did I.", "We left." })]
    [DataRow("Smith Inc. Makes toys. Ok.", new[] { "Smith Inc. Makes toys.", "Ok." })]
    [DataRow("no terminal punctuation", new[] { "no terminal punctuation" })]
    [DataRow("Apples, pears, etc. Then more.", new[] { "Apples, pears, etc.", "Then more." })]
    [DataRow("In 1990. 2000 came later.", new[] { "In 1990.", "2000 came later." })]
    public void Split_EnglishText_SplitsAtSentenceEnds(string text, string[] expected)
    {
        CollectionAssert.AreEqual(expected, Split(text));
    }

    [TestMethod]
    public void Split_WhitespaceRuns_CollapsedToOneSpace()
    {
        CollectionAssert.AreEqual(new[] { "A b c.", "D." }, Split("  A  b\tc.   D.  "));
    }

    [TestMethod]
    public void Split_Empty_ReturnsNoSentences()
    {
        Assert.IsEmpty(Split("   "));
    }

    [TestMethod]
    public void Create_ExtraAbbreviation_PreventsSplit()
    {
        var splitter = SentenceSplitter.Create(new SentenceSplitterOptions { ExtraAbbreviations = ["Approx2"] });
        CollectionAssert.AreEqual(new[] { "About approx2. Ten items." }, splitter.Split("About approx2. Ten items.").ToArray());
    }

    [TestMethod]
    public void Options_AbbreviationWithPeriod_ThrowsShowingValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new SentenceSplitterOptions { ExtraAbbreviations = ["etc."] });
        StringAssert.Contains(e.Message, "'etc.'");
    }
}
