using OnnxPretrain.Data;

namespace OnnxPretrain.Training;

/// <summary>Sentence-level pair batches (SSP / SP / PSD, with MLM) drawn from a tokenised corpus; batch k = batcher step k.</summary>
internal sealed class SentenceLevelSource(SentenceLevelBatcher batcher, int batchSize) : IBatchSource
{
    /// <inheritdoc />
    public Batch Get(long position) => batcher.Build(position, batchSize);
}

/// <summary>Context-pair rows (with MLM) drawn from a tokenised corpus; batch k = batcher step k.</summary>
internal sealed class ContextPairSource(ContextPairBatcher batcher, int batchSize) : IBatchSource
{
    /// <inheritdoc />
    public Batch Get(long position) => batcher.Build(position, batchSize, out _);
}

/// <summary>MSPP joint rows (with MLM) drawn from a tokenised corpus; batch k = batcher step k.</summary>
internal sealed class MultiSentenceSource(MultiSentenceBatcher batcher, int batchSize) : IBatchSource
{
    /// <inheritdoc />
    public Batch Get(long position) => batcher.Build(position, batchSize);
}

/// <summary>
/// "All" sentence-level objectives: batch k comes from SSP, SP or PSD in turn (k mod 3), each with its own seeded batcher,
/// so one shared pair-classification head learns all three (a documented simplification of training them jointly).
/// </summary>
internal sealed class RoundRobinSource(IReadOnlyList<IBatchSource> sources) : IBatchSource
{
    /// <inheritdoc />
    public Batch Get(long position) => sources[(int)(position % sources.Count)].Get(position / sources.Count);
}

/// <summary>One labelled text pair for classification (AS2: question, candidate sentence).</summary>
/// <param name="A">First segment.</param>
/// <param name="B">Second segment.</param>
/// <param name="Label">Class id (AS2: 1 = the candidate answers the question).</param>
/// <param name="Context">Contextual AS2: the candidate's previous and next sentences ("" at the ends), encoded as a third
/// segment (<see cref="TextTokenizer.EncodeWithContext"/>); null for plain pairs.</param>
public sealed record LabelledPair(string A, string B, long Label, (string Left, string Right)? Context = null);

/// <summary>
/// Batches of tokenised pairs <c>[CLS] A [SEP] B [SEP]</c> (with context: <c>… left right [SEP]</c>, type 2) with <c>labels</c> (B):
/// each epoch a permutation seeded by
/// (seed, epoch) (or file order when shuffling is off); rows padded to the longest in the batch.
/// Pairs are tokenised once, up front.
/// </summary>
public sealed class PairClassificationSource : IBatchSource
{
    private readonly EncodedPair[] _encoded;
    private readonly long[] _labels;
    private readonly int _batchSize, _padId;
    private readonly long _seed;
    private readonly bool _shuffle;

    /// <summary>Tokenises the pairs (longest-first truncation to <paramref name="maxLength"/>).</summary>
    /// <exception cref="ArgumentException">There are no pairs.</exception>
    public PairClassificationSource(IReadOnlyList<LabelledPair> pairs, TextTokenizer tokenizer, int maxLength, int batchSize, long seed, bool shuffle)
    {
        if (pairs.Count == 0) throw new ArgumentException("No labelled pairs to train on.", nameof(pairs));
        _encoded = pairs.Select(p => p.Context is { } c ? tokenizer.EncodeWithContext(p.A, p.B, c.Left, c.Right, maxLength)
            : tokenizer.EncodePair(p.A, p.B, maxLength)).ToArray();
        _labels = pairs.Select(p => p.Label).ToArray();
        (_batchSize, _seed, _shuffle, _padId) = (batchSize, seed, shuffle, tokenizer.Specials.PadId);
    }

    /// <summary>Number of pairs.</summary>
    public int Count => _encoded.Length;

    /// <summary>Batches per epoch (the last one may wrap into the next epoch).</summary>
    public int BatchesPerEpoch => (Count + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    public Batch Get(long position)
    {
        var rows = Enumerable.Range(0, _batchSize).Select(j => Index(position * _batchSize + j)).ToArray();
        return Assemble(rows);
    }

    /// <summary>The batch of the given pair indices (for scoring a whole split in order).</summary>
    public Batch Assemble(IReadOnlyList<int> rows)
    {
        int b = rows.Count, t = rows.Max(r => _encoded[r].InputIds.Length);
        var ids = new long[b * t];
        var mask = new long[b * t];
        var types = new long[b * t];
        Array.Fill(ids, _padId);
        long tokens = 0;
        for (int i = 0; i < b; i++)
        {
            var e = _encoded[rows[i]];
            for (int j = 0; j < e.InputIds.Length; j++) (ids[i * t + j], mask[i * t + j], types[i * t + j]) = (e.InputIds[j],
                e.AttentionMask[j], e.TokenTypeIds[j]);
            tokens += e.InputIds.Length;
        }
        var arrays = new Dictionary<string, BatchArray>
        {
            [BatcherInputNames.InputIds] = new(ids, [b, t]), [BatcherInputNames.AttentionMask] = new(mask, [b, t]),
                [BatcherInputNames.TokenTypeIds] = new(types, [b, t]),
            [BatcherInputNames.Labels] = new(rows.Select(r => _labels[r]).ToArray(), [b]),
        };
        return new Batch(arrays, tokens);
    }

    private int[]? _order;
    private long _orderEpoch = -1;

    private int Index(long sample)
    {
        int i = (int)(sample % Count);
        if (!_shuffle) return i;
        long epoch = sample / Count;
        if (epoch != _orderEpoch) (_order, _orderEpoch) = (new EpochShuffler(_seed).Order(Count, (int)epoch), epoch);
        return _order![i];
    }
}

/// <summary>PROP batches (B pairs = 2B rows, with MLM) drawn from a tokenised corpus; batch k = batcher step k.</summary>
internal sealed class PropSource(PropBatcher batcher, int pairs) : IBatchSource
{
    /// <inheritdoc />
    public Batch Get(long position) => batcher.Build(position, pairs);
}

/// <summary>Contrastive pair batches (B pairs = 2B rows) drawn from a tokenised corpus; batch k = batcher step k.</summary>
internal sealed class ContrastiveSource(ContrastivePairBatcher batcher, int pairs) : IBatchSource
{
    /// <inheritdoc />
    public Batch Get(long position) => batcher.Build(position, pairs);
}
