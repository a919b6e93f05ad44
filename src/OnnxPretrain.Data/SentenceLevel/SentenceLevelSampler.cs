namespace OnnxPretrain.Data;

/// <summary>
/// Draws the (A, B) pair of one row for SSP, SP or PSD (Di Liello et al. 2022, §3) from a row generator; the rules are
/// documented on <see cref="SentenceLevelBatcher"/>. Every draw is uniform over the units that fit (see
/// <see cref="SentenceLevelCorpusIndex"/>), so a draw never loops. Stateless apart from the corpus index: thread-safe
/// given one generator per thread.
/// </summary>
internal sealed class SentenceLevelSampler
{
    private readonly SentenceLevelBatcherOptions _options;
    private readonly ITokenizedCorpus _corpus;
    private readonly SentenceLevelCorpusIndex _index;

    public SentenceLevelSampler(SentenceLevelBatcherOptions options, ITokenizedCorpus corpus)
    {
        _options = options;
        _corpus = corpus;
        // SSP needs two disjoint spans in a positive's paragraph; SP needs B non-empty after removing A.
        int minSentences = options.Task == SentenceLevelTask.Psd ? 1 : 2;
        _index = new SentenceLevelCorpusIndex(corpus, minSentences);
        CheckCorpus();
    }

    /// <summary>Draws one row's sample: the kind first (one uniform), then the task's units.</summary>
    public SentenceLevelSample Draw(MaskingRng rng)
    {
        SentenceLevelExampleKind drawn = DrawKind(rng.NextDouble());
        var (kind, a, b) = _options.Task switch
        {
            SentenceLevelTask.Ssp => DrawSsp(drawn, rng),
            SentenceLevelTask.Sp => DrawSp(drawn, rng),
            _ => DrawPsd(drawn, rng),
        };
        bool fellBack = drawn == SentenceLevelExampleKind.HardNegative && kind == SentenceLevelExampleKind.EasyNegative;
        return Finish(kind, fellBack, a, b);
    }

    private SentenceLevelExampleKind DrawKind(double u)
    {
        if (u < _options.PositiveFraction) return SentenceLevelExampleKind.Positive;
        if (u < _options.PositiveFraction + _options.HardNegativeFraction) return SentenceLevelExampleKind.HardNegative;
        return SentenceLevelExampleKind.EasyNegative;
    }

    private (SentenceLevelExampleKind, Unit, Unit) DrawSsp(SentenceLevelExampleKind drawn, MaskingRng rng)
    {
        int entry = _index.Draw(rng);
        List<int> sentences = _index.UsableSentences(_index.Paragraph(entry));
        int n = sentences.Count, lengthA = SpanLength(n - 1, rng);
        if (drawn == SentenceLevelExampleKind.Positive)
        {
            int lengthB = SpanLength(n - lengthA, rng);
            var (startA, startB) = PlaceDisjoint(n, lengthA, lengthB, rng);
            return (drawn, UnitOf(entry, sentences.GetRange(startA, lengthA)), UnitOf(entry, sentences.GetRange(startB, lengthB)));
        }
        var a = UnitOf(entry, Span(sentences, lengthA, rng));
        var (kind, other) = DrawNegativeEntry(drawn, entry, rng);
        List<int> otherSentences = _index.UsableSentences(_index.Paragraph(other));
        int lengthOther = SpanLength(otherSentences.Count, rng);
        return (kind, a, UnitOf(other, Span(otherSentences, lengthOther, rng)));
    }

    private (SentenceLevelExampleKind, Unit, Unit) DrawSp(SentenceLevelExampleKind drawn, MaskingRng rng)
    {
        int entry = _index.Draw(rng);
        List<int> sentences = _index.UsableSentences(_index.Paragraph(entry));
        int lengthA = SpanLength(sentences.Count - 1, rng);
        int startA = rng.NextInt(sentences.Count - lengthA + 1);
        var a = UnitOf(entry, sentences.GetRange(startA, lengthA));
        if (drawn == SentenceLevelExampleKind.Positive)
        {
            var rest = new List<int>(sentences);
            rest.RemoveRange(startA, lengthA);
            return (drawn, a, UnitOf(entry, rest));
        }
        var (kind, other) = DrawNegativeEntry(drawn, entry, rng);
        return (kind, a, UnitOf(other, _index.UsableSentences(_index.Paragraph(other))));
    }

    private (SentenceLevelExampleKind, Unit, Unit) DrawPsd(SentenceLevelExampleKind drawn, MaskingRng rng)
    {
        int entry, other;
        SentenceLevelExampleKind kind;
        if (drawn == SentenceLevelExampleKind.Positive)
        {
            entry = _index.DrawWithSibling(rng);
            other = _index.DrawSibling(entry, rng);
            kind = drawn;
        }
        else
        {
            entry = _index.Draw(rng);
            other = _index.DrawOtherDocument(entry, rng);
            kind = SentenceLevelExampleKind.EasyNegative;
        }
        return (kind, UnitOf(entry, _index.UsableSentences(_index.Paragraph(entry))),
            UnitOf(other, _index.UsableSentences(_index.Paragraph(other))));
    }

    /// <summary>B's paragraph of a negative: another of A's document when hard and possible, else another document's.</summary>
    private (SentenceLevelExampleKind Kind, int Entry) DrawNegativeEntry(SentenceLevelExampleKind drawn, int entry, MaskingRng rng)
    {
        if (drawn == SentenceLevelExampleKind.HardNegative && _index.HasSibling(entry))
            return (drawn, _index.DrawSibling(entry, rng));
        return (SentenceLevelExampleKind.EasyNegative, _index.DrawOtherDocument(entry, rng));
    }

    /// <summary>A span length uniform in [1, min(3, room)].</summary>
    private static int SpanLength(int room, MaskingRng rng) =>
        SentenceLevelBatcherOptions.MinSpanSentences
        + rng.NextInt(Math.Min(SentenceLevelBatcherOptions.MaxSpanSentences, room) - SentenceLevelBatcherOptions.MinSpanSentences + 1);

    /// <summary>A span of <paramref name="length"/> consecutive sentences at a uniform start.</summary>
    private static List<int> Span(List<int> sentences, int length, MaskingRng rng) =>
        sentences.GetRange(rng.NextInt(sentences.Count - length + 1), length);

    /// <summary>
    /// Starts of two disjoint spans of lengths <paramref name="a"/> and <paramref name="b"/> in n sentences, uniform over
    /// all valid placements: a uniform order, then a uniform split of the n − a − b free sentences into the gaps before,
    /// between and after the two spans (each placement is exactly one (order, split) pair).
    /// </summary>
    internal static (int StartA, int StartB) PlaceDisjoint(int n, int a, int b, MaskingRng rng)
    {
        int free = n - a - b;
        bool aFirst = rng.NextInt(2) == 0;
        int c = rng.NextInt((free + 1) * (free + 2) / 2), before = 0;
        while (c > free - before)
        {
            c -= free - before + 1;
            before++;
        }
        int firstLength = aFirst ? a : b, secondStart = before + firstLength + c;
        return aFirst ? (before, secondStart) : (secondStart, before);
    }

    private Unit UnitOf(int entry, List<int> sentences) => new(_index.Document(entry), _index.Paragraph(entry), sentences);

    private SentenceLevelSample Finish(SentenceLevelExampleKind kind, bool fellBack, Unit a, Unit b)
    {
        int tokensA = Tokens(a.Sentences), tokensB = Tokens(b.Sentences);
        var (keepA, keepB) = SentenceLevelBatcher.TruncateLongestFirst(tokensA, tokensB, _options.SequenceLength - 3);
        return new SentenceLevelSample(_options.Task, kind, fellBack,
            new SentenceLevelSegment(a.Document, a.Paragraph, a.Sentences, tokensA, keepA),
            new SentenceLevelSegment(b.Document, b.Paragraph, b.Sentences, tokensB, keepB));
    }

    private int Tokens(List<int> sentences) => sentences.Sum(s => _corpus.GetSentence(s).Length);

    private void CheckCorpus()
    {
        string task = _options.Task.ToString().ToUpperInvariant();
        if (_index.EligibleCount == 0)
            throw new ArgumentException(
                $"The corpus has no paragraph with >= {_index.MinSentences} non-empty sentences, which {task} needs.", "corpus");
        if (_options.PositiveFraction < 1 && _index.DocumentsWithEligible < 2)
            throw new ArgumentException(
                $"{task} negatives need usable paragraphs in >= 2 documents, the corpus has {_index.DocumentsWithEligible} " +
                $"(PositiveFraction = {_options.PositiveFraction}).", "corpus");
        if (_options.Task == SentenceLevelTask.Psd && _options.PositiveFraction > 0 && _index.MultiCount == 0)
            throw new ArgumentException("PSD positives need a document with >= 2 non-empty paragraphs; the corpus has none.", "corpus");
    }

    private sealed record Unit(int Document, int Paragraph, List<int> Sentences);
}
