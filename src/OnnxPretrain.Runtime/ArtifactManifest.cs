using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

/// <summary>One model input or output: name, element type and dims (numbers, or names of symbolic dims such as <c>batch</c>).</summary>
/// <param name="Name">Value name.</param>
/// <param name="Dtype">Element type.</param>
/// <param name="Shape">Dims as text: a number, a symbol (<c>batch</c>, <c>batch*sequence</c>) or <c>?</c>.</param>
public sealed record TensorSpec(string Name, DataType Dtype, IReadOnlyList<string> Shape)
{
    /// <summary>The spec of a graph value.</summary>
    public static TensorSpec Of(Value v) => new(v.Name, v.Type, v.Shape.Dims.Select(d => d.ToString()).ToArray());

    /// <summary>Static shape when every dim is a number.</summary>
    /// <exception cref="InvalidOperationException">A dim is symbolic.</exception>
    public long[] StaticShape() => Shape.Select(d => long.TryParse(d, out var n) ? n
        : throw new InvalidOperationException($"'{Name}' has symbolic dim '{d}'.")).ToArray();
}

/// <summary>A parameter as listed in the manifest.</summary>
/// <param name="Name">Hugging Face style dotted name.</param>
/// <param name="Dtype">Element type.</param>
/// <param name="Shape">Static shape.</param>
/// <param name="Trainable">Whether it has a gradient and optimizer state.</param>
public sealed record ParameterSpec(string Name, DataType Dtype, long[] Shape, bool Trainable)
{
    /// <summary>Number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>One term of the loss: its name, its weight and how its targets are counted on a batch input.</summary>
/// <param name="Name">Term name; with several terms the models also output its mean as <c>{name}_loss</c>.</param>
/// <param name="Weight">Weight of the term's mean in the loss.</param>
/// <param name="Targets">Counting rule: the trainer counts each term's targets over an accumulation window and feeds
/// <c>loss_scales[k] = 1 / count</c> (0 when none) to the training model.</param>
public sealed record LossTermSpec(string Name, float Weight, LossTargets Targets);

/// <summary>A dropout site of the training model: its mask input and probability.</summary>
/// <param name="Name">The mask input, <c>dropout_mask.{k}</c> (see <see cref="ArtifactNames.DropoutMask"/>).</param>
/// <param name="P">The probability of dropping an element.</param>
public sealed record DropoutSiteSpec(string Name, float P);

/// <summary>
/// <c>manifest.json</c> of a training-artifact folder: what each model takes and returns, the parameters, the recipe
/// and the library versions. The trainer binds inputs and outputs by these names, never by hard-coded ones.
/// </summary>
public sealed record ArtifactManifest
{
    /// <summary>File name inside the artifact folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Format version of this manifest.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The format this build writes: 2 added token-weighted <see cref="LossTerms"/>, which training needs.</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>Model / run name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The recipe the artifacts were built from, verbatim (JSON object).</summary>
    public JsonObject Recipe { get; init; } = [];

    /// <summary>Batch inputs shared by the training and eval models, in model order.</summary>
    public required IReadOnlyList<TensorSpec> BatchInputs { get; init; }

    /// <summary>Parameters in model order.</summary>
    public required IReadOnlyList<ParameterSpec> Parameters { get; init; }

    /// <summary>Loss terms in the order of the training model's <c>loss_scales</c> input.</summary>
    public IReadOnlyList<LossTermSpec> LossTerms { get; init; } = [];

    /// <summary>Dropout sites of the training model, whose masks the trainer draws and feeds (<see cref="DropoutMasks"/>).</summary>
    public IReadOnlyList<DropoutSiteSpec> DropoutSites { get; init; } = [];

    /// <summary>Names of extra scalar metrics output after <c>loss</c> by both models.</summary>
    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>Names of non-scalar training-model outputs read every step (after the metrics), e.g. <c>predictions</c>.</summary>
    public IReadOnlyList<string> StepOutputs { get; init; } = [];

    /// <summary>Every input and output of <c>training_model.onnx</c>.</summary>
    public required ModelIo TrainingModel { get; init; }

    /// <summary>Every input and output of <c>eval_model.onnx</c>.</summary>
    public required ModelIo EvalModel { get; init; }

    /// <summary>Every input and output of <c>optimizer_model.onnx</c>.</summary>
    public required ModelIo OptimizerModel { get; init; }

    /// <summary>Optimizer hyper-parameters (JSON object).</summary>
    public JsonObject Optimizer { get; init; } = [];

    /// <summary>Library and format versions (<c>onnxruntime</c>, <c>onnx_opset</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();

    /// <summary>Trainable parameters in model order.</summary>
    public IEnumerable<ParameterSpec> TrainableParameters => Parameters.Where(p => p.Trainable);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes <c>manifest.json</c> into <paramref name="dir"/> atomically.</summary>
    public void Save(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Reads <c>manifest.json</c> from an artifact folder.</summary>
    /// <exception cref="FileNotFoundException">The folder has no manifest.</exception>
    /// <exception cref="InvalidDataException">The manifest is not valid JSON of the expected form (message names the file).</exception>
    public static ArtifactManifest Load(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"Artifact folder '{dir}' has no {FileName}.", path);
        try
        {
            return JsonSerializer.Deserialize<ArtifactManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"'{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid artifact manifest: {e.Message}", e);
        }
    }
}

/// <summary>A model file and its inputs and outputs in model order.</summary>
/// <param name="File">File name inside the artifact folder.</param>
/// <param name="Inputs">Inputs in order.</param>
/// <param name="Outputs">Outputs in order.</param>
public sealed record ModelIo(string File, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);
