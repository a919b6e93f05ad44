using Microsoft.ML.OnnxRuntime;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Runtime;

/// <summary>Loss and metrics of one training step.</summary>
/// <param name="Loss">The <c>loss</c> output: this micro-batch's share of the accumulation window's loss (its summed
/// per-target losses times the <c>loss_scales</c> it ran with).</param>
/// <param name="Metrics">Extra scalar metrics by name (term losses <c>{term}_loss</c> are shares like the loss).</param>
/// <param name="Outputs">Non-scalar step outputs by name (manifest <c>step_outputs</c>), copied out.</param>
/// <param name="Targets">Loss targets of the micro-batch per loss term (manifest <c>loss_terms</c> order).</param>
public sealed record StepResult(float Loss, IReadOnlyDictionary<string, float> Metrics, IReadOnlyDictionary<string, TensorData> Outputs,
    IReadOnlyList<long> Targets);

/// <summary>
/// Runs a training-artifact folder with plain <see cref="InferenceSession"/>s and <see cref="OrtIoBinding"/>:
/// parameters, gradient buffers and AdamW moments live in OrtValues between steps. Gradients are double-buffered (each
/// training run writes the other buffer, then the two swap); on the CPU the AdamW step updates parameters and moments in
/// place (<see cref="FusedOptimizer"/>), elsewhere <c>optimizer_model.onnx</c> writes second buffers that are then
/// swapped in. Usage: <c>TrainStep</c> once per micro-batch (gradients accumulate),
/// then <c>OptimizerStep</c>, which also makes the next <c>TrainStep</c> start a fresh accumulation. The loss is
/// token-weighted (see <see cref="LossScales"/>): pass every micro-batch of a window the scales of the whole window.
/// </summary>
public sealed partial class TrainingSession : IDisposable
{
    private readonly string _dir;
    private readonly InferenceSession _train, _eval;
    private readonly InferenceSession? _opt;
    private readonly List<string> _trainable;
    // _paramsNext, _m0Next and _m1Next are the graph optimizer's output buffers; with the fused step they are the very
    // OrtValues of _params, _m0 and _m1 (never bound as outputs then: GraphStep runs only when _opt is open).
    private readonly Dictionary<string, OrtValue> _params, _paramsNext, _m0, _m0Next, _m1, _m1Next, _grad, _gradNext;
    private readonly OrtValue _reset, _lr, _step, _norm, _lossScales;
    private readonly Dictionary<string, OrtValue> _scalarOuts;
    private bool _resetPending = true;

    /// <summary>The artifact manifest.</summary>
    public ArtifactManifest Manifest { get; }

    /// <summary>Optimizer steps taken.</summary>
    public long GlobalStep { get; private set; }

    /// <summary>Training-model runs taken.</summary>
    public long MicroStep { get; private set; }

    /// <summary>Trainer state loaded with the checkpoint (data position, seed, ...).</summary>
    public TrainerState LoadedState { get; }

    /// <summary>
    /// Opens an artifact folder, with weights and optimizer state from <paramref name="checkpointDir"/>
    /// (default: the folder's <c>checkpoint/</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">A model, manifest or checkpoint file is missing.</exception>
    /// <exception cref="InvalidDataException">The checkpoint lacks a parameter or has a wrong shape or type (names it).</exception>
    public static TrainingSession Load(string artifactDir, SessionConfig? config = null, string? checkpointDir = null)
    {
        var manifest = ArtifactManifest.Load(artifactDir);
        var (model, optimizer, state) = Checkpoint.Load(checkpointDir ?? Path.Combine(artifactDir, "checkpoint"));
        return new TrainingSession(artifactDir, manifest, config ?? new SessionConfig(), model, optimizer, state);
    }

    private TrainingSession(string dir, ArtifactManifest manifest, SessionConfig config, SafetensorsFile model, SafetensorsFile optimizer, TrainerState state)
    {
        _dir = dir;
        Manifest = manifest;
        LoadedState = state;
        GlobalStep = state.GlobalStep;
        MicroStep = state.MicroStep;
        if (manifest.LossTerms.Count == 0)
            throw new InvalidDataException($"Artifact folder '{dir}' has format_version {manifest.FormatVersion} and no loss_terms; this build trains " +
                $"format {ArtifactManifest.CurrentFormatVersion} (token-weighted losses). Rebuild the artifacts: start a new --out folder, " +
                    $"with training.init_from set to the old run's newest checkpoint to keep its weights.");
        _trainable = manifest.TrainableParameters.Select(p => p.Name).ToList();
        _fusedAdamW = FusedAdamWOptions(manifest, config, dir);          // validated before any session is opened
        _optimizerThreads = config.IntraOpThreads > 0 ? config.IntraOpThreads : Environment.ProcessorCount;
        _slices = _fusedAdamW is null ? [] : FusedSlices(manifest, config.OptimizerSliceElements);
        using (var options = config.ToSessionOptions())
        {
            _train = Open(manifest.TrainingModel.File, options);
            _eval = Open(manifest.EvalModel.File, options);
            if (_fusedAdamW is null) _opt = Open(manifest.OptimizerModel.File, options);
        }
        bool doubleBuffered = _fusedAdamW is null;   // the graph writes new tensors; the fused step updates in place
        (_params, _paramsNext) = LoadParameters(model, doubleBuffered);
        (_m0, _m0Next) = LoadMoments(optimizer, ArtifactNames.Momentum0, doubleBuffered);
        (_m1, _m1Next) = LoadMoments(optimizer, ArtifactNames.Momentum1, doubleBuffered);
        _grad = _trainable.ToDictionary(p => p, p => Zeros(_params[p]));
        _gradNext = _trainable.ToDictionary(p => p, p => Zeros(_params[p]));
        _reset = OrtTensors.ToOrtValue(TensorData.Create(new[] { true }, 1));
        _lr = OrtTensors.ToOrtValue(TensorData.Create(new[] { 0f }, 1));
        _step = OrtTensors.ToOrtValue(TensorData.Create(new[] { 0L }, 1));
        _norm = OrtTensors.ToOrtValue(TensorData.Create(new[] { 0f }));
        _lossScales = OrtTensors.ToOrtValue(TensorData.Create(new float[manifest.LossTerms.Count], manifest.LossTerms.Count));
        _scalarOuts = manifest.Metrics.Prepend(ArtifactNames.Loss).ToDictionary(m => m, _ => OrtTensors.ToOrtValue(TensorData.Create(new[] { 0f })));
    }

    private InferenceSession Open(string file, SessionOptions options)
    {
        var path = Path.Combine(_dir, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"Artifact '{path}' is missing.", path);
        return new InferenceSession(path, options);
    }

    /// <summary>Loss targets of <paramref name="batch"/> per loss term (manifest <c>loss_terms</c> order).</summary>
    /// <exception cref="ArgumentException">The input a term counts on is missing or not int64.</exception>
    public long[] CountTargets(IReadOnlyDictionary<string, TensorData> batch) => Manifest.LossTerms.Select(t =>
        batch.TryGetValue(t.Targets.Input, out var input) ? t.Targets.Count(input)
            : throw new ArgumentException($"The batch lacks '{t.Targets.Input}', on which loss term '{t.Name}' counts its targets.")).ToArray();

    /// <summary>
    /// The <c>loss_scales</c> of a window with <paramref name="targets"/> loss targets per term: 1 / targets, or 0 for a
    /// term with none (it then adds loss 0 and gradient 0).
    /// </summary>
    public static float[] LossScales(IReadOnlyList<long> targets) => targets.Select(n => n == 0 ? 0f : (float)(1.0 / n)).ToArray();

    /// <summary>
    /// Runs forward + backward on one micro-batch; gradients are added to the accumulation buffers (or replace them
    /// on the first micro-batch after an optimizer step).
    /// </summary>
    /// <param name="batch">Every batch input of the manifest, by name, with the declared type and rank.</param>
    /// <param name="lossScales">Per loss term, 1 / the targets of the whole accumulation window (<see cref="LossScales"/>);
    /// default: those of this micro-batch alone (a window of one).</param>
    /// <param name="dropoutKey">The key of this micro-batch's dropout masks (<see cref="DropoutMasks.Key"/>: seed, position in the run,
    /// rank); default: the run seed and <see cref="MicroStep"/>.</param>
    /// <exception cref="ArgumentException">A batch input is missing, unknown, or has the wrong type or rank; the scales have the wrong length.</exception>
    public StepResult TrainStep(IReadOnlyDictionary<string, TensorData> batch, IReadOnlyList<float>? lossScales = null, ulong? dropoutKey = null)
    {
        var targets = CountTargets(batch);
        var scales = lossScales ?? LossScales(targets);
        if (scales.Count != targets.Length)
            throw new ArgumentException($"{scales.Count} loss scales given; the model has {targets.Length} loss terms " +
                $"({string.Join(", ", Manifest.LossTerms.Select(t => t.Name))}).", nameof(lossScales));
        var span = _lossScales.GetTensorMutableDataAsSpan<float>();
        for (int k = 0; k < targets.Length; k++) span[k] = scales[k];
        var inputs = BatchValues(batch);
        Dictionary<string, TensorData> stepOutputs;
        try
        {
            var masks = DropoutValues(batch, dropoutKey ?? DefaultDropoutKey());
            _reset.GetTensorMutableDataAsSpan<bool>()[0] = _resetPending;
            using var binding = _train.CreateIoBinding();
            foreach (var (name, v) in inputs) binding.BindInput(name, v);
            foreach (var (name, v) in _params) binding.BindInput(name, v);
            foreach (var p in _trainable) binding.BindInput(ArtifactNames.AccumulationBuffer(p), _grad[p]);
            binding.BindInput(ArtifactNames.LazyResetGrad, _reset);
            binding.BindInput(ArtifactNames.LossScales, _lossScales);
            foreach (var (name, v) in masks) binding.BindInput(name, v);
            foreach (var (name, v) in _scalarOuts) binding.BindOutput(name, v);
            foreach (var p in _trainable) binding.BindOutput(ArtifactNames.Grad(p), _gradNext[p]);
            foreach (var name in Manifest.StepOutputs) binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
            using var runOptions = new RunOptions();
            _train.RunWithBinding(runOptions, binding);
            stepOutputs = StepOutputs(binding);
        }
        finally
        {
            foreach (var v in inputs.Values) v.Dispose();
        }
        foreach (var p in _trainable) (_grad[p], _gradNext[p]) = (_gradNext[p], _grad[p]);
        _resetPending = false;
        MicroStep++;
        return ScalarResult(stepOutputs, targets);
    }

    /// <summary>Makes the next <see cref="TrainStep"/> overwrite the gradient buffers instead of adding to them.</summary>
    public void LazyResetGrad() => _resetPending = true;

    /// <summary>Names of the trainable parameters, in manifest order (the order of <see cref="GradientBuffer"/> buckets).</summary>
    public IReadOnlyList<string> TrainableParameters => _trainable;

    /// <summary>
    /// The accumulated gradient of <paramref name="parameter"/> as a mutable float span over the live buffer (no copy), for
    /// reductions across processes; valid until the next <see cref="TrainStep"/> or <see cref="OptimizerStep"/>. Holds stale
    /// values when no <see cref="TrainStep"/> ran since the last optimizer step.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The name is not a trainable parameter.</exception>
    public Span<float> GradientBuffer(string parameter) => _grad[parameter].GetTensorMutableDataAsSpan<float>();

    /// <summary>The current values of <paramref name="parameter"/> as a read-only float span over the live buffer (no copy).</summary>
    /// <exception cref="KeyNotFoundException">The name is not a parameter.</exception>
    public ReadOnlySpan<float> ParameterValues(string parameter) => _params[parameter].GetTensorDataAsSpan<float>();

    /// <summary>Multiplies every accumulated gradient buffer by <paramref name="factor"/> in place.</summary>
    public void ScaleGradients(float factor)
    {
        foreach (var p in _trainable)
        {
            var span = _grad[p].GetTensorMutableDataAsSpan<float>();
            System.Numerics.Tensors.TensorPrimitives.Multiply(span, factor, span);
        }
    }

    /// <summary>
    /// Sets the accumulated gradients to zero as if a micro-batch with no loss targets had run, so that
    /// <see cref="OptimizerStep"/> may follow (a data-parallel rank whose slice had nothing to predict).
    /// </summary>
    public void ZeroGradients()
    {
        foreach (var p in _trainable) _grad[p].GetTensorMutableDataAsSpan<float>().Clear();
        _resetPending = false;
    }

    /// <summary>Runs the eval model (dropout off) on a batch and returns the requested outputs (default: all) by name.</summary>
    /// <exception cref="ArgumentException">A batch input is missing, unknown, or has the wrong type or rank.</exception>
    public Dictionary<string, TensorData> Evaluate(IReadOnlyDictionary<string, TensorData> batch, IReadOnlyList<string>? outputs = null)
    {
        var inputs = BatchValues(batch);
        try
        {
            var names = inputs.Keys.Concat(_params.Keys).ToArray();
            var values = inputs.Values.Concat(_params.Values).ToArray();
            using var runOptions = new RunOptions();
            var wanted = outputs ?? _eval.OutputNames;
            using var results = _eval.Run(runOptions, names, values, wanted);
            return wanted.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => OrtTensors.ToTensorData(results[p.i]));
        }
        finally
        {
            foreach (var v in inputs.Values) v.Dispose();
        }
    }
}
