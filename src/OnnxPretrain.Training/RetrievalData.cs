using OnnxPretrain.Data;
using OnnxPretrain.Models;

namespace OnnxPretrain.Training;

/// <summary>
/// Data side of the retrieval pre-training objectives (<c>prop</c>, <c>contrastive</c>): their batchers draw from the
/// tokenised corpus's document structure rather than from packed sequences. <c>training.batch_size</c> counts pairs:
/// a batch has 2 × batch_size rows (PROP: positive and negative set per pair; contrastive: the two sides).
/// </summary>
public static class RetrievalData
{
    /// <summary>Whether the recipe's objective is a retrieval objective.</summary>
    public static bool Handles(Recipe recipe) => ObjectiveRegistry.Get(recipe.Objective.Type).Rows == RowSource.DocumentPairs;

    /// <summary>PROP batcher options from the recipe (objective rates, data.sequence_length).</summary>
    public static PropBatcherOptions PropOptions(Recipe recipe, long seed) => PropOptions((PropConfig)recipe.Objective, recipe.Data.SequenceLength, seed);

    private static PropBatcherOptions PropOptions(PropConfig o, int sequenceLength, long seed) => new()
    {
        SequenceLength = sequenceLength, Seed = seed, SetsPerDocument = o.PropSetsPerDocument,
        PairsPerDocument = o.PropPairsPerDocument, PoissonLambda = o.PoissonLambda,
        MaxSetTokens = o.PropMaxSetTokens, MaskProbability = o.MaskProbability,
        MaskTokenFraction = o.EffectiveMaskTokenFraction, RandomTokenFraction = o.RandomTokenFraction,
    };

    /// <summary>Contrastive batcher options from the recipe.</summary>
    public static ContrastivePairBatcherOptions ContrastiveOptions(Recipe recipe, long seed) => new()
    {
        SequenceLength = recipe.Data.SequenceLength, Seed = seed,
        PairSource = ((ContrastiveConfig)recipe.Objective).PairSource switch { "title" => ContrastivePairSource.Title,
            "neighbours" => ContrastivePairSource.Neighbours, _ => ContrastivePairSource.Auto },
    };

    /// <summary>
    /// The batch source of a retrieval objective over one split: PROP with the tokenizer's word rules
    /// (<see cref="PropWordRules.For"/>), contrastive with the documents' titles tokenised (aligned with the shard).
    /// </summary>
    /// <param name="recipe">The recipe (objective prop or contrastive).</param>
    /// <param name="rules">PROP word rules; null = every id a word.</param>
    /// <param name="specials">Special ids.</param>
    /// <param name="corpus">The split's tokenised corpus.</param>
    /// <param name="titles">Per document the title's ids (contrastive), aligned with <paramref name="corpus"/>; null = none.</param>
    /// <param name="seed">Batcher seed.</param>
    /// <exception cref="ArgumentException">The corpus cannot give the objective's examples (see the batchers).</exception>
    public static IBatchSource Source(Recipe recipe, PropWordRules? rules, SpecialTokens specials, ITokenizedCorpus corpus,
        IReadOnlyList<int[]?>? titles, long seed) =>
        recipe.Objective is PropConfig
            ? new PropSource(new PropBatcher(PropOptions(recipe, seed), specials, corpus, rules), recipe.Training.BatchSize)
            : new ContrastiveSource(new ContrastivePairBatcher(ContrastiveOptions(recipe, seed), specials, corpus, titles), recipe.Training.BatchSize);

    /// <summary>The tokenised titles of <paramref name="documents"/> (null where a document has none).</summary>
    public static IReadOnlyList<int[]?> Titles(IReadOnlyList<Document> documents, TextTokenizer tokenizer) =>
        documents.Select(d => string.IsNullOrWhiteSpace(d.Title) ? null : tokenizer.Encode(d.Title).ToArray()).ToArray();

    /// <summary>The objective's real batcher over a 64-document <see cref="SyntheticCorpus"/> (full-length rows), for benchmarks.</summary>
    public static IBatchSource SyntheticSource(Recipe recipe, SpecialTokens specials, int pairs)
    {
        var corpus = new SyntheticCorpus(Math.Max(64, pairs + 1), recipe.Data.SequenceLength, specials, recipe.Training.Seed);
        return Source(recipe with { Training = recipe.Training with { BatchSize = pairs } }, null, specials, corpus, null, recipe.Training.Seed);
    }

    /// <summary>
    /// A batch of <paramref name="pairs"/> pairs made by the objective's real batcher from a synthetic corpus
    /// (<see cref="SyntheticCorpus"/>; full-length rows), for artifact building and benchmarks.
    /// </summary>
    public static Batch ExampleBatch(Recipe recipe, SpecialTokens specials, int pairs, long step = 0)
    {
        var corpus = new SyntheticCorpus(Math.Max(8, pairs + 1), recipe.Data.SequenceLength, specials, recipe.Training.Seed);
        var source = Source(recipe with { Training = recipe.Training with { BatchSize = pairs } }, null, specials, corpus, null, recipe.Training.Seed);
        return source.Get(step);
    }
}

/// <summary>
/// A synthetic tokenised corpus for benchmarks and example batches: documents of 2 paragraphs × 4 sentences of
/// ⌈T / 4⌉ uniform random ordinary ids each, so every row of a retrieval batch is full length.
/// </summary>
internal sealed class SyntheticCorpus : ITokenizedCorpus
{
    private readonly int[][] _sentences;

    /// <summary>Creates <paramref name="documents"/> documents for sequence length <paramref name="t"/>.</summary>
    public SyntheticCorpus(int documents, int t, SpecialTokens specials, long seed)
    {
        DocumentCount = documents;
        VocabSize = specials.VocabSize;
        var rows = SyntheticData.Sequences(documents * 8, t / 4 + 3, specials, seed);
        _sentences = rows.Select(r => r[1..^1]).ToArray();
    }

    /// <inheritdoc />
    public int DocumentCount { get; }

    /// <inheritdoc />
    public int ParagraphCount => DocumentCount * 2;

    /// <inheritdoc />
    public int SentenceCount => _sentences.Length;

    /// <inheritdoc />
    public long TokenCount => _sentences.Sum(s => (long)s.Length);

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public IndexRange GetDocumentParagraphs(int document) => new(Check(document, DocumentCount) * 2, 2);

    /// <inheritdoc />
    public IndexRange GetParagraphSentences(int paragraph) => new(Check(paragraph, ParagraphCount) * 4, 4);

    /// <inheritdoc />
    public IndexRange GetDocumentSentences(int document) => new(Check(document, DocumentCount) * 8, 8);

    /// <inheritdoc />
    public ReadOnlySpan<int> GetSentence(int sentence) => _sentences[Check(sentence, SentenceCount)];

    private static int Check(int index, int count) =>
        (uint)index < (uint)count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected [0, {count}).");
}
