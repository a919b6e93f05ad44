using System.Globalization;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Optim;

/// <summary>
/// Hyper-parameters of AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2) with
/// the defaults of <c>torch.optim.AdamW</c> as used by Hugging Face Trainer's <c>adamw_torch</c>, plus optional
/// global-norm gradient clipping (<c>torch.nn.utils.clip_grad_norm_</c>, Trainer's <c>max_grad_norm</c>).
/// The learning rate is not here: it changes every step and is fed to the graph (see <see cref="LrSchedule"/>).
/// </summary>
public sealed record AdamWOptions
{
    /// <summary>β₁, the decay rate of the first moment (running mean of gradients); in [0, 1). Default 0.9.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>β₂, the decay rate of the second moment (running mean of squared gradients); in [0, 1). Default 0.999.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>ε added to the bias-corrected √v in the denominator; &gt; 0. Default 1e-8.</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>
    /// Decoupled weight decay λ: each step multiplies a parameter of rank ≥ 2 by (1 − lr·λ); rank 0/1 parameters
    /// (biases, LayerNorm weights) are not decayed. ≥ 0. Default 0.01.
    /// </summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>
    /// Maximum global L2 norm of all gradients together; when the norm exceeds it every gradient is scaled by
    /// maxGradNorm / (norm + 1e-6). Null disables clipping. &gt; 0 when set. Default 1.0.
    /// </summary>
    public float? MaxGradNorm { get; init; } = 1.0f;

    /// <summary>Checks every field and returns this instance, so it can be chained.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public AdamWOptions Validate()
    {
        RequireBeta(nameof(Beta1), Beta1);
        RequireBeta(nameof(Beta2), Beta2);
        if (!(Epsilon > 0) || float.IsInfinity(Epsilon))
            throw Invalid(nameof(Epsilon), Epsilon, "must be a finite number > 0");
        if (!(WeightDecay >= 0) || float.IsInfinity(WeightDecay))
            throw Invalid(nameof(WeightDecay), WeightDecay, "must be a finite number >= 0");
        if (MaxGradNorm is { } max && (!(max > 0) || float.IsInfinity(max)))
            throw Invalid(nameof(MaxGradNorm), max, "must be a finite number > 0, or null to disable clipping");
        return this;
    }

    /// <summary>The manifest's <c>optimizer</c> entry: <c>type</c> "AdamW", <c>beta1</c>, <c>beta2</c>, <c>epsilon</c>,
    /// <c>weight_decay</c>, <c>max_grad_norm</c> (null when clipping is off).</summary>
    public JsonObject ToJson() => new()
    {
        ["type"] = "AdamW", ["beta1"] = Beta1, ["beta2"] = Beta2, ["epsilon"] = Epsilon, ["weight_decay"] = WeightDecay,
        ["max_grad_norm"] = MaxGradNorm,
    };

    /// <summary>Reads a <see cref="ToJson"/> entry back; <paramref name="where"/> names it in errors (file and field).</summary>
    /// <exception cref="InvalidDataException">The type is not AdamW, a value is missing or not a number, or a value is out of
    /// range; the message names the field and the value.</exception>
    public static AdamWOptions FromJson(JsonObject o, string where)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o["type"] is not JsonValue type || !type.TryGetValue<string>(out var name) || name != "AdamW")
            throw new InvalidDataException($"{where}.type is {o["type"]?.ToJsonString() ?? "missing"}; expected \"AdamW\".");
        float Field(string key) => o[key] is JsonValue v && v.TryGetValue<float>(out var f) ? f
            : throw new InvalidDataException($"{where}.{key} is {o[key]?.ToJsonString() ?? "missing"}; expected a number.");
        try
        {
            return new AdamWOptions
            {
                Beta1 = Field("beta1"), Beta2 = Field("beta2"), Epsilon = Field("epsilon"), WeightDecay = Field("weight_decay"),
                MaxGradNorm = o["max_grad_norm"] is null ? null : Field("max_grad_norm"),
            }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }

    private static void RequireBeta(string field, float value)
    {
        if (!(value >= 0 && value < 1)) throw Invalid(field, value, "must be in [0, 1)");
    }

    private static ArgumentException Invalid(string field, float value, string rule) =>
        new($"AdamWOptions.{field} {rule}, got {value.ToString("R", CultureInfo.InvariantCulture)}.", field);
}
