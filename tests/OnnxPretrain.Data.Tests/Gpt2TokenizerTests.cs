using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class Gpt2TokenizerTests
{
    private static readonly TextTokenizer Gpt2 = TextTokenizer.CreateGpt2();

    [TestMethod]
    public void Encode_HelloWorld_GivesGpt2Ids()
    {
        CollectionAssert.AreEqual(new[] { 15496, 995 }, Gpt2.Encode("Hello world").ToArray());
    }

    [TestMethod]
    public void Specials_AppendedAfterGpt2Vocabulary()
    {
        SpecialTokens s = Gpt2.Specials;
        Assert.AreEqual((50262, 50257, 50258, 50259, 50260, 50261), (s.VocabSize, s.ClsId, s.SepId, s.PadId, s.MaskId, s.UnkId));
        CollectionAssert.AreEqual(new[] { 50256, 50257, 50258, 50259, 50260, 50261 }, s.NonReplaceableIds.ToArray());
        Assert.AreEqual("<mask>", Gpt2.IdToToken(50260));
    }

    [TestMethod]
    public void EncodePair_UsesSAndSlashS()
    {
        EncodedPair p = Gpt2.EncodePair("Hello", "world", 10);
        CollectionAssert.AreEqual(new[] { 50257, 15496, 50258, 6894, 50258 }, p.InputIds);
        CollectionAssert.AreEqual(new[] { "<s>", "Hello", "</s>", "world", "</s>" }, p.Tokens);
        Assert.AreEqual("<s>Hello</s>world</s>", Gpt2.Decode(p.InputIds, skipSpecialTokens: false));
        Assert.AreEqual("Helloworld", Gpt2.Decode(p.InputIds));
    }

    [TestMethod]
    public void Decode_Encode_RoundTrips()
    {
        const string text = "Hello world, it's GPT-2! Café 😀";
        Assert.AreEqual(text, Gpt2.Decode(Gpt2.Encode(text)));
    }

    [TestMethod]
    public void Decode_IdOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2.Decode([50262]));
    }
}
