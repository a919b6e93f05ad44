using OnnxPretrain.Data;
using OnnxPretrain.Onnx;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation;

/// <summary>
/// Scores an AS2 split with an exported joint model (<c>finetune as2 --joint</c>): <c>model.onnx</c> with int64 inputs
/// <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> (batch, (k + 1)·S) laid out by <see cref="JointRows"/> and
/// output <c>logits</c> (batch, k), <c>vocab.txt</c>, and <c>config.json</c> with <see cref="JointLayout.ConfigKey"/>. Each
/// question's candidates go in groups of k in file order (<see cref="As2JointGroups"/>); a candidate's score is its logit.
/// </summary>
public sealed class As2JointScorer : IDisposable
{
    private readonly OnnxModel _model;
    private readonly TextTokenizer _tokenizer;
    private readonly string _modelPath;

    private As2JointScorer(OnnxModel model, TextTokenizer tokenizer, JointLayout layout, string modelPath) =>
        (_model, _tokenizer, Layout, _modelPath) = (model, tokenizer, layout, modelPath);

    /// <summary>The joint layout read from <c>config.json</c>.</summary>
    public JointLayout Layout { get; }

    /// <summary>Loads a joint export, or returns null when <paramref name="modelDir"/>'s config has no joint layout.</summary>
    /// <exception cref="FileNotFoundException"><c>model.onnx</c> or <c>vocab.txt</c> is missing.</exception>
    /// <exception cref="InvalidDataException">The layout is invalid or is <c>ae_1</c> with k &gt; 1 (one score per row, not per candidate).</exception>
    public static As2JointScorer? TryLoad(string modelDir)
    {
        if (JointLayout.FromConfig(modelDir) is not { } layout) return null;
        if (layout.Head == "ae_1" && layout.Candidates > 1)
            throw new InvalidDataException($"{modelDir}: an ae_1 joint model gives one score per row of {layout.Candidates} candidates; " +
                "AS2 needs one per candidate.");
        string modelPath = Path.Combine(modelDir, As2Scorer.ModelFileName), vocab = Path.Combine(modelDir, As2Scorer.VocabFileName);
        if (!File.Exists(vocab)) throw new FileNotFoundException($"Model folder '{modelDir}' has no {As2Scorer.VocabFileName}.", vocab);
        return new As2JointScorer(OnnxModel.Load(modelPath), TextTokenizer.CreateBert(vocab), layout, modelPath);
    }

    /// <summary>One score per row of <paramref name="data"/>, in file order.</summary>
    /// <exception cref="InvalidDataException">The model's logits are not (batch, k) floats.</exception>
    public double[] Score(As2Dataset data, int batchSize = 8)
    {
        var groups = As2JointGroups.Build(data, _tokenizer, Layout);
        int k = Layout.Candidates;
        var logits = new float[groups.Count * k];
        for (int start = 0; start < groups.Count; start += batchSize)
        {
            var part = groups.Skip(start).Take(batchSize).ToList();
            var batch = JointRows.Build(part.Select(g => g.Ids).ToList(), part.Select(g => g.Labels).ToList(), Layout.SegmentLength, _tokenizer.Specials.PadId);
            var inputs = _model.InputNames.ToDictionary(n => n, n => TensorData.Create(batch.Arrays[n].Data, batch.Arrays[n].Shape));
            var output = _model.Run(inputs, ["logits"])["logits"];
            if (output.Type != DataType.Float || !output.Shape.SequenceEqual([part.Count, k]))
                throw new InvalidDataException($"{_modelPath} returned logits {output} for {part.Count} joint rows; expected Float[{part.Count}, {k}].");
            output.AsFloats().CopyTo(logits, start * k);
        }
        return As2JointGroups.Scatter(data, groups, logits, k);
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
