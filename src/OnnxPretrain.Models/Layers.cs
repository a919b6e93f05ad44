using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models;

/// <summary>
/// The building blocks shared by encoders and heads, each creating its parameters under the current scope with
/// Hugging Face names (<c>dense.weight</c> (out, in), <c>dense.bias</c>, <c>LayerNorm.weight</c>, ...).
/// </summary>
public sealed class Layers(Graph g, long seed, float initializerRange)
{
    /// <summary>The graph being built.</summary>
    public Graph G { get; } = g;

    /// <summary>
    /// A weight initialised like BERT, created under the current scope, or the existing one of that name
    /// (so calling a layer twice under the same scope shares its weights, as ELECTRA's shared embeddings do).
    /// </summary>
    public Value Weight(string name, params long[] shape) =>
        G.Contains(Full(name)) ? G[Full(name)] : G.Parameter(name, Init.TruncatedNormal(seed, Full(name), initializerRange, shape));

    /// <summary>A constant-initialised parameter (biases 0, LayerNorm weights 1), or the existing one of that name.</summary>
    public Value Filled(string name, float value, params long[] shape) =>
        G.Contains(Full(name)) ? G[Full(name)] : G.Parameter(name, Init.Constant(value, shape));

    /// <summary>Linear layer <c>{name}.weight</c> (out, in) and <c>{name}.bias</c> (out): (..., in) -> (..., out).</summary>
    public Value Linear(string name, Value x, int inFeatures, int outFeatures)
    {
        using var scope = G.Scope(name);
        var w = Weight("weight", outFeatures, inFeatures);                         // (out, in), HF orientation
        var b = Filled("bias", 0f, outFeatures);                                   // (out)
        return G.Add(G.MatMul(x, G.Transpose(w, 1, 0)), b);                        // (..., out)
    }

    /// <summary>LayerNorm <c>{name}.weight</c> = 1, <c>{name}.bias</c> = 0 over the last dim of size <paramref name="size"/>.</summary>
    public Value LayerNorm(string name, Value x, int size, float eps)
    {
        using var scope = G.Scope(name);
        var w = Filled("weight", 1f, size);
        var b = Filled("bias", 0f, size);
        return G.LayerNormalization(x, w, b, -1, eps).Y;
    }

    /// <summary>
    /// Dropout with probability <paramref name="p"/> in training builds (no node at all when off): x times the mask input
    /// <c>dropout_mask.{k}</c> (x's shape; 0 or 1 / (1 − p)), which the trainer draws from its seeded generator
    /// (<c>Runtime.DropoutMasks</c>), so a resumed run reproduces the masks; p goes to the model's metadata.
    /// </summary>
    /// <exception cref="ArgumentException">x has a dim of unknown size, so the trainer could not shape its mask.</exception>
    public Value Dropout(Value x, float p, bool training)
    {
        if (!training || p <= 0) return x;
        if (x.Shape.Dims.Any(d => d.IsUnknown))
            throw new ArgumentException($"Dropout on '{x.Name}' of shape {x.Shape}: every dim must be known (a number or batch symbols).", nameof(x));
        var name = ArtifactNames.DropoutMask(G.TrailingInputs.Count(v => v.Name.StartsWith(ArtifactNames.DropoutMaskPrefix, StringComparison.Ordinal)));
        G.Metadata[ArtifactNames.DropoutProbability(name)] = p.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return G.Mul(x, G.TrailingInput(name, x.Type, x.Shape));
    }

    /// <summary>GELU: exact (<c>gelu</c>) or tanh approximation (<c>gelu_new</c>).</summary>
    public Value Activation(string act, Value x) => act == "gelu_new" ? G.FastGelu(x) : G.Gelu(x);

    private string Full(string name) => G.CurrentScope.Length == 0 ? name : $"{G.CurrentScope}.{name}";
}
