using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

/// <summary>
/// A loaded ONNX model with name-based execution on managed tensors: the simple path for evaluation, tests and
/// tools. The trainer uses <c>TrainingSession</c> instead, which keeps tensors in OrtValues between calls.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    /// <summary>The ORT session.</summary>
    public InferenceSession Session { get; }

    /// <summary>Input names in model order.</summary>
    public IReadOnlyList<string> InputNames => Session.InputNames;

    /// <summary>Output names in model order.</summary>
    public IReadOnlyList<string> OutputNames => Session.OutputNames;

    private OnnxModel(InferenceSession session) => Session = session;

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxRuntimeException">ORT rejects the model (the message names the node or op).</exception>
    public static OnnxModel Load(string path, SessionConfig? config = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        using var options = (config ?? new SessionConfig()).ToSessionOptions();
        return new OnnxModel(new InferenceSession(path, options));
    }

    /// <summary>Loads a model from serialized bytes.</summary>
    /// <exception cref="OnnxRuntimeException">ORT rejects the model.</exception>
    public static OnnxModel Load(byte[] model, SessionConfig? config = null)
    {
        using var options = (config ?? new SessionConfig()).ToSessionOptions();
        return new OnnxModel(new InferenceSession(model, options));
    }

    /// <summary>Runs the model on <paramref name="inputs"/> and returns the requested outputs (all when null) by name.</summary>
    /// <exception cref="ArgumentException">An input the model needs is missing, or an unknown input is given.</exception>
    public Dictionary<string, TensorData> Run(IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyList<string>? outputs = null)
    {
        var missing = InputNames.Where(n => !inputs.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"Missing model inputs: {string.Join(", ", missing)}.", nameof(inputs));
        var unknown = inputs.Keys.Where(n => !InputNames.Contains(n)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown model inputs: {string.Join(", ", unknown)}; the model takes " +
            $"{string.Join(", ", InputNames)}.", nameof(inputs));
        var names = InputNames.ToArray();
        var values = names.Select(n => OrtTensors.ToOrtValue(inputs[n])).ToArray();
        var outNames = (outputs ?? OutputNames).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var results = Session.Run(runOptions, names, values, outNames);
            var dict = new Dictionary<string, TensorData>();
            for (int i = 0; i < outNames.Length; i++) dict[outNames[i]] = OrtTensors.ToTensorData(results[i]);
            return dict;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => Session.Dispose();
}
