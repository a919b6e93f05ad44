using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

[TestClass]
public sealed class SentenceEmbeddingFilesTests
{
    [TestMethod]
    public void Read_PublishedArcticEmbedFiles_GiveClsPoolingAndTheQueryPrefix()
    {
        // The files as Snowflake/snowflake-arctic-embed-xs ships them (abridged to the keys read).
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-st-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        File.WriteAllText(Path.Combine(dir, "1_Pooling", "config.json"), """
            {"word_embedding_dimension": 384, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false, "pooling_mode_max_tokens": false}
            """);
        File.WriteAllText(Path.Combine(dir, "config_sentence_transformers.json"), """
            {"prompts": {"query": "Represent this sentence for searching relevant passages: "}, "default_prompt_name": null}
            """);
        File.WriteAllText(Path.Combine(dir, "sentence_bert_config.json"), """{"max_seq_length": 512, "do_lower_case": false}""");
        Assert.AreEqual(new SentenceEmbeddingSpec("cls", true, 512, "Represent this sentence for searching relevant passages: "),
            SentenceEmbeddingFiles.Read(dir));
    }

    [TestMethod]
    public void WriteThenRead_RoundTrips_AndAFolderWithoutPoolingGivesNull()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-st-").FullName;
        Assert.IsNull(SentenceEmbeddingFiles.Read(dir));
        var spec = new SentenceEmbeddingSpec("mean", true, 128, null);
        SentenceEmbeddingFiles.Write(dir, 32, spec, modules: false);
        Assert.AreEqual(spec, SentenceEmbeddingFiles.Read(dir));
        Assert.IsFalse(File.Exists(Path.Combine(dir, "modules.json")));
        SentenceEmbeddingFiles.Write(dir, 32, spec with { Pooling = "cls", QueryPrefix = "query: " }, modules: true);
        Assert.AreEqual(spec with { Pooling = "cls", QueryPrefix = "query: " }, SentenceEmbeddingFiles.Read(dir));
        Assert.IsTrue(Directory.Exists(Path.Combine(dir, "2_Normalize")));
    }

    [TestMethod]
    public void Read_MaxPooling_IsRefusedNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-st-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        File.WriteAllText(Path.Combine(dir, "1_Pooling", "config.json"), """{"pooling_mode_cls_token": false, "pooling_mode_max_tokens": true}""");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SentenceEmbeddingFiles.Read(dir));
        StringAssert.Contains(e.Message, Path.Combine("1_Pooling", "config.json"));
        Assert.ThrowsExactly<ArgumentException>(() => SentenceEmbeddingFiles.Write(dir, 8, new SentenceEmbeddingSpec("max"), modules: false));
    }
}
