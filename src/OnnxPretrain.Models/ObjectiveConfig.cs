namespace OnnxPretrain.Models;

/// <summary>
/// The pre-training objective of a recipe (JSON <c>objective</c>): which head and loss, and the masking rates the
/// data pipeline uses for it. Sources: BERT (Devlin et al. 2019 §3.1), ELECTRA (Clark et al. 2020 §3),
/// RTS / C-RTS / SLM (Di Liello et al., "Efficient pre-training objectives for Transformers").
/// </summary>
public sealed record ObjectiveConfig
{
    /// <summary>Objective types.</summary>
    public static readonly IReadOnlyList<string> Types = ["mlm", "electra", "rts", "crts", "slm", "ssp", "sp", "psd", "all", "as2"];

    /// <summary>The sentence-level objectives (pair classification + MLM).</summary>
    public static readonly IReadOnlyList<string> SentenceLevelTypes = ["ssp", "sp", "psd", "all"];

    /// <summary>One of <see cref="Types"/>.</summary>
    public string Type { get; init; } = "mlm";

    /// <summary>Probability that a non-special token is selected (0.15).</summary>
    public float MaskProbability { get; init; } = 0.15f;

    /// <summary>MLM: fraction of selected tokens replaced by [MASK] (0.8); ELECTRA: 0.85.</summary>
    public float? MaskTokenFraction { get; init; }

    /// <summary>MLM: fraction of selected tokens replaced by a random token (0.1).</summary>
    public float RandomTokenFraction { get; init; } = 0.1f;

    /// <summary>Optional cap on the selected tokens per sequence (vocabulary heads); null = no cap (every selected token is predicted).</summary>
    public int? MaxPredictionsPerSequence { get; init; }

    /// <summary>ELECTRA: generator width as a fraction of the discriminator's (1/4).</summary>
    public float GeneratorSizeFactor { get; init; } = 0.25f;

    /// <summary>ELECTRA: weight λ of the discriminator loss (50).</summary>
    public float DiscriminatorWeight { get; init; } = 50f;

    /// <summary>C-RTS: inverse temperature β of the cluster sampling softmax (2.0).</summary>
    public float CrtsBeta { get; init; } = 2.0f;

    /// <summary>Sentence-level objectives: fraction of positive pairs (0.5).</summary>
    public float PositiveFraction { get; init; } = 0.5f;

    /// <summary>Sentence-level objectives: fraction of hard negatives (same document, another paragraph; 0.25); the rest are easy (another document).</summary>
    public float HardNegativeFraction { get; init; } = 0.25f;

    /// <summary>C-RTS: path of the token-cluster file (see tools/build-clusters), relative to the recipe file.</summary>
    public string? Clusters { get; init; }

    /// <summary>The [MASK] fraction in force: the configured one or the objective's default (MLM 0.8, ELECTRA 0.85).</summary>
    public float EffectiveMaskTokenFraction => MaskTokenFraction ?? (Type == "electra" ? 0.85f : 0.8f);

    /// <summary>Checks every field; messages name the JSON path and the values.</summary>
    /// <exception cref="ArgumentException">A field is out of range or the type is unknown.</exception>
    public ObjectiveConfig Validate(string path = "objective")
    {
        if (!Types.Contains(Type)) throw new ArgumentException($"{path}.type is '{Type}'; expected one of {string.Join(", ", Types)}.");
        if (!(MaskProbability > 0 && MaskProbability < 1)) throw new ArgumentException($"{path}.mask_probability ({MaskProbability}) must be in (0, 1).");
        float m = EffectiveMaskTokenFraction;
        if (!(m >= 0 && RandomTokenFraction >= 0 && m + RandomTokenFraction <= 1))
            throw new ArgumentException($"{path}.mask_token_fraction ({m}) + {path}.random_token_fraction ({RandomTokenFraction}) must be within [0, 1].");
        if (MaxPredictionsPerSequence is <= 0) throw new ArgumentException($"{path}.max_predictions_per_sequence ({MaxPredictionsPerSequence}) must be > 0.");
        if (!(GeneratorSizeFactor > 0 && GeneratorSizeFactor <= 1)) throw new ArgumentException($"{path}.generator_size_factor ({GeneratorSizeFactor}) must be in (0, 1].");
        if (!(DiscriminatorWeight > 0)) throw new ArgumentException($"{path}.discriminator_weight ({DiscriminatorWeight}) must be > 0.");
        if (!(CrtsBeta > 0)) throw new ArgumentException($"{path}.crts_beta ({CrtsBeta}) must be > 0.");
        if (!(PositiveFraction > 0 && HardNegativeFraction >= 0 && PositiveFraction + HardNegativeFraction <= 1))
            throw new ArgumentException($"{path}.positive_fraction ({PositiveFraction}) + {path}.hard_negative_fraction ({HardNegativeFraction}) must be within (0, 1].");
        if (Type == "crts" && string.IsNullOrWhiteSpace(Clusters)) throw new ArgumentException($"{path}.clusters is required for type 'crts' (a file written by tools/build-clusters).");
        return this;
    }
}
