using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Training;

/// <summary>A deterministic source of batches: batch k depends only on k (and the source's seed), so runs resume exactly.</summary>
public interface IBatchSource
{
    /// <summary>Batch number <paramref name="position"/> (0-based).</summary>
    Batch Get(long position);
}

/// <summary>
/// A deterministic, resumable stream of batches over packed sequences: batch k holds the samples k·B .. k·B + B - 1
/// of an endless sequence of epochs, each epoch a permutation of all sequences seeded by (seed, epoch); the batcher
/// masks it with step = k. So batch k depends only on (sequences, seed, k), and a run resumed at data position k
/// continues exactly where it stopped.
/// </summary>
public sealed class BatchStream : IBatchSource
{
    private readonly IReadOnlyList<int[]> _sequences;
    private readonly IBatcher _batcher;
    private readonly int _batchSize;
    private readonly long _seed;
    private readonly bool _shuffle;
    private int[]? _perm;
    private long _permEpoch = -1;

    /// <summary>Creates the stream.</summary>
    /// <exception cref="ArgumentException">There are no sequences or the batch size is not positive.</exception>
    public BatchStream(IReadOnlyList<int[]> sequences, IBatcher batcher, int batchSize, long seed, bool shuffle = true)
    {
        if (sequences.Count == 0) throw new ArgumentException("The corpus produced no sequences; check the corpus path and tokenizer.", nameof(sequences));
        if (batchSize <= 0) throw new ArgumentException($"Batch size {batchSize} must be > 0.", nameof(batchSize));
        (_sequences, _batcher, _batchSize, _seed, _shuffle) = (sequences, batcher, batchSize, seed, shuffle);
    }

    /// <summary>Number of sequences.</summary>
    public int Count => _sequences.Count;

    /// <summary>Batch number <paramref name="position"/> (0-based).</summary>
    public Batch Get(long position)
    {
        var rows = new int[_batchSize][];
        for (int j = 0; j < _batchSize; j++)
        {
            long sample = position * _batchSize + j;
            rows[j] = _sequences[Index(sample / _sequences.Count, (int)(sample % _sequences.Count))];
        }
        return _batcher.Build(rows, position);
    }

    private int Index(long epoch, int i)
    {
        if (!_shuffle) return i;
        if (_permEpoch != epoch)
        {
            var rng = new Random((int)MaskingRng.Hash(_seed, epoch, 0x5eed));   // stable across processes (HashCode is not)
            _perm = Enumerable.Range(0, _sequences.Count).ToArray();
            rng.Shuffle(_perm);
            _permEpoch = epoch;
        }
        return _perm![i];
    }

    /// <summary>The batch's arrays as named tensors for the runtime.</summary>
    public static Dictionary<string, TensorData> ToTensors(Batch batch) =>
        batch.Arrays.ToDictionary(a => a.Key, a => TensorData.Create(a.Value.Data, a.Value.Shape));
}
