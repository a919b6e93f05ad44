using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

/// <summary>
/// Pinned bert-base-uncased ids. Every expected id was looked up by hand in vocab.txt (<c>grep -nx TOKEN vocab.txt</c>;
/// id = line number − 1), e.g. "5" line 1020 → 1019, "##°" line 7738 → 7737, "©" line 1076 → 1075.
/// Inconclusive when the vocabulary is neither cached nor fetchable with npm.
/// </summary>
[TestClass]
public sealed class BertBaseUncasedTests
{
    private static int[] Ids(string text) => SharedData.BertBaseUncased().Encode(text).ToArray();

    [TestMethod]
    public void Encode_GreekCapitalWordEndingInSigma_UsesTheFinalSigmaPiece()
    {
        // Python's and Rust's lower() turn "ΟΔΟΣ" into "οδος" with final sigma; its last piece is "##ος" (15297), as the
        // Hugging Face tokenizers give (a plain sigma would give another piece).
        var tokenizer = SharedData.BertBaseUncased();
        Assert.AreEqual("##ος", tokenizer.IdToToken(15297));
        Assert.AreEqual(15297, Ids("\u039F\u0394\u039F\u03A3")[^1]);
    }

    [TestMethod]
    public void Encode_SymbolSentence_KeepsEverySymbol()
    {
        // 5 + 3 = $ 8 at 25 ##° ##c ©  (the library's default options drop + = $ ° ©)
        CollectionAssert.AreEqual(new[] { 1019, 1009, 1017, 1027, 1002, 1022, 2012, 2423, 7737, 2278, 1075 }, Ids("5 + 3 = $8 at 25°C ©"));
    }

    [TestMethod]
    public void Encode_TabNewlineCarriageReturn_SplitWords()
    {
        // one line note book a b  (the library's default options give oneline notebook ab)
        CollectionAssert.AreEqual(new[] { 2028, 2240, 3602, 2338, 1037, 1038 }, Ids("one\nline note\tbook a\r\nb"));
    }

    [TestMethod]
    public void Encode_Emoji_BecomesUnk()
    {
        CollectionAssert.AreEqual(new[] { 7632, 100, 2045 }, Ids("hi 😀 there"));
    }

    [TestMethod]
    public void Encode_AccentedWords_LowercasedAndStripped()
    {
        CollectionAssert.AreEqual(new[] { 7668, 15743 }, Ids("Café naïve"));
    }

    [TestMethod]
    public void Encode_CjkCharacters_OneTokenEach()
    {
        // 我 line 1856 → 1855; 爱 is not in the vocabulary → [UNK] 100; you → 2017
        CollectionAssert.AreEqual(new[] { 1855, 100, 2017 }, Ids("我爱 you"));
    }

    [TestMethod]
    public void Encode_LongOrUnpieceableWord_IsOneUnk()
    {
        CollectionAssert.AreEqual(new[] { 100 }, Ids(new string('a', 101)));
        CollectionAssert.AreEqual(new[] { 7592, 100 }, Ids("hello ⅻⅻⅻ"));
    }

    [TestMethod]
    public void Encode_Unaffable_GreedyWordPieces()
    {
        // una 14477, ##ffa 20961, ##ble 3468
        CollectionAssert.AreEqual(new[] { 14477, 20961, 3468 }, Ids("unaffable"));
    }

    [TestMethod]
    public void Encode_PunctuationRunsAndContraction_SplitPerCharacter()
    {
        // hello 7592, ! 999 ×3, don 2123, ' 1005, t 1056
        CollectionAssert.AreEqual(new[] { 7592, 999, 999, 999, 2123, 1005, 1056 }, Ids("hello!!! don't"));
    }

    [TestMethod]
    public void Specials_AreBertBaseUncased()
    {
        Assert.AreSame(SpecialTokens.BertBaseUncased, SharedData.BertBaseUncased().Specials);
    }

    [TestMethod]
    public void EncodePair_Sentences_HasBertLayoutAndTokens()
    {
        EncodedPair p = SharedData.BertBaseUncased().EncodePair("Hello world", "How are you?", 16);
        CollectionAssert.AreEqual(new[] { 101, 7592, 2088, 102, 2129, 2024, 2017, 1029, 102 }, p.InputIds);
        CollectionAssert.AreEqual(new[] { "[CLS]", "hello", "world", "[SEP]", "how", "are", "you", "?", "[SEP]" }, p.Tokens);
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 1, 1, 1, 1, 1 }, p.TokenTypeIds);
    }

    [TestMethod]
    public void Decode_Ids_GivesLowercasedText()
    {
        TextTokenizer tok = SharedData.BertBaseUncased();
        Assert.AreEqual("cafe naive", tok.Decode(tok.Encode("Café naïve")));
    }
}
