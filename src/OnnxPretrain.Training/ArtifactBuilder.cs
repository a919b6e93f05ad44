using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>
/// Turns a <see cref="TrainableModel"/> into the training artifacts of the README's contract:
/// <c>training_model.onnx</c>, <c>eval_model.onnx</c>, <c>optimizer_model.onnx</c>, <c>checkpoint/</c>,
/// <c>example_inputs.safetensors</c> and <c>manifest.json</c>.
/// </summary>
public static class ArtifactBuilder
{
    /// <summary>File names inside an artifact folder.</summary>
    public const string TrainingModelFile = "training_model.onnx", EvalModelFile = "eval_model.onnx",
        OptimizerModelFile = "optimizer_model.onnx", ExampleInputsFile = "example_inputs.safetensors", CheckpointDir = "checkpoint";

    /// <summary>Builds and writes all artifacts into <paramref name="outputDir"/> (created if missing).</summary>
    /// <returns>The manifest that was written.</returns>
    /// <exception cref="InvalidOperationException">The training and eval builds declare different inputs or parameters.</exception>
    /// <exception cref="NotSupportedException">An op on the loss path has no gradient rule.</exception>
    public static ArtifactManifest Build(TrainableModel model, AdamWOptions optimizer, string outputDir)
    {
        ArgumentNullException.ThrowIfNull(model);
        optimizer.Validate();
        var train = TrainingGraph.Build(model, out var lossTerms);
        var eval = TrainingGraph.BuildEval(model);
        CheckSameSignature(train, eval, model.Name);
        var trainable = train.Parameters.Where(p => p.Trainable)
            .Select(p => new OptimizedParameter(p.Value.Name, p.Initial.Shape)).ToList();
        var opt = AdamWGraph.Build(trainable, optimizer);
        Directory.CreateDirectory(outputDir);
        ModelWriter.Save(train, Path.Combine(outputDir, TrainingModelFile), ParameterLayout.AsInputs);
        ModelWriter.Save(eval, Path.Combine(outputDir, EvalModelFile), ParameterLayout.AsInputs);
        ModelWriter.Save(opt, Path.Combine(outputDir, OptimizerModelFile), ParameterLayout.AsInputs);
        var initial = train.Parameters.ToDictionary(p => p.Value.Name, p => p.Initial);
        Checkpoint.Save(Path.Combine(outputDir, CheckpointDir), initial, Checkpoint.ZeroMoments(train.Parameters), TrainerState.Initial);
        Safetensors.Write(Path.Combine(outputDir, ExampleInputsFile), CheckExample(model, train));
        var manifest = Manifest(model, optimizer, train, eval, opt) with { LossTerms = lossTerms };
        manifest.Save(outputDir);
        return manifest;
    }

    private static ArtifactManifest Manifest(TrainableModel model, AdamWOptions o, Graph train, Graph eval, Graph opt) => new()
    {
        ModelName = model.Name,
        Recipe = model.Recipe?.DeepClone().AsObject() ?? [],
        BatchInputs = train.Inputs.Select(TensorSpec.Of).ToList(),
        Parameters = train.Parameters.Select(p => new ParameterSpec(p.Value.Name, p.Value.Type, p.Initial.Shape, p.Trainable)).ToList(),
        Metrics = ExtraOutputs(train).Where(v => v.Rank == 0).Select(v => v.Name).ToList(),
        DropoutSites = train.TrailingInputs.Where(v => v.Name.StartsWith(ArtifactNames.DropoutMaskPrefix, StringComparison.Ordinal))
            .Select(v => new DropoutSiteSpec(v.Name, float.Parse(train.Metadata[ArtifactNames.DropoutProbability(v.Name)],
                System.Globalization.CultureInfo.InvariantCulture))).ToList(),
        StepOutputs = ExtraOutputs(train).Where(v => v.Rank > 0).Select(v => v.Name).ToList(),
        TrainingModel = Io(TrainingModelFile, train),
        EvalModel = Io(EvalModelFile, eval),
        OptimizerModel = Io(OptimizerModelFile, opt),
        Optimizer = o.ToJson(),
        Versions = new Dictionary<string, string>
        {
            ["onnxpretrain"] = typeof(ArtifactBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            ["onnxruntime"] = OrtEnv.Instance().GetVersionString(),
            ["onnx_ir_version"] = ModelWriter.IrVersion.ToString(),
            ["onnx_opset"] = Graph.OnnxOpset.ToString(),
            ["com.microsoft_opset"] = "1",
        },
    };

    private static IEnumerable<Value> ExtraOutputs(Graph train)
    {
        var grads = train.Parameters.Where(p => p.Trainable).Select(p => ArtifactNames.Grad(p.Value.Name)).ToHashSet();
        return train.Outputs.Skip(1).Where(v => !grads.Contains(v.Name));
    }

    private static ModelIo Io(string file, Graph g) => new(file,
        g.Inputs.Concat(g.Parameters.Select(p => p.Value)).Concat(g.TrailingInputs).Select(TensorSpec.Of).ToList(),
        g.Outputs.Select(TensorSpec.Of).ToList());

    private static void CheckSameSignature(Graph train, Graph eval, string model)
    {
        static string Sig(Graph g) => string.Join(";", g.Inputs.Concat(g.Parameters.Select(p => p.Value)).Select(v => $"{v.Name}:{v.Type}{v.Shape}"));
        if (Sig(train) != Sig(eval))
            throw new InvalidOperationException($"Model '{model}': training and eval builds differ in inputs or parameters.\n train: " +
                $"{Sig(train)}\n eval:  {Sig(eval)}");
        foreach (var (a, b) in train.Parameters.Zip(eval.Parameters))
            if (!a.Initial.ToBytes().AsSpan().SequenceEqual(b.Initial.ToBytes()))
                throw new InvalidOperationException($"Model '{model}': parameter '{a.Value.Name}' has different initial data in the " +
                    $"training and eval builds; seed its initialization.");
    }

    private static Dictionary<string, TensorData> CheckExample(TrainableModel model, Graph train)
    {
        var batch = model.ExampleBatch();
        foreach (var input in train.Inputs)
        {
            if (!batch.TryGetValue(input.Name, out var t))
                throw new InvalidOperationException($"Model '{model.Name}': the example batch lacks input '{input.Name}'.");
            if (t.Type != input.Type || t.Shape.Length != input.Rank)
                throw new InvalidOperationException($"Model '{model.Name}': example input '{input.Name}' is {t}, the model takes {input.Type}{input.Shape}.");
        }
        return train.Inputs.ToDictionary(i => i.Name, i => batch[i.Name]);
    }
}
