using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

public sealed partial class TrainingSession
{
    private readonly Dictionary<string, (long[] Shape, float[] Data, OrtValue Value)> _masks = new(StringComparer.Ordinal);
    private TensorSpec[]? _maskSpecs;

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
        _maskSpecs ??= Manifest.DropoutSites.Select(site => Manifest.TrainingModel.Inputs.FirstOrDefault(i => i.Name == site.Name)
            ?? throw new InvalidDataException($"The manifest lists dropout site '{site.Name}', which is not a training-model input.")).ToArray();
        for (int site = 0; site < _maskSpecs.Length; site++)
        {
            var spec = Manifest.DropoutSites[site];
            var shape = DropoutMasks.Shape(_maskSpecs[site], sizes);
            if (!_masks.TryGetValue(spec.Name, out var buffer) || !buffer.Shape.SequenceEqual(shape))
            {
                buffer.Value?.Dispose();
                var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
                buffer = (shape, data, OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data.AsMemory(), shape));
                _masks[spec.Name] = buffer;
            }
            DropoutMasks.Fill(buffer.Data, spec.P, key, site);
            values.Add((spec.Name, buffer.Value));
        }
        DropoutMaskTime += System.Diagnostics.Stopwatch.GetElapsedTime(start);
        return values;
    }

    private void DisposeMasks()
    {
        foreach (var (_, _, v) in _masks.Values) v.Dispose();
        _masks.Clear();
    }
}
