namespace OnnxPretrain.Models;

/// <summary>
/// The settings of a recipe's objective (JSON <c>objective</c>): its <c>type</c>, plus the settings of that objective
/// only, in the objective's own record below (a key of another objective is an unknown key). Which record a type uses
/// is listed in the Training project's <c>ObjectiveRegistry</c>.
/// </summary>
public abstract record ObjectiveConfig
{
    /// <summary>The objective's name (<c>mlm</c>, <c>electra</c>, ...), one of the registry's types.</summary>
    public string Type { get; init; } = "mlm";

    /// <summary>Checks every setting; messages name the JSON path (<paramref name="path"/>.key) and the value.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public abstract ObjectiveConfig Validate(string path = "objective");

    /// <summary>Throws naming <paramref name="path"/>.<paramref name="key"/> and <paramref name="value"/> unless <paramref name="ok"/>.</summary>
    protected static void Check(bool ok, string path, string key, object? value, string expected)
    {
        if (!ok) throw new ArgumentException($"{path}.{key} ({value}) {expected}.");
    }
}

/// <summary>Token selection shared by the objectives that corrupt their input: the selection probability.</summary>
public abstract record SelectionConfig : ObjectiveConfig
{
    /// <summary>Probability that a non-special token is selected (0.15).</summary>
    public float MaskProbability { get; init; } = 0.15f;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        Check(MaskProbability is > 0 and < 1, path, "mask_probability", MaskProbability, "must be in (0, 1)");
        return this;
    }
}

/// <summary>
/// BERT's masking of the selected tokens (Devlin et al. 2019 §3.1): [MASK], a random token or kept. Used by MLM and by
/// the objectives that add MLM (the sentence-pair objectives, PROP).
/// </summary>
public abstract record MaskingConfig : SelectionConfig
{
    /// <summary>Fraction of selected tokens replaced by [MASK] (null: the objective's default, <see cref="EffectiveMaskTokenFraction"/>).</summary>
    public float? MaskTokenFraction { get; init; }

    /// <summary>Fraction of selected tokens replaced by a random token (0.1).</summary>
    public float RandomTokenFraction { get; init; } = 0.1f;

    /// <summary>The [MASK] fraction in force: the configured one or BERT's 0.8.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public float EffectiveMaskTokenFraction => MaskTokenFraction ?? 0.8f;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        float m = EffectiveMaskTokenFraction;
        if (!(m >= 0 && RandomTokenFraction >= 0 && m + RandomTokenFraction <= 1))
            throw new ArgumentException($"{path}.mask_token_fraction ({m}) + {path}.random_token_fraction ({RandomTokenFraction}) must be within [0, 1].");
        return this;
    }
}

/// <summary>MLM (BERT §3.1): <c>type</c> <c>mlm</c>.</summary>
public sealed record MaskedLmConfig : MaskingConfig
{
    /// <summary>Optional cap on the selected tokens per sequence; null = no cap (every selected token is predicted).</summary>
    public int? MaxPredictionsPerSequence { get; init; }

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        Check(MaxPredictionsPerSequence is null or > 0, path, "max_predictions_per_sequence", MaxPredictionsPerSequence, "must be > 0");
        return this;
    }
}

/// <summary>
/// ELECTRA (Clark et al. 2020 §3): <c>type</c> <c>electra</c>. The generator's input is masked as MLM's, but every
/// selected token that is not [MASK]ed stays as it is (no random replacement: the generator supplies those).
/// </summary>
public sealed record ElectraConfig : SelectionConfig
{
    /// <summary>Fraction of selected tokens replaced by [MASK] (0.85); the rest stay.</summary>
    public float MaskTokenFraction { get; init; } = 0.85f;

    /// <summary>Optional cap on the selected tokens per sequence; null = no cap.</summary>
    public int? MaxPredictionsPerSequence { get; init; }

    /// <summary>Generator width as a fraction of the discriminator's (1/4).</summary>
    public float GeneratorSizeFactor { get; init; } = 0.25f;

    /// <summary>Weight λ of the discriminator loss (50).</summary>
    public float DiscriminatorWeight { get; init; } = 50f;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        Check(MaskTokenFraction is >= 0 and <= 1, path, "mask_token_fraction", MaskTokenFraction, "must be in [0, 1]");
        Check(MaxPredictionsPerSequence is null or > 0, path, "max_predictions_per_sequence", MaxPredictionsPerSequence, "must be > 0");
        Check(GeneratorSizeFactor is > 0 and <= 1, path, "generator_size_factor", GeneratorSizeFactor, "must be in (0, 1]");
        Check(DiscriminatorWeight > 0, path, "discriminator_weight", DiscriminatorWeight, "must be > 0");
        return this;
    }
}

/// <summary>SLM (Di Liello et al. 2021): <c>type</c> <c>slm</c>; every selected token is swapped for a random one.</summary>
public sealed record SwappedLmConfig : SelectionConfig
{
    /// <summary>Optional cap on the selected tokens per sequence; null = no cap.</summary>
    public int? MaxPredictionsPerSequence { get; init; }

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        Check(MaxPredictionsPerSequence is null or > 0, path, "max_predictions_per_sequence", MaxPredictionsPerSequence, "must be > 0");
        return this;
    }
}

/// <summary>RTS (Di Liello et al. 2021 §3): <c>type</c> <c>rts</c>; each selected token is replaced by a uniform random one.</summary>
public record TokenDetectionConfig : SelectionConfig;

/// <summary>C-RTS (Di Liello et al. 2021 §3): <c>type</c> <c>crts</c>; replacements drawn by token cluster.</summary>
public sealed record ClusterTokenDetectionConfig : TokenDetectionConfig
{
    /// <summary>Path of the token-cluster file (see tools/build-clusters), relative to the recipe file. Required.</summary>
    public string? Clusters { get; init; }

    /// <summary>Inverse temperature β of the cluster sampling softmax (2.0).</summary>
    public float CrtsBeta { get; init; } = 2.0f;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        Check(CrtsBeta > 0, path, "crts_beta", CrtsBeta, "must be > 0");
        if (string.IsNullOrWhiteSpace(Clusters))
            throw new ArgumentException($"{path}.clusters is required for type 'crts' (a file written by tools/build-clusters).");
        return this;
    }
}

/// <summary>
/// The sentence-level objectives for AS2 (Di Liello et al. 2022): <c>type</c> <c>ssp</c>, <c>sp</c>, <c>psd</c> or
/// <c>all</c>; pairs drawn from the corpus structure, with MLM on them.
/// </summary>
public sealed record SentencePairConfig : MaskingConfig
{
    /// <summary>Fraction of positive pairs (0.5).</summary>
    public float PositiveFraction { get; init; } = 0.5f;

    /// <summary>Fraction of hard negatives (same document, another paragraph; 0.25; PSD has none); the rest are easy (another document).</summary>
    public float HardNegativeFraction { get; init; } = 0.25f;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        if (!(PositiveFraction > 0 && HardNegativeFraction >= 0 && PositiveFraction + HardNegativeFraction <= 1))
            throw new ArgumentException($"{path}.positive_fraction ({PositiveFraction}) + {path}.hard_negative_fraction " +
                $"({HardNegativeFraction}) must be within (0, 1].");
        return this;
    }
}

/// <summary>PROP (Ma et al. 2021 §3-4): <c>type</c> <c>prop</c>; representative word prediction plus MLM.</summary>
public sealed record PropConfig : MaskingConfig
{
    /// <summary>Word sets sampled per document (10).</summary>
    public int PropSetsPerDocument { get; init; } = 10;

    /// <summary>Pairs of sets used per document (4); consecutive pairs of a batch share the document.</summary>
    public int PropPairsPerDocument { get; init; } = 4;

    /// <summary>λ of the Poisson distribution of the word-set length (3).</summary>
    public double PoissonLambda { get; init; } = 3;

    /// <summary>Token budget of the word set in a row (16); the document gets T − 3 − this.</summary>
    public int PropMaxSetTokens { get; init; } = 16;

    /// <summary>Margin of the pairwise hinge loss max(0, margin − s_pos + s_neg) (1).</summary>
    public float RankingMargin { get; init; } = 1f;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        Check(PropSetsPerDocument >= 2, path, "prop_sets_per_document", PropSetsPerDocument, "must be >= 2");
        int maxPairs = PropSetsPerDocument * (PropSetsPerDocument - 1) / 2;
        Check(PropPairsPerDocument >= 1 && PropPairsPerDocument <= maxPairs, path, "prop_pairs_per_document", PropPairsPerDocument,
            $"must be in [1, {maxPairs}] (pairs of {PropSetsPerDocument} sets)");
        Check(PoissonLambda is > 0 and <= 50, path, "poisson_lambda", PoissonLambda, "must be in (0, 50]");
        Check(PropMaxSetTokens >= 1, path, "prop_max_set_tokens", PropMaxSetTokens, "must be >= 1");
        Check(RankingMargin > 0, path, "ranking_margin", RankingMargin, "must be > 0");
        return this;
    }
}

/// <summary>Contrastive pre-training (Neelakantan et al. 2022 §2): <c>type</c> <c>contrastive</c>; in-batch InfoNCE.</summary>
public sealed record ContrastiveConfig : ObjectiveConfig
{
    /// <summary>Pooling modes.</summary>
    public static readonly IReadOnlyList<string> PoolingModes = ["mean", "cls"];

    /// <summary>Pair sources.</summary>
    public static readonly IReadOnlyList<string> PairSources = ["auto", "title", "neighbours"];

    /// <summary>Temperature τ of the InfoNCE logits cos(q, d) / τ (0.05).</summary>
    public float Temperature { get; init; } = 0.05f;

    /// <summary>Pooling of the last hidden state, <c>mean</c> over attention_mask (default) or <c>cls</c>.</summary>
    public string Pooling { get; init; } = "mean";

    /// <summary>Pair source: <c>auto</c> (title ↔ text when a title exists, else neighbouring spans), <c>title</c> or <c>neighbours</c>.</summary>
    public string PairSource { get; init; } = "auto";

    /// <summary>Average the A→B and B→A cross-entropies (true, default) or use A→B only.</summary>
    public bool SymmetricLoss { get; init; } = true;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        Check(Temperature is > 0 and <= 10, path, "temperature", Temperature, "must be in (0, 10]");
        if (!PoolingModes.Contains(Pooling))
            throw new ArgumentException($"{path}.pooling is '{Pooling}'; expected one of {string.Join(", ", PoolingModes)}.");
        if (!PairSources.Contains(PairSource))
            throw new ArgumentException($"{path}.pair_source is '{PairSource}'; expected one of {string.Join(", ", PairSources)}.");
        return this;
    }
}

/// <summary>Sequence-pair classification for fine-tuning (<c>type</c> <c>as2</c>): no settings.</summary>
public sealed record SequenceClassificationConfig : ObjectiveConfig
{
    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective") => this;
}

/// <summary>
/// The layout and head of a multi-candidate joint model (Di Liello et al. 2022, "Paragraph-based Transformer Pre-training
/// for Multi-Sentence Inference"): one row <c>[CLS] q [SEP] [CLS] c1 [SEP] … [CLS] ck [SEP]</c>, every segment padded or cut
/// to <see cref="SegmentLength"/> tokens, so T = (k + 1) · SegmentLength; token types 0 … k (the model's
/// <c>type_vocab_size</c> must be at least k + 1).
/// </summary>
public interface IJointCandidates
{
    /// <summary>The heads: <c>ie_k</c> (each candidate's first-token vector alone), <c>ae_k</c> (question vector concatenated
    /// with the candidate's), <c>ae_1</c> (the sum of all segments' vectors, one output for the first candidate).</summary>
    public static readonly IReadOnlyList<string> HeadKinds = ["ie_k", "ae_k", "ae_1"];

    /// <summary>How a segment becomes one vector: <c>cls</c> (its first token, [CLS], as the paper) or <c>mean</c> (the
    /// mean of its unpadded tokens).</summary>
    public static readonly IReadOnlyList<string> PoolingKinds = ["cls", "mean"];

    /// <summary>The head kind, one of <see cref="HeadKinds"/>.</summary>
    string Head { get; }

    /// <summary>The segment pooling, one of <see cref="PoolingKinds"/>.</summary>
    string Pooling { get; }

    /// <summary>k, candidates per row.</summary>
    int Candidates { get; }

    /// <summary>Tokens per segment (question and each candidate).</summary>
    int SegmentLength { get; }

    /// <summary>Outputs per row: k, or 1 for <c>ae_1</c>.</summary>
    int Outputs => Head == "ae_1" ? 1 : Candidates;

    /// <summary>T = (k + 1) · segment length.</summary>
    int SequenceLength => (Candidates + 1) * SegmentLength;

    /// <summary>Checks the three settings; messages name the JSON path and value.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    static void Validate(IJointCandidates c, string path)
    {
        if (!HeadKinds.Contains(c.Head))
            throw new ArgumentException($"{path}.head is '{c.Head}'; expected one of {string.Join(", ", HeadKinds)}.");
        if (!PoolingKinds.Contains(c.Pooling))
            throw new ArgumentException($"{path}.pooling is '{c.Pooling}'; expected one of {string.Join(", ", PoolingKinds)}.");
        if (c.Candidates is < 1 or > 32) throw new ArgumentException($"{path}.candidates ({c.Candidates}) must be in [1, 32].");
        if (c.SegmentLength < 3) throw new ArgumentException($"{path}.segment_length ({c.SegmentLength}) must be >= 3 ([CLS] x [SEP]).");
    }
}

/// <summary>
/// Multi-sentence paragraph pre-training (MSPP, <c>type</c> <c>mspp</c>): a premise sentence and k candidate spans of the
/// corpus, each labelled (follows the premise in its paragraph or not), scored jointly, plus MLM on the row.
/// </summary>
public sealed record MultiSentenceConfig : MaskingConfig, IJointCandidates
{
    /// <inheritdoc />
    public string Head { get; init; } = "ie_k";

    /// <inheritdoc />
    public string Pooling { get; init; } = "cls";

    /// <inheritdoc />
    public int Candidates { get; init; } = 5;

    /// <inheritdoc />
    public int SegmentLength { get; init; } = 64;

    /// <summary>Hard negatives per row, at most (2): spans of the premise's own document; the other negatives come from other documents.</summary>
    public int HardNegatives { get; init; } = 2;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        base.Validate(path);
        IJointCandidates.Validate(this, path);
        Check(HardNegatives >= 0 && HardNegatives <= Candidates - 1, path, "hard_negatives", HardNegatives,
            $"must be in [0, candidates - 1 = {Candidates - 1}]");
        return this;
    }
}

/// <summary>Joint AS2 fine-tuning (<c>type</c> <c>as2_joint</c>): a question's candidates scored k at a time, no MLM.</summary>
public sealed record JointAs2Config : ObjectiveConfig, IJointCandidates
{
    /// <inheritdoc />
    public string Head { get; init; } = "ie_k";

    /// <inheritdoc />
    public string Pooling { get; init; } = "cls";

    /// <inheritdoc />
    public int Candidates { get; init; } = 5;

    /// <inheritdoc />
    public int SegmentLength { get; init; } = 64;

    /// <inheritdoc />
    public override ObjectiveConfig Validate(string path = "objective")
    {
        IJointCandidates.Validate(this, path);
        return this;
    }
}
