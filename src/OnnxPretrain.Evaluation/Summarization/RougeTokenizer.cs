using System.Collections.Concurrent;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using OnnxPretrain.Data;

namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>
/// The tokenizer of Google's <c>rouge-score</c> package (<c>rouge/tokenize.py</c>, used by its default tokenizer):
/// lower-case the text, replace every run of characters outside <c>[a-z0-9]</c> by one space, split on whitespace
/// (<see cref="RougeTokens"/>, shared with PEGASUS's gap-sentence scores), optionally Porter-stem the tokens LONGER than 3 characters
/// (shorter ones are kept as they are), and drop empty tokens.
/// Non-ASCII letters (é, ß, CJK) are therefore separators, exactly as in <c>rouge-score</c>.
/// <para>Stemmer. <c>rouge-score</c> calls NLTK's <c>PorterStemmer()</c>, whose default mode is NLTK_EXTENSIONS: Martin
/// Porter's own reference implementation of Porter (1980), "An algorithm for suffix stripping", with his later
/// departures (step 2 <c>bli→ble</c> instead of <c>abli→able</c>, and <c>logi→log</c>), plus NLTK's additions. This class
/// stems with Lucene.Net's <see cref="PorterStemFilter"/>, i.e. <c>Lucene.Net.Analysis.En.PorterStemmer</c>, a port of
/// that same reference implementation (e.g. possibly → possibl, analogy → analog, as NLTK gives). Lucene.Net's other
/// Porter stemmer, <c>Lucene.Net.Tartarus.Snowball.Ext.PorterStemmer</c>, is the algorithm as originally published
/// (possibly → possibli, analogy → analogi) and was therefore NOT chosen. Known remaining differences from NLTK_EXTENSIONS
/// (rare in practice): NLTK keeps a small pool of irregular forms (skies → sky, dying → die, lying → lie, tying → tie,
/// news → news, exceed/proceed/succeed unchanged; Lucene gives ski, dy, ly, ty, new, exce, proce, succe), maps a final
/// <c>ies</c>/<c>ied</c> of a 4-letter word to <c>ie</c> (dies → die; Lucene: di), turns a final y into i only after a
/// consonant that is not the first letter, and strips <c>fulli→ful</c> and <c>lessli→less</c> in step 2
/// (hopefully → hope; Lucene: hopefulli).</para>
/// Thread-safe (stems are cached in a concurrent dictionary; each thread reuses its own Lucene analyzer components).
/// </summary>
public sealed class RougeTokenizer
{
    private static readonly ConcurrentDictionary<string, string> StemCache = new(StringComparer.Ordinal);
    private static readonly Analyzer StemAnalyzer = Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new KeywordTokenizer(reader);
        return new TokenStreamComponents(source, new PorterStemFilter(source));
    });

    private RougeTokenizer(bool stem) => Stemming = stem;

    /// <summary>The tokenizer without stemming (<c>rouge-score</c>'s <c>use_stemmer=False</c>).</summary>
    public static RougeTokenizer Plain { get; } = new(false);

    /// <summary>The tokenizer with Porter stemming of tokens longer than 3 characters (<c>use_stemmer=True</c>, PEGASUS's setting).</summary>
    public static RougeTokenizer Stemmed { get; } = new(true);

    /// <summary>The tokenizer for a stemming setting.</summary>
    /// <param name="stem">True: <see cref="Stemmed"/>; false: <see cref="Plain"/>.</param>
    /// <returns>The shared instance.</returns>
    public static RougeTokenizer For(bool stem) => stem ? Stemmed : Plain;

    /// <summary>Whether tokens longer than 3 characters are Porter-stemmed.</summary>
    public bool Stemming { get; }

    /// <summary>Tokenizes <paramref name="text"/> as <c>rouge-score</c> does (see the class remarks).</summary>
    /// <param name="text">Any text; null or empty gives no tokens.</param>
    /// <returns>The tokens, each matching <c>^[a-z0-9]+$</c>, in text order.</returns>
    public IReadOnlyList<string> Tokenize(string? text)
    {
        var tokens = RougeTokens.Split(text);
        if (Stemming) for (int i = 0; i < tokens.Count; i++) if (tokens[i].Length > 3) tokens[i] = Stem(tokens[i]);
        return tokens;
    }

    /// <summary>Lucene.Net's Porter stem (<see cref="PorterStemFilter"/>) of one lower-case token, cached.</summary>
    /// <param name="token">A token of <c>[a-z0-9]+</c>.</param>
    /// <returns>The stem; the token itself when Porter leaves it unchanged.</returns>
    public static string Stem(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return StemCache.GetOrAdd(token, static t =>
        {
            using TokenStream stream = StemAnalyzer.GetTokenStream("t", t);
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            string stem = stream.IncrementToken() ? term.ToString() : t;
            stream.End();
            return stem;
        });
    }
}
