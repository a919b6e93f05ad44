namespace OnnxPretrain.Models;

/// <summary>
/// The pre-training objective of a recipe (JSON <c>objective</c>): which head and loss, and the masking rates the
/// data pipeline uses for it. Sources: BERT (Devlin et al. 2019 §3.1), ELECTRA (Clark et al. 2020 §3),
/// RTS / C-RTS / SLM (Di Liello et al., "Efficient pre-training objectives for Transformers").
/// </summary>
public sealed record ObjectiveConfig
{
    /// <summary>Contrastive pooling modes.</summary>
    public static readonly IReadOnlyList<string> PoolingModes = ["mean", "cls"];

    /// <summary>Contrastive pair sources.</summary>
    public static readonly IReadOnlyList<string> PairSources = ["auto", "title", "neighbours"];

    /// <summary>The objective's name, one of the Training project's <c>ObjectiveRegistry.Types</c> (checked there).</summary>
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

    /// <summary>PROP (Ma et al. 2021 §4): word sets sampled per document (10).</summary>
    public int PropSetsPerDocument { get; init; } = 10;

    /// <summary>PROP: pairs of sets used per document (4); consecutive pairs of a batch share the document.</summary>
    public int PropPairsPerDocument { get; init; } = 4;

    /// <summary>PROP: λ of the Poisson distribution of the word-set length (3).</summary>
    public double PoissonLambda { get; init; } = 3;

    /// <summary>PROP: token budget of the word set in a row (16); the document gets T − 3 − this.</summary>
    public int PropMaxSetTokens { get; init; } = 16;

    /// <summary>PROP: margin of the pairwise hinge loss max(0, margin − s_pos + s_neg) (1).</summary>
    public float RankingMargin { get; init; } = 1f;

    /// <summary>Contrastive (Neelakantan et al. 2022 §2): temperature τ of the InfoNCE logits cos(q, d) / τ (0.05).</summary>
    public float Temperature { get; init; } = 0.05f;

    /// <summary>Contrastive: pooling of the last hidden state, <c>mean</c> over attention_mask (default) or <c>cls</c>.</summary>
    public string Pooling { get; init; } = "mean";

    /// <summary>Contrastive: pair source, <c>auto</c> (title ↔ text when a title exists, else neighbouring spans), <c>title</c> or <c>neighbours</c>.</summary>
    public string PairSource { get; init; } = "auto";

    /// <summary>Contrastive: average the A→B and B→A cross-entropies (true, default) or use A→B only.</summary>
    public bool SymmetricLoss { get; init; } = true;

    /// <summary>The [MASK] fraction in force: the configured one or the objective's default (MLM 0.8, ELECTRA 0.85).</summary>
    public float EffectiveMaskTokenFraction => MaskTokenFraction ?? (Type == "electra" ? 0.85f : 0.8f);

    /// <summary>Checks every field; messages name the JSON path and the values.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public ObjectiveConfig Validate(string path = "objective")
    {
        if (!(MaskProbability > 0 && MaskProbability < 1)) throw new ArgumentException($"{path}.mask_probability ({MaskProbability}) must be in (0, 1).");
        float m = EffectiveMaskTokenFraction;
        if (!(m >= 0 && RandomTokenFraction >= 0 && m + RandomTokenFraction <= 1))
            throw new ArgumentException($"{path}.mask_token_fraction ({m}) + {path}.random_token_fraction ({RandomTokenFraction}) must be within [0, 1].");
        if (MaxPredictionsPerSequence is <= 0) throw new ArgumentException($"{path}.max_predictions_per_sequence ({MaxPredictionsPerSequence}) must be > 0.");
        if (!(GeneratorSizeFactor > 0
            && GeneratorSizeFactor <= 1)) throw new ArgumentException($"{path}.generator_size_factor ({GeneratorSizeFactor}) must be in (0, 1].");
        if (!(DiscriminatorWeight > 0)) throw new ArgumentException($"{path}.discriminator_weight ({DiscriminatorWeight}) must be > 0.");
        if (!(CrtsBeta > 0)) throw new ArgumentException($"{path}.crts_beta ({CrtsBeta}) must be > 0.");
        if (!(PositiveFraction > 0 && HardNegativeFraction >= 0 && PositiveFraction + HardNegativeFraction <= 1))
            throw new ArgumentException($"{path}.positive_fraction ({PositiveFraction}) + {path}.hard_negative_fraction " +
                $"({HardNegativeFraction}) must be within (0, 1].");
        ValidateRetrieval(path);
        if (Type == "crts" && string.IsNullOrWhiteSpace(Clusters)) throw new ArgumentException($"{path}.clusters is required for type " +
            $"'crts' (a file written by tools/build-clusters).");
        return this;
    }

    private void ValidateRetrieval(string path)
    {
        if (PropSetsPerDocument < 2) throw new ArgumentException($"{path}.prop_sets_per_document ({PropSetsPerDocument}) must be >= 2.");
        int maxPairs = PropSetsPerDocument * (PropSetsPerDocument - 1) / 2;
        if (PropPairsPerDocument < 1 || PropPairsPerDocument > maxPairs)
            throw new ArgumentException($"{path}.prop_pairs_per_document ({PropPairsPerDocument}) must be in [1, {maxPairs}] (pairs of " +
                $"{PropSetsPerDocument} sets).");
        if (!(PoissonLambda > 0 && PoissonLambda <= 50)) throw new ArgumentException($"{path}.poisson_lambda ({PoissonLambda}) must be in (0, 50].");
        if (PropMaxSetTokens < 1) throw new ArgumentException($"{path}.prop_max_set_tokens ({PropMaxSetTokens}) must be >= 1.");
        if (!(RankingMargin > 0)) throw new ArgumentException($"{path}.ranking_margin ({RankingMargin}) must be > 0.");
        if (!(Temperature > 0 && Temperature <= 10)) throw new ArgumentException($"{path}.temperature ({Temperature}) must be in (0, 10].");
        if (!PoolingModes.Contains(Pooling)) throw new ArgumentException($"{path}.pooling is '{Pooling}'; expected one of {string.Join(", ", PoolingModes)}.");
        if (!PairSources.Contains(PairSource)) throw new ArgumentException($"{path}.pair_source is '{PairSource}'; expected one of " +
            $"{string.Join(", ", PairSources)}.");
    }
}
