namespace OnnxPretrain.Training.Import;

/// <summary>Hugging Face tensor names -> our parameter names (the same names, with the base model under its prefix).</summary>
internal static class HfNames
{
    private static readonly string[] BaseRoots = ["embeddings.", "embeddings_project.", "encoder.", "pooler."];

    /// <summary>
    /// Our name for a Hugging Face tensor of a <paramref name="modelType"/> checkpoint, or null for buffers and tied
    /// copies that are not parameters (<c>embeddings.position_ids</c>, <c>cls.predictions.decoder.*</c>). Base-model
    /// tensors without the prefix (<c>BertModel</c>, sentence-transformers) get it; task heads keep their names; old
    /// TensorFlow-converted LayerNorm names <c>gamma</c>/<c>beta</c> become <c>weight</c>/<c>bias</c>.
    /// </summary>
    public static string? ToParameter(string hfName, string modelType)
    {
        var name = hfName.EndsWith(".gamma", StringComparison.Ordinal) ? hfName[..^"gamma".Length] + "weight"
            : hfName.EndsWith(".beta", StringComparison.Ordinal) ? hfName[..^"beta".Length] + "bias" : hfName;
        if (BaseRoots.Any(r => name.StartsWith(r, StringComparison.Ordinal))) name = $"{modelType}.{name}";
        if (name.EndsWith(".position_ids", StringComparison.Ordinal) || name.StartsWith("cls.predictions.decoder.", StringComparison.Ordinal)
            || name.StartsWith("generator_lm_head.weight", StringComparison.Ordinal))
            return null;
        return name;
    }
}
