using System.Text.Json.Nodes;
using OnnxPretrain.Models;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Training;

/// <summary>
/// A model plus objective as the artifact builder sees it: a function that builds the forward graph and loss into
/// an empty <see cref="Graph"/> (declaring batch inputs with <see cref="Graph.Input"/> and parameters with
/// <see cref="Graph.Parameter"/>), once with dropout on (<c>training = true</c>) and once with it off. Both builds
/// must declare the same inputs and parameters with the same initial data (seeded initialization).
/// </summary>
/// <param name="Name">Model name recorded in the manifest.</param>
/// <param name="Build">Forward builder: (graph, training) -> outputs.</param>
/// <param name="ExampleBatch">One batch of the model's batch inputs, by name (written to <c>example_inputs.safetensors</c>).</param>
/// <param name="Recipe">The recipe the model was made from, recorded verbatim in the manifest.</param>
public sealed record TrainableModel(
    string Name,
    Func<Graph, bool, ForwardOutputs> Build,
    Func<IReadOnlyDictionary<string, TensorData>> ExampleBatch,
    JsonObject? Recipe = null);
