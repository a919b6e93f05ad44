using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;

namespace OnnxPretrain.Export.Tests;

/// <summary>
/// The exported <c>tokenizer.json</c> read by Hugging Face's JavaScript tokenizer (<c>@huggingface/tokenizers</c>, the
/// one transformers.js uses) gives the ids and token types our tokenizer gives, on corpus text and on tricky strings.
/// One difference is by design: a special token written in the text ("[MASK]") is that token for Hugging Face's
/// tokenizers (fill-mask needs it) but plain text for ours (a corpus that mentions "[SEP]" must not split documents).
/// </summary>
[TestClass]
public sealed class TokenizerJsonTests
{
    private static readonly object[] Tricky =
    [
        "Café NAÏVE résumé, Ångström façade", "我爱北京天安门 and 東京", "hello 😀 world 🇫🇷", "tab\tnew\nline\u0000nul\u0007bell zero\u200bwidth",
        new string('a', 100) + " " + new string('b', 101), "don't stop-believing... (it's 3.14%) [cls]", "  spaces   around  ", "",
        "ΟΔΟΣ ΣΟΦΟΣ, Σ ΌΣΟΙ's", new[] { "who wrote hamlet?", "Shakespeare wrote Hamlet around 1600." }, new[] { "Café?", "naïve ANSWER 😀" },
    ];

    [TestMethod]
    [DataRow(false), DataRow(true)]
    public void TokenizerJson_InTheJavaScriptTokenizer_GivesOurIds(bool seq2seq)
    {
        var root = RepoRoot();
        if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", "@huggingface", "tokenizers")))
            Assert.Inconclusive("@huggingface/tokenizers is not installed: run `npm install --prefix tests/node --no-package-lock` (.ci/run does).");
        string vocab;
        try { vocab = BertVocabulary.EnsureBertBaseUncased(); }
        catch (Exception e) when (e is IOException or InvalidOperationException) { Assert.Inconclusive($"bert-base-uncased vocabulary " +
            $"unavailable: {e.Message}"); return; }
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-tokjson-").FullName;
        EncoderExport.WriteTokenizer(dir, vocab, seq2seq);
        var tokenizer = TextTokenizer.CreateBert(vocab);
        var corpus = DefaultCorpus.Load().Validation.SelectMany(d => d.Paragraphs).SelectMany(p => p.Sentences).Take(300).Cast<object>();
        var items = corpus.Concat(Tricky).ToList();
        var texts = Path.Combine(dir, "texts.json");
        File.WriteAllText(texts, JsonSerializer.Serialize(items));
        var js = JsonNode.Parse(Node(Path.Combine(root, "tests", "node", "tokenize.mjs"), dir, texts))!.AsArray();
        Assert.HasCount(items.Count, js);
        var s = tokenizer.Specials;
        for (int i = 0; i < items.Count; i++)
        {
            var (a, b) = items[i] is string[] pair ? (pair[0], pair[1]) : ((string)items[i], null);
            // Encoders: [CLS] A [SEP] (B [SEP]); our encoder-decoders' sources: A [SEP] (B [SEP]), [SEP] being their end of sequence.
            long[] second = b is null ? [] : [.. tokenizer.Encode(b).Select(x => (long)x), s.SepId];
            long[] start = seq2seq ? [] : [s.ClsId];
            long[] ids = [.. start, .. tokenizer.Encode(a).Select(x => (long)x), s.SepId, .. second];
            int first = tokenizer.Encode(a).Count + 1 + start.Length;
            long[] types = [.. Enumerable.Range(0, ids.Length).Select(k => k < first ? 0L : 1L)];
            CollectionAssert.AreEqual(ids, js[i]!["ids"]!.AsArray().Select(v => (long)v!).ToArray(), $"ids of item {i}: {JsonSerializer.Serialize(items[i])}");
            CollectionAssert.AreEqual(types, js[i]!["token_type_ids"]!.AsArray().Select(v => (long)v!).ToArray(), $"token types of item {i}");
        }
    }

    [TestMethod]
    public void Gpt2TokenizerJson_InTheJavaScriptTokenizer_GivesOurIds()
    {
        var root = RepoRoot();
        if (!Directory.Exists(Path.Combine(root, "tests", "node", "node_modules", "@huggingface", "tokenizers")))
            Assert.Inconclusive("@huggingface/tokenizers is not installed: run `npm install --prefix tests/node --no-package-lock` (.ci/run does).");
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-gpt2json-").FullName;
        Gpt2TokenizerFiles.Write(dir);
        var tokenizer = TextTokenizer.CreateGpt2();
        var corpus = DefaultCorpus.Load().Validation.SelectMany(d => d.Paragraphs).SelectMany(p => p.Sentences).Take(300).Cast<object>();
        object[] tricky = ["Café NAÏVE résumé", "我爱北京 😀 🇫🇷", "tab\tnew\nline  spaces   x", "don't we'll it's 3.14%", "",
            new[] { "who wrote it?", " Shakespeare did." }];
        var items = corpus.Concat(tricky).ToList();
        var texts = Path.Combine(dir, "texts.json");
        File.WriteAllText(texts, JsonSerializer.Serialize(items));
        var js = JsonNode.Parse(Node(Path.Combine(root, "tests", "node", "tokenize.mjs"), dir, texts))!.AsArray();
        var s = tokenizer.Specials;
        for (int i = 0; i < items.Count; i++)
        {
            var (a, b) = items[i] is string[] pair ? (pair[0], pair[1]) : ((string)items[i], null);
            long[] second = b is null ? [] : [.. tokenizer.Encode(b).Select(x => (long)x), s.SepId];
            long[] ids = [s.ClsId, .. tokenizer.Encode(a).Select(x => (long)x), s.SepId, .. second];
            CollectionAssert.AreEqual(ids, js[i]!["ids"]!.AsArray().Select(v => (long)v!).ToArray(), $"ids of item {i}: {JsonSerializer.Serialize(items[i])}");
        }
    }

    private static string Node(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("node", [script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process? p = null;
        try { p = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception) { Assert.Inconclusive("Node.js is not installed; the tokenizer client test needs it."); }
        var stdout = p!.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, stderr);
        return stdout;
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "OnnxPretrain.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("OnnxPretrain.sln not found");
    }
}
