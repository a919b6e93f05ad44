using OnnxPretrain.Models;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Training.Import;

/// <summary>
/// A published encoder as read from its source, before it is written as our checkpoint: the shape, the tensors under
/// Hugging Face's names (with or without the <c>bert.</c>/<c>electra.</c> prefix; Linear weights already (out, in)),
/// and the WordPiece vocabulary.
/// </summary>
/// <param name="Config">Encoder shape (validated).</param>
/// <param name="Tensors">Float tensors by Hugging Face name (and buffers such as <c>position_ids</c>, which are reported unused).</param>
/// <param name="Vocabulary">WordPiece tokens in id order.</param>
/// <param name="Source">What was read (path or package), for the report.</param>
/// <param name="Pooling">Sentence-embedding pooling the model was trained with (<c>mean</c>, <c>cls</c>), or null when unknown.</param>
/// <param name="QueryPrefix">Text the model expects before retrieval queries, or null.</param>
public sealed record PretrainedEncoder(EncoderConfig Config, IReadOnlyDictionary<string, TensorData> Tensors, IReadOnlyList<string> Vocabulary,
    string Source, string? Pooling = null, string? QueryPrefix = null);

/// <summary>What an import did, as <c>from_pretrained</c> reports it.</summary>
/// <param name="Loaded">Our parameter names filled from the source.</param>
/// <param name="NewlyInitialised">Parameters of the encoder that the source lacks (e.g. a pooler); they start fresh when trained.</param>
/// <param name="Heads">Source tensors kept beside the encoder under their own names (task heads), used when a recipe has the same head.</param>
/// <param name="Unused">Source tensors that map to nothing (buffers such as <c>position_ids</c>, tied decoder copies).</param>
public sealed record ImportReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> NewlyInitialised, IReadOnlyList<string> Heads,
    IReadOnlyList<string> Unused)
{
    /// <summary>One line per list, like the warnings of Hugging Face's <c>from_pretrained</c>.</summary>
    public string Summary() =>
        $"loaded {Loaded.Count} parameters; newly initialised {NewlyInitialised.Count}{List(NewlyInitialised)}; " +
        (Heads.Count > 0 ? $"heads kept {Heads.Count}{List(Heads)}; " : "") + $"unused {Unused.Count}{List(Unused)}.";

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? ""
        : $" ({string.Join(", ", names.Take(8))}{(names.Count > 8 ? ", ..." : "")})";
}
