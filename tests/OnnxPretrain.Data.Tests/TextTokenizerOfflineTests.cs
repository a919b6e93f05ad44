using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

/// <summary>BERT adapter rules on a small synthetic vocab (no network): ids are line indexes of the file below.</summary>
[TestClass]
public sealed class TextTokenizerOfflineTests
{
    private static readonly string[] Vocab =
    [
        "[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "!", "'",
        "don", "t", "un", "##aff", "##able", "cafe", "naive", "我", "a", "##a",
        "+", "5", "°", "##c", "b", "how",
    ];

    private static TempDir? s_dir;
    private static TextTokenizer s_tok = null!;

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        s_dir = new TempDir();
        s_tok = TextTokenizer.CreateBert(s_dir.Write("vocab.txt", string.Join('\n', Vocab) + "\n"));
    }

    [ClassCleanup]
    public static void Cleanup() => s_dir?.Dispose();

    private static int[] Ids(string text) => s_tok.Encode(text).ToArray();

    [TestMethod]
    [DataRow("hello!!! don't", new[] { 6, 8, 8, 8, 10, 9, 11 })]
    [DataRow("unaffable", new[] { 12, 13, 14 })]
    [DataRow("Café NAÏVE", new[] { 15, 16 })]
    [DataRow("hello\tworld\nhello\r\nworld", new[] { 6, 7, 6, 7 })]
    [DataRow("hello 😀", new[] { 6, 2 })]
    [DataRow("a我a", new[] { 18, 17, 18 })]
    [DataRow("5+°c", new[] { 21, 20, 22, 23 })]
    [DataRow("helloq", new[] { 2 })]
    [DataRow("[SEP]", new[] { 2, 2, 2 })]
    public void Encode_BasicTokenizerRules_GivesExpectedIds(string text, int[] expected)
    {
        CollectionAssert.AreEqual(expected, Ids(text));
    }

    [TestMethod]
    public void Encode_WordOf100And101Chars_PiecesThenUnknown()
    {
        CollectionAssert.AreEqual(new[] { 18 }.Concat(Enumerable.Repeat(19, 99)).ToArray(), Ids(new string('a', 100)));
        CollectionAssert.AreEqual(new[] { 2 }, Ids(new string('a', 101)));
    }

    [TestMethod]
    public void Encode_EmojiWords_LimitCountsCodePointsNotUtf16Units()
    {
        // The Rust tokenizers count chars(): 51 emoji (102 UTF-16 units) are 51 pieces, 100 are 100, 101 are [UNK].
        using var dir = new TempDir();
        var tok = TextTokenizer.CreateBert(dir.Write("vocab.txt", string.Join('\n', Vocab.Concat(["😀", "##😀"])) + "\n"));
        string Emoji(int n) => string.Concat(Enumerable.Repeat("😀", n));
        int[] Pieces(int n) => [26, .. Enumerable.Repeat(27, n - 1)];
        CollectionAssert.AreEqual(Pieces(51), tok.Encode(Emoji(51)).ToArray());
        CollectionAssert.AreEqual(new[] { 6 }.Concat(Pieces(100)).Concat([7]).ToArray(), tok.Encode($"hello {Emoji(100)} world").ToArray());
        CollectionAssert.AreEqual(new[] { 6, 2, 8 }, tok.Encode($"Hello {Emoji(101)}!").ToArray());
        CollectionAssert.AreEqual(new[] { 12, 13, 14, 26 }, tok.Encode("UNAFFABLE 😀").ToArray());
    }

    [TestMethod]
    public void Specials_FromVocab_AreLineIndexes()
    {
        SpecialTokens s = s_tok.Specials;
        Assert.AreEqual((26, 0, 2, 3, 4, 5), (s.VocabSize, s.PadId, s.UnkId, s.ClsId, s.SepId, s.MaskId));
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4, 5 }, s.NonReplaceableIds.ToArray());
        Assert.AreEqual(26, s_tok.VocabSize);
    }

    [TestMethod]
    public void EncodePair_Fits_LaysOutClsASepBSep()
    {
        EncodedPair p = s_tok.EncodePair("hello world", "how", 16);
        CollectionAssert.AreEqual(new[] { 3, 6, 7, 4, 25, 4 }, p.InputIds);
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 1, 1 }, p.TokenTypeIds);
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 1, 1, 1 }, p.AttentionMask);
        CollectionAssert.AreEqual(new[] { "[CLS]", "hello", "world", "[SEP]", "how", "[SEP]" }, p.Tokens);
    }

    [TestMethod]
    [DataRow(10, 3, 8, 5, 3)]
    [DataRow(3, 3, 5, 2, 3)]
    [DataRow(7, 7, 6, 3, 3)]
    [DataRow(10, 1, 3, 2, 1)]
    [DataRow(2, 8, 4, 2, 2)]
    [DataRow(4, 0, 2, 2, 0)]
    public void LongestFirst_MatchesHuggingFaceTokenizers(int a, int b, int budget, int keepA, int keepB)
    {
        // Expected values produced by Hugging Face tokenizers (longest_first) for the same lengths.
        Assert.AreEqual((keepA, keepB), PairTruncation.LongestFirst(a, b, budget));
    }

    [TestMethod]
    public void EncodePair_TooLong_TruncatesLongestFirst()
    {
        EncodedPair p = s_tok.EncodePair("hello world hello world hello", "world hello", 7);
        CollectionAssert.AreEqual(new[] { 3, 6, 7, 4, 7, 6, 4 }, p.InputIds);
        EncodedPair single = s_tok.EncodePair("hello world hello", null, 3);
        CollectionAssert.AreEqual(new[] { 3, 6, 4 }, single.InputIds);
    }

    [TestMethod]
    public void EncodePair_MaxLengthBelowSpecials_ThrowsShowingValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => s_tok.EncodePair("a", "b", 2));
        StringAssert.Contains(e.Message, "got 2");
    }

    [TestMethod]
    public void Decode_OutOfRangeId_ThrowsNamingId()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => s_tok.Decode([6, 99]));
        StringAssert.Contains(e.Message, "99");
    }

    [TestMethod]
    public void CreateBert_EmptyLineOrMissingSpecial_ThrowsNamingFile()
    {
        using var dir = new TempDir();
        string blank = dir.Write("blank.txt", "[PAD]\n\n[UNK]\n");
        var e1 = Assert.Throws<CorpusFormatException>(() => TextTokenizer.CreateBert(blank));
        Assert.AreEqual(2L, e1.LineNumber);
        string noMask = dir.Write("nomask.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n");
        var e2 = Assert.Throws<CorpusFormatException>(() => TextTokenizer.CreateBert(noMask));
        StringAssert.Contains(e2.Message, "[MASK]");
        StringAssert.Contains(e2.Message, noMask);
    }

    [TestMethod]
    public void Fingerprint_DifferentVocab_Differs()
    {
        using var dir = new TempDir();
        TextTokenizer other = TextTokenizer.CreateBert(dir.Write("v.txt", string.Join('\n', Vocab) + "\nextra\n"));
        Assert.AreNotEqual(s_tok.Fingerprint, other.Fingerprint);
        Assert.AreEqual(64, other.Fingerprint.Length);
    }

    [TestMethod]
    public void EncodeWithContext_HandCase_ThreeSegmentsTypedZeroOneTwoAndContextTruncatedLast()
    {
        // ids: hello 6, world 7, ! 8, a 18, b 24, how 25, cafe 15; [CLS] 3, [SEP] 4.
        var full = s_tok.EncodeWithContext("how", "hello world", "a b", "cafe", 16);
        CollectionAssert.AreEqual(new[] { 3, 25, 4, 6, 7, 4, 18, 24, 15, 4 }, full.InputIds);
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 1, 1, 1, 2, 2, 2, 2 }, full.TokenTypeIds);
        // 8 ids: Q and C keep their 3 tokens, the context gets 1: the end of left ("b"), nothing of right (longest-first, right first to go).
        var cut = s_tok.EncodeWithContext("how", "hello world", "a b", "cafe", 8);
        CollectionAssert.AreEqual(new[] { 3, 25, 4, 6, 7, 4, 24, 4 }, cut.InputIds);
        // Empty neighbours (the first and last candidate): an empty third segment.
        CollectionAssert.AreEqual(new[] { 3, 25, 4, 6, 4, 4 }, s_tok.EncodeWithContext("how", "hello", "", "", 16).InputIds);
    }
}
