using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

public sealed partial class TrainingSession
{
    private readonly Dictionary<string, (long[] Shape, OrtValue Value)> _masks = new(StringComparer.Ordinal);

    /// <summary>Time spent drawing dropout masks so far (for benchmarks).</summary>
    public TimeSpan DropoutMaskTime { get; private set; }

    /// <summary>The dropout key a step uses when none is given: the run seed and this session's micro-step count.</summary>
    private ulong DefaultDropoutKey() => DropoutMasks.Key(LoadedState.Seed, MicroStep);

    /// <summary>
    /// Draws every dropout site's mask for <paramref name="batch"/> with <paramref name="key"/> into buffers kept between
    /// steps (reallocated only when the batch shape changes) and returns them by input name.
    /// </summary>
    /// <exception cref="InvalidDataException">A mask dim names a symbol no batch input gives.</exception>
    private List<(string Name, OrtValue Value)> DropoutValues(IReadOnlyDictionary<string, TensorData> batch, ulong key)
    {
        var values = new List<(string, OrtValue)>();
        if (Manifest.DropoutSites.Count == 0) return values;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var sizes = DropoutMasks.Bind(Manifest.BatchInputs, batch);
        for (int site = 0; site < Manifest.DropoutSites.Count; site++)
        {
            var spec = Manifest.DropoutSites[site];
            var tensor = Manifest.TrainingModel.Inputs.FirstOrDefault(i => i.Name == spec.Name)
                ?? throw new InvalidDataException($"The manifest lists dropout site '{spec.Name}', which is not a training-model input.");
            var shape = DropoutMasks.Shape(tensor, sizes);
            if (!_masks.TryGetValue(spec.Name, out var buffer) || !buffer.Shape.SequenceEqual(shape))
            {
                if (buffer.Value is not null) buffer.Value.Dispose();
                buffer = (shape, OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape));
                _masks[spec.Name] = buffer;
            }
            DropoutMasks.Fill(buffer.Value.GetTensorMutableDataAsSpan<float>(), spec.P, key, site);
            values.Add((spec.Name, buffer.Value));
        }
        DropoutMaskTime += System.Diagnostics.Stopwatch.GetElapsedTime(start);
        return values;
    }

    private void DisposeMasks()
    {
        foreach (var (_, v) in _masks.Values) v.Dispose();
        _masks.Clear();
    }
}
