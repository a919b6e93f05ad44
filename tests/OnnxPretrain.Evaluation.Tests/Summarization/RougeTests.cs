using OnnxPretrain.Evaluation.Summarization;

namespace OnnxPretrain.Evaluation.Tests.Summarization;

[TestClass]
public sealed class RougeTests
{
    private const double Tol = 1e-12;

    private static void AssertScore(RougeScore s, double p, double r, double f)
    {
        Assert.AreEqual(p, s.Precision, Tol, "precision");
        Assert.AreEqual(r, s.Recall, Tol, "recall");
        Assert.AreEqual(f, s.F1, Tol, "F1");
    }

    [TestMethod]
    public void Tokenize_PunctuationCaseAndNonAscii_SplitLikeRougeScore()
    {
        // lower-case, every [^a-z0-9] run -> space: "The Cat-sat! R2-D2, café" -> the cat sat r2 d2 caf
        CollectionAssert.AreEqual(new[] { "the", "cat", "sat", "r2", "d2", "caf" },
            RougeTokenizer.Plain.Tokenize("The Cat-sat! R2-D2, café").ToArray());
        Assert.AreEqual(0, RougeTokenizer.Plain.Tokenize("!!! ... \n\t").Count);
        Assert.AreEqual(0, RougeTokenizer.Plain.Tokenize(null).Count);
    }

    [TestMethod]
    public void Tokenize_Stemmed_StemsOnlyTokensLongerThanThreeCharacters()
    {
        // "was" (3 chars) stays although Porter would give "wa"; "dogs" (4) -> dog; "running" -> run.
        CollectionAssert.AreEqual(new[] { "was", "dog", "run" }, RougeTokenizer.Stemmed.Tokenize("Was dogs running").ToArray());
        CollectionAssert.AreEqual(new[] { "was", "dogs", "running" }, RougeTokenizer.Plain.Tokenize("Was dogs running").ToArray());
    }

    [TestMethod]
    public void Stem_PorterReferenceImplementation_MatchesNltkNotThePublishedOriginal()
    {
        // Martin Porter's reference implementation (NLTK's default mode, used by rouge-score): bli -> ble, logi -> log.
        // The published 1980 algorithm (Snowball's "porter") gives possibli and analogi.
        Assert.AreEqual("possibl", RougeTokenizer.Stem("possibly"));
        Assert.AreEqual("analog", RougeTokenizer.Stem("analogy"));
        Assert.AreEqual("relat", RougeTokenizer.Stem("relational"));
        Assert.AreEqual("caress", RougeTokenizer.Stem("caresses"));
        Assert.AreEqual("poni", RougeTokenizer.Stem("ponies"));
    }

    [TestMethod]
    public void Score_RepeatedNgrams_ClipsMatchesToTheReferenceCounts()
    {
        // prediction: the the the cat (4 tokens); reference: the cat sat (3 tokens).
        // ROUGE-1: ref counts the:1 cat:1 sat:1, pred the:3 cat:1 -> matches min(1,3)+min(1,1)+0 = 2;
        //          P = 2/4, R = 2/3, F = 2·(1/2)(2/3)/(1/2+2/3) = 4/7.
        // ROUGE-2: pred bigrams (the the)×2, (the cat)×1 = 3; ref (the cat), (cat sat) = 2; matches 1 -> P 1/3, R 1/2, F 2/5.
        // ROUGE-L: LCS(the the the cat, the cat sat) = "the cat" = 2 -> P 2/4, R 2/3, F 4/7.
        RougeScores s = Rouge.Score("the the the cat", "The cat sat.", stem: false);
        AssertScore(s.Rouge1, 0.5, 2.0 / 3, 4.0 / 7);
        AssertScore(s.Rouge2, 1.0 / 3, 0.5, 0.4);
        AssertScore(s.RougeL, 0.5, 2.0 / 3, 4.0 / 7);
    }

    [TestMethod]
    public void Score_Subsequence_RougeLCountsNonContiguousMatches()
    {
        // prediction a x b y c (5), reference a b c (3): LCS = a b c = 3 -> P 3/5, R 1, F 2·0.6/1.6 = 0.75.
        // ROUGE-2: pred bigrams ax xb by yc, ref ab bc -> 0 matches.
        RougeScores s = Rouge.Score("a x b y c", "a b c", stem: false);
        AssertScore(s.RougeL, 0.6, 1, 0.75);
        AssertScore(s.Rouge1, 0.6, 1, 0.75);
        AssertScore(s.Rouge2, 0, 0, 0);
    }

    [TestMethod]
    public void Score_EmptyPredictionOrReference_IsZero()
    {
        foreach ((string p, string r) in new[] { ("", "a b"), ("a b", ""), ("", ""), ("?!", "a") })
        {
            RougeScores s = Rouge.Score(p, r, stem: true);
            for (int m = 0; m < 3; m++) AssertScore(s[m], 0, 0, 0);
        }
    }

    [TestMethod]
    public void Score_OneTokenEach_HasNoBigramsButFullUnigramMatch()
    {
        // "Meeting" vs "meeting": 1 unigram match of 1 -> R1 = RL = 1; no bigrams on either side -> R2 = 0.
        RougeScores s = Rouge.Score("Meeting", "meeting", stem: false);
        AssertScore(s.Rouge1, 1, 1, 1);
        AssertScore(s.Rouge2, 0, 0, 0);
        AssertScore(s.RougeL, 1, 1, 1);
    }

    [TestMethod]
    public void Score_StemmingOnOff_ChangesMatchesOfInflectedWords()
    {
        // Off: running dogs vs run dog share nothing. On: both become run dog -> every score 1.
        RougeScores off = Rouge.Score("running dogs", "run dog", stem: false);
        RougeScores on = Rouge.Score("running dogs", "run dog", stem: true);
        for (int m = 0; m < 3; m++)
        {
            AssertScore(off[m], 0, 0, 0);
            AssertScore(on[m], 1, 1, 1);
        }
    }

    [TestMethod]
    public void MeanAndMax_TwoReferences_AverageElementwiseAndPickHighestF1()
    {
        var a = new RougeScores(new(1, 0.5, 2.0 / 3), new(0.2, 0.2, 0.2), new(0, 0, 0));
        var b = new RougeScores(new(0.5, 0.5, 0.5), new(0.4, 0.4, 0.4), new(1, 1, 1));
        RougeScores mean = RougeScores.Mean([a, b]);
        AssertScore(mean.Rouge1, 0.75, 0.5, (2.0 / 3 + 0.5) / 2);
        AssertScore(mean.RougeL, 0.5, 0.5, 0.5);
        RougeScores max = RougeScores.Max([a, b]);
        AssertScore(max.Rouge1, 1, 0.5, 2.0 / 3); // a's whole score: highest F1, not the element-wise max
        AssertScore(max.Rouge2, 0.4, 0.4, 0.4);
        AssertScore(max.RougeL, 1, 1, 1);
    }

    [TestMethod]
    public void LcsLength_KnownSequences_MatchesHandCount()
    {
        // LCS(A B C B D A B, B D C A B A) = 4 (e.g. B C B A), the textbook example.
        Assert.AreEqual(4, Rouge.LcsLength("a b c b d a b".Split(' '), "b d c a b a".Split(' ')));
        Assert.AreEqual(0, Rouge.LcsLength([], ["a"]));
    }

    [TestMethod]
    public void RougeLsum_SentencesInAnotherOrder_MatchWhereWholeTextLcsCannot()
    {
        // Reference "the cat sat / the dog ran", prediction "the cat ran / the dog sat". Summary level: reference sentence 1
        // takes {the, cat} from prediction 1 and {the, sat} from prediction 2 -> the cat sat; sentence 2 likewise -> the
        // dog ran: 6 hits of 6 tokens each side -> P = R = F = 1. Whole-text LCS is "the cat the dog" = 4 -> 4/6.
        var s = Rouge.Score("the cat ran\nthe dog sat", "the cat sat\nthe dog ran", stem: false);
        AssertScore(s.RougeLsum, 1, 1, 1);
        AssertScore(s.RougeL, 4.0 / 6, 4.0 / 6, 4.0 / 6);
    }

    [TestMethod]
    public void RougeLsum_RepeatedTokens_CountOnceEach()
    {
        // Reference "the the / the", prediction "the": the prediction has one "the", so only one hit although both
        // reference sentences contain it -> P 1/1, R 1/3, F 0.5.
        AssertScore(Rouge.Score("the", "the the\nthe", stem: false).RougeLsum, 1, 1.0 / 3, 0.5);
        // "a b c / d" against "a c / x": hits a, c -> P 2/3, R 2/4, F 4/7; blank lines are not sentences.
        AssertScore(Rouge.Score("a c\n\nx", "a b c\nd", stem: false).RougeLsum, 2.0 / 3, 0.5, 4.0 / 7);
        AssertScore(Rouge.Score("", "a b", stem: false).RougeLsum, 0, 0, 0);
    }
}
