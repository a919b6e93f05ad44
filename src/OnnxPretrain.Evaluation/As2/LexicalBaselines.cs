namespace OnnxPretrain.Evaluation;

/// <summary>
/// The two lexical answer-sentence-selection baselines of Yang, Yih and Meek 2015, "WikiQA: A Challenge Dataset for
/// Open-Domain Question Answering" (EMNLP), section 5.2: <b>word count</b>, the number of non-stop-words of the
/// question that also occur in the candidate (published on WikiQA test: MAP 0.4891, MRR 0.4924), and
/// <b>weighted word count</b>, the same overlap with each word weighted by its IDF (MAP 0.5099, MRR 0.5132).
/// </summary>
/// <remarks>
/// <para>
/// Tokenisation is a lower-case split on whitespace (WikiQA is already lower-cased and tokenised). Content words are
/// tokens that are not in <see cref="StopWords.English"/> and contain at least one letter or digit, so punctuation
/// tokens such as "," or "?" never count. Overlap is over word <em>types</em>: each distinct question content word
/// counts once when it occurs anywhere in the candidate. IDF is computed over the candidate sentences of the split
/// being evaluated, idf(w) = ln(N / df(w)) with N candidate rows and df(w) of them containing w (the paper used IDF
/// from a larger corpus).
/// </para>
/// <para>
/// Scores tie often (most candidates share 0 or 1 words with the question), so the tie-aware metrics of
/// <see cref="RankingMetrics"/> matter. On WikiQA test they give word count MAP ≈ 0.575 and weighted word count
/// MAP ≈ 0.582, above the published numbers; breaking ties against the file order (the last row first, as
/// trec_eval's descending document-id order does) gives ≈ 0.50 and ≈ 0.52, close to them, so the published values
/// appear to reflect an unfavourable tie order rather than a different baseline.
/// </para>
/// </remarks>
internal static class LexicalBaselines
{
    /// <summary>Lower-cases <paramref name="text"/> and splits it on whitespace (no empty tokens).</summary>
    public static string[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The distinct content words of <paramref name="text"/> in first-occurrence order (see the remarks).</summary>
    public static IReadOnlyList<string> ContentWords(string text)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return Tokenize(text).Where(t => !StopWords.English.Contains(t) && t.Any(char.IsLetterOrDigit) && seen.Add(t)).ToList();
    }

    /// <summary>Word count: the number of distinct content words of the question that occur in the candidate.</summary>
    public static double WordCount(string question, string candidate)
    {
        var words = new HashSet<string>(Tokenize(candidate), StringComparer.Ordinal);
        return ContentWords(question).Count(words.Contains);
    }

    /// <summary>
    /// Weighted word count: the sum of idf(w) over distinct content words w of the question that occur in the
    /// candidate (summed in question order, so equal overlaps give bit-identical scores). Words missing from
    /// <paramref name="idf"/> weigh 0.
    /// </summary>
    public static double IdfWeightedWordCount(string question, string candidate, IReadOnlyDictionary<string, double> idf)
    {
        ArgumentNullException.ThrowIfNull(idf);
        var words = new HashSet<string>(Tokenize(candidate), StringComparer.Ordinal);
        double sum = 0;
        foreach (string w in ContentWords(question))
        {
            if (words.Contains(w)) sum += idf.GetValueOrDefault(w);
        }
        return sum;
    }

    /// <summary>idf(w) = ln(N / df(w)) over <paramref name="documents"/> (N of them; df counts documents containing w).</summary>
    /// <exception cref="ArgumentException">There are no documents.</exception>
    public static Dictionary<string, double> InverseDocumentFrequencies(IEnumerable<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        int n = 0;
        foreach (string d in documents)
        {
            n++;
            foreach (string w in Tokenize(d).Distinct(StringComparer.Ordinal))
            {
                df[w] = df.GetValueOrDefault(w) + 1;
            }
        }
        if (n == 0) throw new ArgumentException("IDF needs at least one document.", nameof(documents));
        return df.ToDictionary(kv => kv.Key, kv => Math.Log((double)n / kv.Value), StringComparer.Ordinal);
    }

    /// <summary>Word-count scores of every row of <paramref name="data"/>, in file order.</summary>
    public static double[] WordCount(As2Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Pairs.Select(p => WordCount(p.Question, p.Candidate)).ToArray();
    }

    /// <summary>
    /// Weighted-word-count scores of every row of <paramref name="data"/>, in file order, with IDF over the split's
    /// candidate sentences (each row's candidate is one document, as the rows list them).
    /// </summary>
    public static double[] IdfWeightedWordCount(As2Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Dictionary<string, double> idf = InverseDocumentFrequencies(data.Pairs.Select(p => p.Candidate));
        return data.Pairs.Select(p => IdfWeightedWordCount(p.Question, p.Candidate, idf)).ToArray();
    }
}
