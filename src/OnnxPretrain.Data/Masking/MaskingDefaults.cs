namespace OnnxPretrain.Data;

/// <summary>Defaults shared by the masking batchers and by the graphs that consume their outputs.</summary>
public static class MaskingDefaults
{
    /// <summary>Label of an ignored position (PyTorch's <c>CrossEntropyLoss(ignore_index=-100)</c>).</summary>
    public const long IgnoreLabel = -100;

    /// <summary>Selection probability of BERT's masked LM (Devlin et al. 2019, §3.1): 0.15.</summary>
    public const double SelectionProbability = 0.15;
}
