using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

// State handling of TrainingSession: loading, copying out, checkpointing, disposal.
public sealed partial class TrainingSession
{
    /// <summary>Current parameters, copied out, by name.</summary>
    public Dictionary<string, TensorData> GetParameters() => _params.ToDictionary(p => p.Key, p => OrtTensors.ToTensorData(p.Value));

    /// <summary>The accumulated gradients (as of the last <see cref="TrainStep"/>), copied out, by parameter name.</summary>
    public Dictionary<string, TensorData> GetGradients() => _grad.ToDictionary(p => p.Key, p => OrtTensors.ToTensorData(p.Value));

    /// <summary>AdamW moments, copied out, keyed <c>&lt;p&gt;.momentum0</c> / <c>&lt;p&gt;.momentum1</c>.</summary>
    public Dictionary<string, TensorData> GetMoments() =>
        _m0.Select(p => (ArtifactNames.Momentum0(p.Key), p.Value)).Concat(_m1.Select(p => (ArtifactNames.Momentum1(p.Key), p.Value)))
            .ToDictionary(p => p.Item1, p => OrtTensors.ToTensorData(p.Item2));

    /// <summary>
    /// Writes parameters, moments and the trainer state to <paramref name="dir"/> atomically;
    /// <paramref name="writeExtra"/> may add files (e.g. C-RTS cluster counts) to the staging folder.
    /// </summary>
    public void SaveCheckpoint(string dir, TrainerState? state = null, Action<string>? writeExtra = null) =>
        Checkpoint.Save(dir, GetParameters(), GetMoments(), (state ?? LoadedState) with { GlobalStep = GlobalStep, MicroStep = MicroStep }, writeExtra);

    private Dictionary<string, OrtValue> BatchValues(IReadOnlyDictionary<string, TensorData> batch)
    {
        var unknown = batch.Keys.Where(k => Manifest.BatchInputs.All(b => b.Name != k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown batch inputs {string.Join(", ", unknown)}; the model takes " +
                $"{string.Join(", ", Manifest.BatchInputs.Select(b => b.Name))}.", nameof(batch));
        var values = new Dictionary<string, OrtValue>();
        foreach (var spec in Manifest.BatchInputs)
        {
            if (!batch.TryGetValue(spec.Name, out var t))
                throw new ArgumentException($"Batch input '{spec.Name}' is missing.", nameof(batch));
            if (t.Type != spec.Dtype || t.Shape.Length != spec.Shape.Count)
                throw new ArgumentException($"Batch input '{spec.Name}' is {t}, expected {spec.Dtype} with dims " +
                    $"({string.Join(", ", spec.Shape)}).", nameof(batch));
            values[spec.Name] = OrtTensors.ToOrtValue(t);
        }
        return values;
    }

    private StepResult ScalarResult(Dictionary<string, TensorData> stepOutputs, long[] targets)
    {
        float loss = _scalarOuts[ArtifactNames.Loss].GetTensorDataAsSpan<float>()[0];
        var metrics = Manifest.Metrics.ToDictionary(m => m, m => _scalarOuts[m].GetTensorDataAsSpan<float>()[0]);
        return new StepResult(loss, metrics, stepOutputs, targets);
    }

    private Dictionary<string, TensorData> StepOutputs(OrtIoBinding binding)
    {
        var result = new Dictionary<string, TensorData>();
        if (Manifest.StepOutputs.Count == 0) return result;
        var names = binding.GetOutputNames();
        using var values = binding.GetOutputValues();
        for (int i = 0; i < names.Length; i++)
            if (Manifest.StepOutputs.Contains(names[i])) result[names[i]] = OrtTensors.ToTensorData(values[i]);
        return result;
    }

    /// <summary>Parameters, and the buffers a graph optimizer step writes into (the same values when not double-buffered).</summary>
    private (Dictionary<string, OrtValue>, Dictionary<string, OrtValue>) LoadParameters(SafetensorsFile model, bool doubleBuffered)
    {
        var current = new Dictionary<string, OrtValue>();
        var next = new Dictionary<string, OrtValue>();
        foreach (var spec in Manifest.Parameters)
        {
            var t = Expect(model, spec.Name, spec.Dtype, spec.Shape, "model");
            current[spec.Name] = OrtTensors.ToOrtValue(t);
            next[spec.Name] = spec.Trainable && doubleBuffered ? OrtTensors.ToOrtValue(t) : current[spec.Name];
        }
        return (current, next);
    }

    private (Dictionary<string, OrtValue>, Dictionary<string, OrtValue>) LoadMoments(SafetensorsFile optimizer, Func<string, string> name,
        bool doubleBuffered)
    {
        var current = new Dictionary<string, OrtValue>();
        var next = new Dictionary<string, OrtValue>();
        foreach (var spec in Manifest.TrainableParameters)
        {
            var t = Expect(optimizer, name(spec.Name), spec.Dtype, spec.Shape, "optimizer");
            current[spec.Name] = OrtTensors.ToOrtValue(t);
            next[spec.Name] = doubleBuffered ? OrtTensors.ToOrtValue(t) : current[spec.Name];
        }
        return (current, next);
    }

    private static TensorData Expect(SafetensorsFile file, string name, DataType type, long[] shape, string which)
    {
        if (!file.Tensors.TryGetValue(name, out var t))
            throw new InvalidDataException($"Checkpoint {which}.safetensors has no tensor '{name}'.");
        if (t.Type != type || !t.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"Checkpoint tensor '{name}' in {which}.safetensors is {t}, expected {type}[{string.Join(", ", shape)}].");
        return t;
    }

    private static OrtValue Zeros(OrtValue like)
    {
        var info = like.GetTensorTypeAndShape();
        var v = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, info.ElementDataType, info.Shape);
        v.GetTensorMutableDataAsSpan<byte>().Clear();
        return v;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var all = new HashSet<OrtValue>(_params.Values.Concat(_paramsNext.Values).Concat(_m0.Values).Concat(_m0Next.Values)
            .Concat(_m1.Values).Concat(_m1Next.Values).Concat(_grad.Values).Concat(_gradNext.Values).Concat(_scalarOuts.Values)
            .Concat([_reset, _lr, _step, _norm, _lossScales]));
        foreach (var v in all) v.Dispose();
        DisposeMasks();
        _train.Dispose();
        _eval.Dispose();
        _opt?.Dispose();
    }
}
