using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>A first-stage or re-ranking retriever: the top documents of a query with their scores.</summary>
public interface IRetriever : IDisposable
{
    /// <summary>The up-to-<paramref name="k"/> best documents for <paramref name="query"/>, best first.</summary>
    IReadOnlyList<ScoredDoc> Search(string query, int k);
}

/// <summary>BM25 parameters.</summary>
/// <param name="K1">Term-frequency saturation k1 ≥ 0.</param>
/// <param name="B">Length normalisation b in [0, 1].</param>
public sealed record Bm25Options(double K1 = Bm25Options.DefaultK1, double B = Bm25Options.DefaultB)
{
    /// <summary>
    /// Default k1 = 0.9: Anserini's setting for its BEIR "flat" BM25 baselines (and its MS MARCO/Robust04 defaults),
    /// tuned on TREC collections of short documents, which Cranfield abstracts resemble; Lucene's own default is 1.2.
    /// </summary>
    public const double DefaultK1 = 0.9;

    /// <summary>Default b = 0.4 (Anserini's BEIR flat setting); Lucene's own default is 0.75.</summary>
    public const double DefaultB = 0.4;

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k1 &lt; 0 or b outside [0, 1] (or not finite).</exception>
    public Bm25Options Validate()
    {
        if (!double.IsFinite(K1) || K1 < 0) throw new ArgumentOutOfRangeException(nameof(K1), K1, "BM25 k1 must be a finite number ≥ 0.");
        if (!double.IsFinite(B) || B is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(B), B, "BM25 b must be in [0, 1].");
        return this;
    }
}

/// <summary>
/// BM25 (Robertson and Zaragoza 2009) with Lucene.Net 4.8: an in-memory <see cref="RAMDirectory"/> index with one
/// analysed field, <c>title + " " + text</c> (Anserini's BEIR "flat" layout), analysed by Lucene's
/// <see cref="EnglishAnalyzer"/> (standard tokenizer, English possessive filter, lower-casing, English stop words,
/// Porter stemmer), scored by <see cref="BM25Similarity"/> with the given k1/b. Queries are analysed by the same
/// analyzer into a bag of words (one SHOULD <see cref="TermQuery"/> per distinct term, boosted by its count, as
/// Anserini's bag-of-words query generator does), so no query-syntax character (<c>+ - ( ) : * ?</c> …) is ever
/// interpreted: special characters are neutralised rather than escaped.
/// </summary>
public sealed class Bm25Retriever : IRetriever
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private const string IdField = "id", ContentsField = "contents";
    private readonly RAMDirectory _dir;
    private readonly Analyzer _analyzer;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;

    /// <summary>The parameters in use.</summary>
    public Bm25Options Options { get; }

    /// <summary>Indexes <paramref name="corpus"/> in memory.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid k1/b.</exception>
    /// <exception cref="ArgumentException">The corpus is empty.</exception>
    public Bm25Retriever(IReadOnlyList<BeirDocument> corpus, Bm25Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (corpus.Count == 0) throw new ArgumentException("Cannot index an empty corpus.", nameof(corpus));
        Options = (options ?? new Bm25Options()).Validate();
        var similarity = new BM25Similarity((float)Options.K1, (float)Options.B);
        _dir = new RAMDirectory();
        _analyzer = new EnglishAnalyzer(Version);
        using (var writer = new IndexWriter(_dir, new IndexWriterConfig(Version, _analyzer) { Similarity = similarity, OpenMode = OpenMode.CREATE }))
        {
            foreach (var d in corpus)
            {
                writer.AddDocument(new Document { new StringField(IdField, d.Id, Field.Store.YES), new TextField(ContentsField, d.Contents, Field.Store.NO) });
            }
            writer.Commit();
        }
        _reader = DirectoryReader.Open(_dir);
        _searcher = new IndexSearcher(_reader) { Similarity = similarity };
    }

    /// <summary>The analysed terms of <paramref name="text"/> (what the index stores for it).</summary>
    public IReadOnlyList<string> Analyze(string text)
    {
        var terms = new List<string>();
        using var stream = _analyzer.GetTokenStream(ContentsField, new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    /// <summary>The bag-of-words query of <paramref name="text"/> (null when nothing survives analysis).</summary>
    public Query? BuildQuery(string text)
    {
        var counts = Analyze(text).CountBy(t => t).ToList();
        if (counts.Count == 0) return null;
        var query = new BooleanQuery();
        if (counts.Count > BooleanQuery.MaxClauseCount) BooleanQuery.MaxClauseCount = counts.Count;
        foreach (var (t, n) in counts) query.Add(new TermQuery(new Term(ContentsField, t)) { Boost = n }, Occur.SHOULD);
        return query;
    }

    /// <inheritdoc />
    /// <remarks>A query with no term left after analysis (only stop words or punctuation) returns no document.</remarks>
    public IReadOnlyList<ScoredDoc> Search(string query, int k)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var q = BuildQuery(query);
        if (q is null) return [];
        var top = _searcher.Search(q, k);
        return top.ScoreDocs.Select(sd => new ScoredDoc(_searcher.Doc(sd.Doc).Get(IdField), sd.Score)).ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _reader.Dispose();
        _analyzer.Dispose();
        _dir.Dispose();
    }
}
