namespace OnnxPretrain.Data;

/// <summary>One named batch input as a plain row-major array and its shape (no ONNX types in this project).</summary>
/// <param name="Data">Elements: <c>long[]</c> for ids, masks, positions and labels; <c>float[]</c> for noise.</param>
/// <param name="Shape">Shape, e.g. (B, T) = <c>[16, 128]</c>.</param>
public sealed record BatchArray(Array Data, long[] Shape)
{
    /// <summary>The elements as <c>long[]</c>.</summary>
    /// <exception cref="InvalidOperationException">The array is not int64.</exception>
    public long[] Int64s => Data as long[] ?? throw new InvalidOperationException($"Batch array is {Data.GetType().Name}, not long[].");

    /// <summary>The elements as <c>float[]</c>.</summary>
    /// <exception cref="InvalidOperationException">The array is not float.</exception>
    public float[] Floats => Data as float[] ?? throw new InvalidOperationException($"Batch array is {Data.GetType().Name}, not float[].");
}

/// <summary>
/// A batch of model inputs by name (<c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>, objective inputs),
/// built by an objective's batcher. Deterministic given (seed, step).
/// </summary>
/// <param name="Arrays">Inputs by name.</param>
/// <param name="TokenCount">Real (non-padding) tokens in the batch, for throughput figures.</param>
public sealed record Batch(IReadOnlyDictionary<string, BatchArray> Arrays, long TokenCount);
