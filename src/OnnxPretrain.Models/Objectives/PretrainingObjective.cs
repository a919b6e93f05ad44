using OnnxPretrain.Data;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models.Objectives;

/// <summary>
/// An encoder plus a pre-training objective, as a forward-graph builder. Every objective takes the encoder inputs
/// <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (B, T) int64 plus its own batch inputs, built by the
/// batcher of the same name in OnnxPretrain.Data.
/// </summary>
public abstract class PretrainingObjective
{
    /// <summary>Encoder hyper-parameters.</summary>
    public EncoderConfig Encoder { get; }

    /// <summary>Objective settings.</summary>
    public ObjectiveConfig Objective { get; }

    /// <summary>Seed of the parameter initialisation.</summary>
    public long Seed { get; }

    /// <summary>Name of the symbolic dim M, the number of selected tokens in a batch (vocabulary heads).</summary>
    public const string PredictionsDim = "predictions";

    /// <summary>Creates the objective for sequences of length <paramref name="sequenceLength"/>.</summary>
    protected PretrainingObjective(EncoderConfig encoder, ObjectiveConfig objective, int sequenceLength, long seed)
    {
        Encoder = encoder.Validate();
        Objective = objective.Validate();
        Seed = seed;
        if (sequenceLength > encoder.MaxPositionEmbeddings)
            throw new ArgumentException($"data.sequence_length ({sequenceLength}) exceeds model.max_position_embeddings ({encoder.MaxPositionEmbeddings}).");
    }

    /// <summary>Builds forward + loss into an empty graph; dropout only when <paramref name="training"/>.</summary>
    public abstract ForwardOutputs Build(Graph g, bool training);

    /// <summary>Declares the encoder inputs (B, T) int64.</summary>
    protected static (Value Ids, Value Mask, Value Types) DeclareEncoderInputs(Graph g)
    {
        var bt = new Shape("batch", "sequence");
        return (g.Input(BatcherInputNames.InputIds, DataType.Int64, bt), g.Input(BatcherInputNames.AttentionMask, DataType.Int64, bt),
            g.Input(BatcherInputNames.TokenTypeIds, DataType.Int64, bt));
    }

    /// <summary>Runs the encoder under <paramref name="prefix"/>: ids (B, T) -> last_hidden_state (B, T, H).</summary>
    protected static Value Encode(Layers L, EncoderConfig c, string prefix, Value ids, Value mask, Value types, bool training, string? embeddingsPrefix = null)
    {
        var embeddings = Models.Encoder.Embeddings(L, c, embeddingsPrefix ?? prefix, ids, types, training);   // (B, T, E)
        return Models.Encoder.Layers(L, c, prefix, embeddings, Models.Encoder.MaskBias(L.G, mask), training); // (B, T, H)
    }

    /// <summary>A fresh layer factory for this objective's seed.</summary>
    protected Layers NewLayers(Graph g) => new(g, Seed, Encoder.InitializerRange);
}
