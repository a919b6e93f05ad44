using System.Text.Json;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

/// <summary>Trainer progress saved beside the weights in <c>trainer_state.json</c>.</summary>
public sealed record TrainerState
{
    /// <summary>Optimizer steps taken (the next update is step <c>GlobalStep + 1</c>).</summary>
    public long GlobalStep { get; init; }

    /// <summary>Micro-batches (training-model runs) taken, accumulation included.</summary>
    public long MicroStep { get; init; }

    /// <summary>Position in the data stream (batches consumed), so a resumed run continues where it stopped.</summary>
    public long DataPosition { get; init; }

    /// <summary>Seed of the run's data and initialization.</summary>
    public long Seed { get; init; }

    /// <summary>Free-form extra values (last loss, learning rate, ...).</summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = new Dictionary<string, double>();

    /// <summary>The state of a run that has not started.</summary>
    public static TrainerState Initial { get; } = new();
}

/// <summary>
/// A training checkpoint folder: <c>model.safetensors</c> (parameters by Hugging Face name),
/// <c>optimizer.safetensors</c> (<c>&lt;p&gt;.momentum0</c>, <c>&lt;p&gt;.momentum1</c>) and <c>trainer_state.json</c>.
/// Written atomically: the files go to a fresh sibling folder that then replaces the old one, so a crash leaves
/// either the old or the new checkpoint, never a mix.
/// </summary>
public static class Checkpoint
{
    /// <summary>File names inside a checkpoint folder.</summary>
    public const string ModelFile = "model.safetensors", OptimizerFile = "optimizer.safetensors", StateFile = "trainer_state.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Zero first and second moments for every trainable parameter.</summary>
    public static Dictionary<string, TensorData> ZeroMoments(IEnumerable<Parameter> parameters)
    {
        var d = new Dictionary<string, TensorData>();
        foreach (var p in parameters.Where(p => p.Trainable))
        {
            d[ArtifactNames.Momentum0(p.Value.Name)] = TensorData.Zeros(p.Initial.Type, p.Initial.Shape);
            d[ArtifactNames.Momentum1(p.Value.Name)] = TensorData.Zeros(p.Initial.Type, p.Initial.Shape);
        }
        return d;
    }

    /// <summary>Writes a checkpoint folder atomically; <paramref name="writeExtra"/> may add files to the staging folder.</summary>
    /// <exception cref="IOException">The folder cannot be written.</exception>
    public static void Save(string dir, IReadOnlyDictionary<string, TensorData> parameters,
        IReadOnlyDictionary<string, TensorData> moments, TrainerState state, Action<string>? writeExtra = null)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        var staging = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        Safetensors.Write(Path.Combine(staging, ModelFile), parameters, new Dictionary<string, string> { ["format"] = "pt" });
        Safetensors.Write(Path.Combine(staging, OptimizerFile), moments);
        File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(state, Json));
        writeExtra?.Invoke(staging);
        var old = full + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(staging, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>Reads a checkpoint folder.</summary>
    /// <exception cref="FileNotFoundException">A checkpoint file is missing (names it).</exception>
    /// <exception cref="InvalidDataException">A file is corrupt (names file and problem).</exception>
    public static (SafetensorsFile Model, SafetensorsFile Optimizer, TrainerState State) Load(string dir)
    {
        RequireFolder(dir);
        var statePath = Path.Combine(dir, StateFile);
        if (!File.Exists(statePath)) throw new FileNotFoundException($"Checkpoint '{dir}' has no {StateFile}.", statePath);
        TrainerState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(statePath), Json) ?? throw new InvalidDataException($"'{statePath}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{statePath}' is not a valid trainer state: {e.Message}", e);
        }
        return (Safetensors.Read(Path.Combine(dir, ModelFile)), Safetensors.Read(Path.Combine(dir, OptimizerFile)), state);
    }

    /// <summary>
    /// The weights of a checkpoint folder (its <c>model.safetensors</c>) for exports and evaluations, which need neither
    /// the optimizer state nor the trainer state.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no model.safetensors.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt (names file and problem).</exception>
    public static SafetensorsFile LoadWeights(string dir)
    {
        RequireFolder(dir);
        var path = Path.Combine(dir, ModelFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{dir}' has no {ModelFile} (the weights); expected a " +
            $"checkpoint-<step> folder of a run, or an import.", path);
        return Safetensors.Read(path);
    }

    private static void RequireFolder(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException(File.Exists(dir)
                ? $"Checkpoint '{dir}' is a file; expected a checkpoint folder (with {ModelFile})."
                : $"Checkpoint folder '{dir}' does not exist.");
    }
}
