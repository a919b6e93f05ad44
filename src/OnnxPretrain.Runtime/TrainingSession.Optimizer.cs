using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;

namespace OnnxPretrain.Runtime;

// The optimizer step of TrainingSession: on the CPU the fused in-place AdamW (AdamWKernel) with the hyper-parameters the
// manifest records; elsewhere, or when SessionConfig.OptimizerGraph is set, optimizer_model.onnx.
public sealed partial class TrainingSession
{
    private readonly AdamWOptions? _fusedAdamW;
    private readonly int _optimizerThreads;
    private readonly IReadOnlyList<Slice> _slices;

    /// <summary>A run of elements of one trainable tensor.</summary>
    private sealed record Slice(string Parameter, int Start, int Length, bool Decays);

    /// <summary>Whether optimizer steps run the fused CPU kernel (true) or <c>optimizer_model.onnx</c> (false).</summary>
    public bool FusedOptimizer => _fusedAdamW is not null;

    /// <summary>
    /// Applies one AdamW update with the accumulated gradients at <paramref name="learningRate"/> and starts a new
    /// accumulation. Returns the global gradient norm (before clipping).
    /// </summary>
    /// <param name="learningRate">Learning rate of this update.</param>
    /// <param name="gradientScale">Factor applied to the accumulated gradients first (1/k after k micro-batches of mean losses).</param>
    /// <exception cref="InvalidOperationException">No <see cref="TrainStep"/> ran since the last optimizer step.</exception>
    public float OptimizerStep(float learningRate, float gradientScale = 1f)
    {
        if (_resetPending) throw new InvalidOperationException("OptimizerStep needs at least one TrainStep since the last optimizer step.");
        if (gradientScale != 1f) ScaleGradients(gradientScale);
        float norm = _fusedAdamW is { } options ? FusedStep(options, learningRate) : GraphStep(learningRate);
        GlobalStep++;
        _resetPending = true;
        return norm;
    }

    /// <summary>The fused step: Σ g² per slice in parallel (summed in slice order, so the norm is deterministic), then the update.</summary>
    private float FusedStep(AdamWOptions options, float learningRate)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _optimizerThreads };
        var sums = new double[_slices.Count];
        Parallel.For(0, _slices.Count, parallel, k => sums[k] = AdamWKernel.SumOfSquares(SliceOf(_grad, _slices[k])));
        float norm = (float)Math.Sqrt(sums.Sum());
        var scalars = AdamWKernel.Scalars(options, learningRate, GlobalStep + 1, norm);
        Parallel.For(0, _slices.Count, parallel, k =>
        {
            var s = _slices[k];
            AdamWKernel.Update(SliceOf(_params, s), SliceOf(_grad, s), SliceOf(_m0, s), SliceOf(_m1, s), scalars, s.Decays);
        });
        return norm;
    }

    private static Span<float> SliceOf(Dictionary<string, OrtValue> values, Slice s) =>
        values[s.Parameter].GetTensorMutableDataAsSpan<float>().Slice(s.Start, s.Length);

    /// <summary>Runs <c>optimizer_model.onnx</c> into the second buffers, then swaps them in.</summary>
    private float GraphStep(float learningRate)
    {
        _lr.GetTensorMutableDataAsSpan<float>()[0] = learningRate;
        _step.GetTensorMutableDataAsSpan<long>()[0] = GlobalStep + 1;
        if (_opt is null) throw new InvalidOperationException("The optimizer graph is not open: this session steps with the fused kernel.");
        using (var binding = _opt.CreateIoBinding())
        {
            binding.BindInput(ArtifactNames.LearningRate, _lr);
            binding.BindInput(ArtifactNames.Step, _step);
            foreach (var p in _trainable)
            {
                binding.BindInput(p, _params[p]);
                binding.BindInput(ArtifactNames.Grad(p), _grad[p]);
                binding.BindInput(ArtifactNames.Momentum0(p), _m0[p]);
                binding.BindInput(ArtifactNames.Momentum1(p), _m1[p]);
                binding.BindOutput(ArtifactNames.Updated(p), _paramsNext[p]);
                binding.BindOutput(ArtifactNames.Updated(ArtifactNames.Momentum0(p)), _m0Next[p]);
                binding.BindOutput(ArtifactNames.Updated(ArtifactNames.Momentum1(p)), _m1Next[p]);
            }
            binding.BindOutput(ArtifactNames.GlobalGradNorm, _norm);
            using var runOptions = new RunOptions();
            _opt.RunWithBinding(runOptions, binding);
        }
        foreach (var p in _trainable)
        {
            (_params[p], _paramsNext[p]) = (_paramsNext[p], _params[p]);
            (_m0[p], _m0Next[p]) = (_m0Next[p], _m0[p]);
            (_m1[p], _m1Next[p]) = (_m1Next[p], _m1[p]);
        }
        return _norm.GetTensorDataAsSpan<float>()[0];
    }

    /// <summary>
    /// The AdamW hyper-parameters of the manifest when the fused CPU step applies (CPU device, <see cref="SessionConfig.OptimizerGraph"/>
    /// off, float32 parameters); null when the graph runs. The manifest's <c>optimizer</c> entry is written from the same options
    /// that <c>optimizer_model.onnx</c> bakes in; it is the source of truth on the CPU, so hand edits to it change CPU runs only.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest's optimizer entry is not AdamW or lacks a hyper-parameter (names it).</exception>
    private static AdamWOptions? FusedAdamWOptions(ArtifactManifest manifest, SessionConfig config, string dir)
    {
        if (config.Device != ExecutionDevice.Cpu || config.OptimizerGraph) return null;
        if (manifest.TrainableParameters.Any(p => p.Dtype != DataType.Float)) return null;
        try
        {
            return AdamWOptions.FromJson(manifest.Optimizer, $"manifest '{Path.Combine(dir, ArtifactManifest.FileName)}', field optimizer");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(e.Message + " Rebuild the artifacts, or set SessionConfig.OptimizerGraph to step with " +
                "optimizer_model.onnx.", e);
        }
    }

    /// <summary>Every trainable tensor cut into runs of at most <paramref name="sliceElements"/> elements, in manifest order.</summary>
    private static List<Slice> FusedSlices(ArtifactManifest manifest, int sliceElements)
    {
        if (sliceElements < 1) throw new ArgumentException($"SessionConfig.OptimizerSliceElements is {sliceElements}; expected at least 1.");
        var slices = new List<Slice>();
        foreach (var p in manifest.TrainableParameters)
        {
            int count = checked((int)p.Count);
            bool decays = AdamWGraph.AppliesWeightDecay(new OptimizedParameter(p.Name, p.Shape));
            for (int start = 0; start < count; start += sliceElements)
                slices.Add(new Slice(p.Name, start, Math.Min(sliceElements, count - start), decays));
        }
        return slices;
    }
}
