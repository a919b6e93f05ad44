namespace OnnxPretrain.Data.Tests;

/// <summary>An in-memory corpus: documents → paragraphs → sentences → ids.</summary>
internal sealed class InMemorySentenceCorpus : ITokenizedCorpus
{
    private readonly List<IndexRange> _documents = [];
    private readonly List<IndexRange> _paragraphs = [];
    private readonly List<int[]> _sentences = [];

    public InMemorySentenceCorpus(int[][][][] documents, int vocabSize)
    {
        VocabSize = vocabSize;
        foreach (int[][][] document in documents)
        {
            _documents.Add(new IndexRange(_paragraphs.Count, document.Length));
            foreach (int[][] paragraph in document)
            {
                _paragraphs.Add(new IndexRange(_sentences.Count, paragraph.Length));
                _sentences.AddRange(paragraph);
            }
        }
        TokenCount = _sentences.Sum(s => (long)s.Length);
    }

    public int DocumentCount => _documents.Count;
    public int ParagraphCount => _paragraphs.Count;
    public int SentenceCount => _sentences.Count;
    public long TokenCount { get; }
    public int VocabSize { get; }
    public IndexRange GetDocumentParagraphs(int document) => _documents[document];
    public IndexRange GetParagraphSentences(int paragraph) => _paragraphs[paragraph];

    public IndexRange GetDocumentSentences(int document)
    {
        IndexRange p = _documents[document];
        int start = _paragraphs[p.Start].Start, end = p.Count == 0 ? start : _paragraphs[p.End - 1].End;
        return new IndexRange(start, end - start);
    }

    public ReadOnlySpan<int> GetSentence(int sentence) => _sentences[sentence];

    /// <summary>Writes the same structure to a token shard.</summary>
    public string WriteShard(string path)
    {
        using TokenShardWriter w = TokenShardWriter.Create(path, VocabSize, new string('0', 64), new string('1', 64));
        for (int d = 0; d < DocumentCount; d++)
        {
            w.BeginDocument();
            IndexRange ps = _documents[d];
            for (int p = ps.Start; p < ps.End; p++)
            {
                w.BeginParagraph();
                IndexRange ss = _paragraphs[p];
                for (int s = ss.Start; s < ss.End; s++) w.AddSentence(_sentences[s]);
            }
        }
        return w.Complete();
    }
}

/// <summary>
/// Synthetic corpora for the sentence-level tests. Sentence s holds ids 1000 + 8·s + j (j &lt; its length ≤ 7), so
/// every id names its sentence. Specials: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, V = 5000.
/// </summary>
internal static class SentenceLevelFixture
{
    public static readonly SpecialTokens Specials = new(5000, 0, 100, 101, 102, 103, [.. Enumerable.Range(0, 104)]);

    /// <summary>
    /// 16 documents; documents 0, 4, 8, 12 have one paragraph, the others 2-4; paragraphs of 1-5 sentences of 1-6 ids,
    /// with occasional empty sentences (never counted as usable).
    /// </summary>
    public static readonly InMemorySentenceCorpus Standard = Create(16, d => d % 4 == 0 ? 1 : 2 + d % 3, seed: 7);

    /// <summary>Builds a corpus with the given paragraphs per document; every paragraph has 1-5 non-empty sentences
    /// (at least <paramref name="minSentences"/>).</summary>
    public static InMemorySentenceCorpus Create(int documents, Func<int, int> paragraphs, int seed, int minSentences = 1,
        int maxSentences = 5)
    {
        var random = new Random(seed);
        int next = 0;
        int[] Sentence(int length)
        {
            int s = next++;
            return [.. Enumerable.Range(0, length).Select(j => 1000 + 8 * s + j)];
        }
        int[][] Paragraph()
        {
            var sentences = new List<int[]>();
            int count = random.Next(minSentences, maxSentences + 1);
            for (int i = 0; i < count; i++)
            {
                if (random.Next(8) == 0) sentences.Add(Sentence(0));
                sentences.Add(Sentence(random.Next(1, 7)));
            }
            return [.. sentences];
        }
        var docs = Enumerable.Range(0, documents)
            .Select(d => Enumerable.Range(0, paragraphs(d)).Select(_ => Paragraph()).ToArray()).ToArray();
        return new InMemorySentenceCorpus(docs, Specials.VocabSize);
    }

    public static int SentenceOf(long id) => (int)((id - 1000) / 8);

    /// <summary>Non-empty sentences of a paragraph, in order.</summary>
    public static List<int> Usable(ITokenizedCorpus corpus, int paragraph)
    {
        IndexRange r = corpus.GetParagraphSentences(paragraph);
        return [.. Enumerable.Range(r.Start, r.Count).Where(s => corpus.GetSentence(s).Length > 0)];
    }

    public static int DocumentOf(ITokenizedCorpus corpus, int paragraph) =>
        Enumerable.Range(0, corpus.DocumentCount).Single(d =>
        {
            IndexRange r = corpus.GetDocumentParagraphs(d);
            return paragraph >= r.Start && paragraph < r.End;
        });

    public static int[] Tokens(ITokenizedCorpus corpus, IEnumerable<int> sentences) =>
        [.. sentences.SelectMany(s => corpus.GetSentence(s).ToArray())];

    /// <summary>Eligible paragraphs of a document (≥ <paramref name="min"/> non-empty sentences).</summary>
    public static int EligibleParagraphs(ITokenizedCorpus corpus, int document, int min)
    {
        IndexRange r = corpus.GetDocumentParagraphs(document);
        return Enumerable.Range(r.Start, r.Count).Count(p => Usable(corpus, p).Count >= min);
    }

    /// <summary>Hugging Face's iterative longest_first: drop from the longer, from B on ties.</summary>
    public static (int, int) ReferenceTruncation(int a, int b, int budget)
    {
        while (a + b > budget)
        {
            if (a > b) a--;
            else b--;
        }
        return (a, b);
    }

    /// <summary>input_ids with every masked_lm position restored to its label: the rows before masking.</summary>
    public static long[] Unmasked(Batch batch)
    {
        long[] ids = (long[])batch.Arrays[BatcherInputNames.InputIds].Int64s.Clone();
        long[] positions = batch.Arrays[BatcherInputNames.MaskedLmPositions].Int64s;
        long[] labels = batch.Arrays[BatcherInputNames.MaskedLmLabels].Int64s;
        for (int k = 0; k < positions.Length; k++)
            if (labels[k] != MaskingDefaults.IgnoreLabel) ids[positions[k]] = labels[k];
        return ids;
    }

    /// <summary>Samples of <paramref name="steps"/> steps of <paramref name="rows"/> rows.</summary>
    public static List<SentenceLevelSample> Samples(SentenceLevelBatcher batcher, int steps, int rows = 64) =>
        [.. Enumerable.Range(0, steps).SelectMany(s => batcher.Sample(s, rows))];

    public static SentenceLevelBatcher Batcher(SentenceLevelTask task, ITokenizedCorpus? corpus = null, int t = 32,
        long seed = 3, double positive = 0.5, double hard = 0.25) =>
        new(new SentenceLevelBatcherOptions
        {
            Task = task, SequenceLength = t, Seed = seed, PositiveFraction = positive, HardNegativeFraction = hard,
        }, Specials, corpus ?? Standard);

    /// <summary>Asserts observed successes within 4 standard deviations of Binomial(n, p).</summary>
    public static void AssertBinomial(long observed, long n, double p, string what)
    {
        double mean = n * p, sigma = Math.Sqrt(n * p * (1 - p));
        Assert.IsLessThanOrEqualTo(4 * sigma, Math.Abs(observed - mean), $"{what}: {observed} of {n}, expected {mean:F1} ± 4·{sigma:F1}");
    }

    public static void AssertIdentical(Batch a, Batch b)
    {
        CollectionAssert.AreEquivalent(a.Arrays.Keys.ToList(), b.Arrays.Keys.ToList());
        foreach (var (name, array) in a.Arrays)
        {
            CollectionAssert.AreEqual(array.Shape, b.Arrays[name].Shape, name);
            CollectionAssert.AreEqual(array.Data, b.Arrays[name].Data, name);
        }
        Assert.AreEqual(a.TokenCount, b.TokenCount);
    }

    public static void AssertSameSample(SentenceLevelSample x, SentenceLevelSample y)
    {
        Assert.AreEqual(x with { A = y.A, B = y.B }, y);
        foreach (var (a, b) in new[] { (x.A, y.A), (x.B, y.B) })
        {
            Assert.AreEqual(a with { Sentences = b.Sentences }, b);
            CollectionAssert.AreEqual(a.Sentences.ToList(), b.Sentences.ToList());
        }
    }
}

[TestClass]
public sealed class SentenceLevelFixtureTests
{
    [TestMethod]
    public void StandardCorpus_Structure_HasOneAndMultiParagraphDocumentsAndEmptySentences()
    {
        var corpus = SentenceLevelFixture.Standard;
        Assert.AreEqual(16, corpus.DocumentCount);
        Assert.IsTrue(Enumerable.Range(0, corpus.SentenceCount).Any(s => corpus.GetSentence(s).Length == 0));
        Assert.IsLessThan(4000, 8 * corpus.SentenceCount, "ids stay below V");
        for (int s = 0; s < corpus.SentenceCount; s++)
            foreach (int id in corpus.GetSentence(s).ToArray()) Assert.AreEqual(s, SentenceLevelFixture.SentenceOf(id));
    }

    [TestMethod]
    [DataRow(SentenceLevelTask.Ssp)]
    [DataRow(SentenceLevelTask.Sp)]
    [DataRow(SentenceLevelTask.Psd)]
    public void Build_TokenShardCorpus_IdenticalToInMemoryCorpus(SentenceLevelTask task)
    {
        using var dir = new TempDir();
        using TokenShard shard = TokenShard.Open(SentenceLevelFixture.Standard.WriteShard(Path.Combine(dir.Path, "c.shard")));
        var memory = SentenceLevelFixture.Batcher(task);
        var mapped = SentenceLevelFixture.Batcher(task, shard);
        for (int step = 0; step < 4; step++)
            SentenceLevelFixture.AssertIdentical(memory.Build(step, 16), mapped.Build(step, 16));
    }
}
