using System.Diagnostics;
using OnnxPretrain.Data;
using OnnxPretrain.Onnx;
using OnnxPretrain.Optim;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Distributed;

namespace OnnxPretrain.Training;

/// <summary>Progress of a run, reported after every optimizer step.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Steps of the run.</param>
/// <param name="Loss">Mean training loss of the step.</param>
/// <param name="TokensPerSecond">Real tokens per second over the step.</param>
/// <param name="EvalLoss">Held-out loss when an evaluation just ran.</param>
/// <param name="ValidationScore">The <see cref="Validation"/> score when a validation just ran.</param>
public sealed record TrainProgress(long Step, long TotalSteps, double Loss, double TokensPerSecond, double? EvalLoss, double? ValidationScore = null);

/// <summary>
/// Validation with early stopping, as fine-tuning on a dev set does: after the steps <paramref name="IsDue"/> picks (and
/// the last one) the weights are scored (higher is better), logged as <paramref name="Name"/>, and kept in
/// <paramref name="BestDir"/> when they beat the best so far; training stops after <paramref name="Patience"/>
/// validations without improvement. Without <paramref name="Score"/> every validation counts as an improvement (the
/// newest weights are kept) and nothing is logged.
/// </summary>
/// <param name="Name">Metric name in <c>metrics.jsonl</c>, e.g. <c>dev_map</c>.</param>
/// <param name="Score">Scores the session's current weights; null: no dev set.</param>
/// <param name="IsDue">Whether to validate after optimizer step s (1-based).</param>
/// <param name="Patience">Validations without improvement before stopping.</param>
/// <param name="BestDir">Checkpoint folder of the best weights.</param>
public sealed record Validation(string Name, Func<TrainingSession, double>? Score, Func<long, bool> IsDue, int Patience, string BestDir);

/// <summary>The best validated weights of a run.</summary>
/// <param name="Dir">Their checkpoint folder.</param>
/// <param name="Step">The optimizer step they are from.</param>
/// <param name="Score">Their validation score (the step when there is no dev set).</param>
public sealed record BestCheckpoint(string Dir, long Step, double Score);

/// <summary>Raised when the loss or the gradient norm stops being finite; names the step and the last good checkpoint.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>Hook for objectives that keep state beside the model (C-RTS cluster counts).</summary>
public interface ITrainerHook
{
    /// <summary>Called after each training-model run with its batch position and result.</summary>
    void AfterTrainStep(long position, StepResult result);

    /// <summary>Writes the hook's state into a checkpoint's staging folder.</summary>
    void Save(string checkpointDir);
}

/// <summary>
/// The training loop: gradient accumulation, the LR schedule, evaluation on held-out batches, atomic checkpoints
/// (<c>checkpoint-&lt;step&gt;</c>, newest K kept) and <c>metrics.jsonl</c>. Stops with
/// <see cref="TrainingDivergedException"/> on a NaN/Inf loss or gradient norm, keeping the last good checkpoint.
/// With <paramref name="parallel"/> it is one rank of data-parallel training (<see cref="DataParallel"/>): the positions
/// are global batch numbers, and only the lead rank evaluates and writes checkpoints and metrics (with <c>allreduce_ms</c>).
/// With <paramref name="validation"/> it is the fine-tuning loop too: dev scores, the best weights kept, early stopping
/// (and no final checkpoint when <c>checkpoint_every</c> is 0: the best one is what counts).
/// </summary>
public sealed class Trainer(TrainingSession session, IBatchSource train, IBatchSource? eval, TrainingConfig config, string runDir,
    int totalSteps, ITrainerHook? hook = null, DataParallel? parallel = null, Validation? validation = null)
{
    private readonly MetricsLog _log = new(Path.Combine(runDir, "metrics.jsonl"));
    private readonly bool _lead = parallel?.IsLead ?? true;
    private BestCheckpoint? _best;
    private int _sinceBest;

    /// <summary>The newest checkpoint folder written (or loaded), if any.</summary>
    public string? LastCheckpoint { get; private set; }

    /// <summary>Runs from the session's current step to <c>totalSteps</c>.</summary>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm became NaN or infinite.</exception>
    public TrainSummary Run(IProgress<TrainProgress>? progress = null, CancellationToken cancel = default)
    {
        long position = session.LoadedState.DataPosition;
        var schedule = new LrScheduleOptions { Kind = config.Schedule, PeakLearningRate = config.LearningRate,
            WarmupSteps = Math.Min(config.WarmupSteps, totalSteps), TotalSteps = totalSteps }.Validate();
        var clock = Stopwatch.StartNew();
        double? lastEval = null;
        long tokens = 0;
        parallel?.VerifyIdentical(session, session.GlobalStep);
        if (_lead) _log.DropAfter(session.GlobalStep);
        while (session.GlobalStep < totalSteps && !cancel.IsCancellationRequested && (validation is null || _sinceBest < validation.Patience))
        {
            var started = clock.Elapsed;
            var (loss, metrics, stepTokens) = Accumulate(ref position);
            float lr = LrSchedule.LearningRate(schedule, session.GlobalStep);
            float norm = session.OptimizerStep(lr);
            CheckFinite(loss, norm);
            tokens += stepTokens;
            double tps = stepTokens / Math.Max(1e-9, (clock.Elapsed - started).TotalSeconds);
            long step = session.GlobalStep;
            bool checkpoint = config.CheckpointEvery > 0 && step % config.CheckpointEvery == 0
                || step == totalSteps && (validation is null || config.CheckpointEvery > 0);
            if (parallel is not null && (checkpoint || parallel.IsCheckStep(step))) parallel.VerifyIdentical(session, step);
            if (_lead) _log.Train(step, loss, metrics, lr, norm, tps, clock.Elapsed.TotalSeconds);
            double? evalLoss = null;
            if (_lead && eval is not null && (config.EvalEvery > 0 && step % config.EvalEvery == 0 || step == totalSteps))
                lastEval = evalLoss = Evaluate(step, clock.Elapsed.TotalSeconds);
            double? score = validation is not null && (validation.IsDue(step) || step == totalSteps)
                ? Validate(validation, step, clock.Elapsed.TotalSeconds) : null;
            if (checkpoint) Checkpoint(step, position);
            if (_lead) progress?.Report(new TrainProgress(step, totalSteps, loss, tps, evalLoss, score));
        }
        return new TrainSummary(session.GlobalStep, tokens, clock.Elapsed.TotalSeconds, lastEval, LastCheckpoint, _best);
    }

    /// <summary>Scores the weights after <paramref name="step"/>, keeps them when they are the best so far; returns the score.</summary>
    private double Validate(Validation v, long step, double elapsed)
    {
        double score = v.Score?.Invoke(session) ?? step;
        if (v.Score is not null) _log.Eval(step, new Dictionary<string, double> { [v.Name] = score }, elapsed);
        if (_best is null || score > _best.Score)
        {
            session.SaveCheckpoint(v.BestDir);
            (_best, _sinceBest) = (new BestCheckpoint(v.BestDir, step, score), 0);
        }
        else _sinceBest++;
        return score;
    }

    /// <summary>
    /// Runs one accumulation window: its micro-batches are fetched first, their loss targets counted per term, and every
    /// micro-batch runs with the window's <c>loss_scales</c>, so the summed gradient is that of one batch of all of them.
    /// </summary>
    private (double Loss, Dictionary<string, double> Metrics, long Tokens) Accumulate(ref long position)
    {
        if (parallel is not null)
        {
            var r = parallel.Accumulate(session, train, config.GradientAccumulationSteps, ref position, config.Seed);
            r.Metrics["allreduce_ms"] = Math.Round(r.AllreduceSeconds * 1000, 3);
            return (r.Loss, r.Metrics, r.Tokens);
        }
        long first = position;
        var batches = Enumerable.Range(0, config.GradientAccumulationSteps).Select(i => train.Get(first + i))
            .Select(b => (b.TokenCount, Tensors: BatchStream.ToTensors(b))).ToList();
        var window = WindowSums.Total(batches.Select(b => session.CountTargets(b.Tensors)));
        var scales = TrainingSession.LossScales(window);
        var sums = new WindowSums(session.Manifest, window, batches.Count);
        foreach (var (tokens, tensors) in batches)
        {
            var r = session.TrainStep(tensors, scales, DropoutMasks.Key(config.Seed, position));
            hook?.AfterTrainStep(position, r);
            position++;
            sums.Add(r, tokens);
        }
        return sums.Result();
    }

    private void CheckFinite(double loss, float norm)
    {
        if (double.IsFinite(loss) && float.IsFinite(norm)) return;
        throw new TrainingDivergedException(
            $"Training diverged at step {session.GlobalStep}: loss {loss}, gradient norm {norm}. " +
            (LastCheckpoint is null ? "No checkpoint was written yet."
                : $"The last good checkpoint is '{LastCheckpoint}'; resume from it with a lower learning rate."));
    }

    /// <summary>Mean loss and metrics over the first <c>eval_batches</c> held-out batches; logged and returned (loss).</summary>
    public double Evaluate(long step, double elapsed)
    {
        var outputs = session.Manifest.Metrics.Prepend(ArtifactNames.Loss).ToList();
        var sums = outputs.ToDictionary(o => o, _ => 0.0);
        for (int i = 0; i < config.EvalBatches; i++)
        {
            var r = session.Evaluate(BatchStream.ToTensors(eval!.Get(i)), outputs);
            foreach (var o in outputs) sums[o] += r[o].AsFloats()[0] / config.EvalBatches;
        }
        _log.Eval(step, sums, elapsed);
        return sums[ArtifactNames.Loss];
    }

    private void Checkpoint(long step, long position)
    {
        var dir = Path.Combine(runDir, $"checkpoint-{step}");
        LastCheckpoint = dir;
        if (!_lead) return;
        var state = session.LoadedState with { DataPosition = position, Seed = config.Seed };
        session.SaveCheckpoint(dir, state, hook is null ? null : hook.Save);
        foreach (var old in Checkpoints(runDir).SkipLast(config.KeepCheckpoints)) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// The checkpoint a run continues from: the newest of <paramref name="runDir"/> with <paramref name="resume"/>, none
    /// for a new run. Refuses, as Hugging Face's Trainer does, to resume a folder without a complete checkpoint (naming
    /// the run folders beside it that have one) and to start over in a folder that has checkpoints.
    /// </summary>
    /// <exception cref="InvalidOperationException">Resume without a checkpoint, or checkpoints without resume.</exception>
    public static string? ResumePoint(string runDir, bool resume)
    {
        var existing = Checkpoints(runDir);
        if (existing.Count > 0 && !resume)
            throw new InvalidOperationException($"Run folder '{runDir}' already has checkpoints ({Path.GetFileName(existing[^1])}); pass " +
                $"--resume to continue it or --out to start a new run.");
        if (existing.Count > 0 || !resume) return resume ? existing[^1] : null;
        var parent = Path.GetDirectoryName(Path.GetFullPath(runDir));
        var nearby = parent is null || !Directory.Exists(parent) ? [] :
            Directory.GetDirectories(parent).Where(d => Checkpoints(d).Count > 0).Order(StringComparer.Ordinal).ToList();
        throw new InvalidOperationException($"--resume: run folder '{runDir}' has no complete checkpoint (a checkpoint-<step> folder with " +
            $"{Runtime.Checkpoint.StateFile}), so there is nothing to resume. " +
            (nearby.Count > 0 ? $"Run folders beside it with checkpoints: " +
                $"{string.Join(", ", nearby.Select(d => $"'{d}' ({Path.GetFileName(Checkpoints(d)[^1])})"))}. " : "") +
            "Check --out, or drop --resume to start a new run there.");
    }

    /// <summary>Checkpoint folders of a run, oldest first (half-written <c>.tmp-*</c> folders are ignored).</summary>
    public static IReadOnlyList<string> Checkpoints(string runDir) => !Directory.Exists(runDir) ? [] :
        Directory.GetDirectories(runDir, "checkpoint-*")
            .Select(d => (d, ok: long.TryParse(Path.GetFileName(d)["checkpoint-".Length..], out var s), s))
            .Where(x => x.ok && File.Exists(Path.Combine(x.d, Runtime.Checkpoint.StateFile)))
            .OrderBy(x => x.s).Select(x => x.d).ToList();
}

/// <summary>Outcome of <see cref="Trainer.Run"/>.</summary>
/// <param name="Steps">Optimizer steps done in total.</param>
/// <param name="Tokens">Real tokens trained on in this invocation.</param>
/// <param name="Seconds">Wall time of this invocation.</param>
/// <param name="EvalLoss">Last held-out loss.</param>
/// <param name="Checkpoint">Newest checkpoint folder.</param>
/// <param name="Best">The best validated weights (runs with a <see cref="Validation"/>).</param>
public sealed record TrainSummary(long Steps, long Tokens, double Seconds, double? EvalLoss, string? Checkpoint, BestCheckpoint? Best = null);
