using System.Globalization;

namespace OnnxPretrain.Optim;

/// <summary>
/// Settings of a learning-rate schedule with linear warmup, as Hugging Face Transformers'
/// <c>get_linear_schedule_with_warmup</c>, <c>get_cosine_schedule_with_warmup</c> (half a cosine, <c>num_cycles = 0.5</c>)
/// and <c>get_constant_schedule_with_warmup</c>, generalised to decay towards <see cref="MinLearningRate"/>
/// instead of 0 (as <c>get_cosine_with_min_lr_schedule_with_warmup</c> does).
/// </summary>
public sealed record LrScheduleOptions
{
    /// <summary><see cref="Kind"/> value: linear warmup, then linear decay to the minimum at <see cref="TotalSteps"/>.</summary>
    public const string Linear = "linear";

    /// <summary><see cref="Kind"/> value: linear warmup, then half-cosine decay to the minimum at <see cref="TotalSteps"/>.</summary>
    public const string Cosine = "cosine";

    /// <summary><see cref="Kind"/> value: linear warmup, then the peak rate forever (minimum and total steps unused).</summary>
    public const string Constant = "constant";

    /// <summary>Schedule shape: <c>linear</c>, <c>cosine</c> or <c>constant</c> (lower case). Default <c>linear</c> (HF's default).</summary>
    public string Kind { get; init; } = Linear;

    /// <summary>Learning rate reached at the end of warmup; finite and &gt; 0. Default 5e-5 (HF's default).</summary>
    public double PeakLearningRate { get; init; } = 5e-5;

    /// <summary>Number of optimizer steps of linear warmup from 0 to the peak; ≥ 0. Default 0.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>Total number of optimizer steps; the decay reaches <see cref="MinLearningRate"/> here. ≥ <see cref="WarmupSteps"/> and &gt; 0.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>Learning rate at the end of the decay; in [0, <see cref="PeakLearningRate"/>]. Default 0 (HF's behaviour).</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Checks every field and returns this instance, so it can be chained.</summary>
    /// <returns>This options instance.</returns>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public LrScheduleOptions Validate()
    {
        if (Kind is not (Linear or Cosine or Constant))
            throw Invalid(nameof(Kind), $"'{Kind}'", $"must be '{Linear}', '{Cosine}' or '{Constant}'");
        if (!(PeakLearningRate > 0) || double.IsInfinity(PeakLearningRate))
            throw Invalid(nameof(PeakLearningRate), Format(PeakLearningRate), "must be a finite number > 0");
        if (WarmupSteps < 0) throw Invalid(nameof(WarmupSteps), Format(WarmupSteps), "must be >= 0");
        if (TotalSteps <= 0) throw Invalid(nameof(TotalSteps), Format(TotalSteps), "must be > 0");
        if (TotalSteps < WarmupSteps)
            throw Invalid(nameof(TotalSteps), Format(TotalSteps), $"must be >= WarmupSteps ({Format(WarmupSteps)})");
        if (!(MinLearningRate >= 0 && MinLearningRate <= PeakLearningRate))
            throw Invalid(nameof(MinLearningRate), Format(MinLearningRate), $"must be in [0, PeakLearningRate = {Format(PeakLearningRate)}]");
        return this;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static ArgumentException Invalid(string field, string value, string rule) =>
        new($"LrScheduleOptions.{field} {rule}, got {value}.", field);
}

/// <summary>
/// Learning-rate schedules as pure functions of the optimizer step, with Hugging Face semantics (<c>LambdaLR</c> with
/// the lambdas of <c>transformers.optimization</c>): <c>step</c> arguments count optimizer steps already
/// taken, so the first update uses step 0 (learning rate 0 when there is warmup).
/// </summary>
public static class LrSchedule
{
    /// <summary>
    /// The learning rate for the update taken after <paramref name="step"/> optimizer steps:
    /// peak · step / max(1, warmup) during warmup, then min + (peak − min) · decay factor
    /// (<see cref="LinearDecayFactor"/>, <see cref="CosineDecayFactor"/>, or 1 for <c>constant</c>).
    /// </summary>
    /// <param name="options">Schedule settings; validated here.</param>
    /// <param name="step">0-based optimizer step count before the update (HF's <c>current_step</c>).</param>
    /// <returns>The learning rate, in the same units as <see cref="LrScheduleOptions.PeakLearningRate"/>.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public static float LearningRate(LrScheduleOptions options, long step)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < options.WarmupSteps) return (float)(options.PeakLearningRate * WarmupFactor(step, options.WarmupSteps));
        double decay = options.Kind switch
        {
            LrScheduleOptions.Linear => LinearDecayFactor(step, options.WarmupSteps, options.TotalSteps),
            LrScheduleOptions.Cosine => CosineDecayFactor(step, options.WarmupSteps, options.TotalSteps),
            _ => 1.0,
        };
        double min = options.Kind == LrScheduleOptions.Constant ? 0 : options.MinLearningRate;
        return (float)(min + (options.PeakLearningRate - min) * decay);
    }

    /// <summary>Warmup multiplier step / max(1, warmupSteps), as in HF's warmup branch; meaningful for step &lt; warmupSteps.</summary>
    public static double WarmupFactor(long step, long warmupSteps) => (double)step / Math.Max(1L, warmupSteps);

    /// <summary>
    /// HF <c>get_linear_schedule_with_warmup</c> decay multiplier, max(0, (total − step) / max(1, total − warmup)):
    /// 1 at the end of warmup, 0 at and after <paramref name="totalSteps"/>.
    /// </summary>
    public static double LinearDecayFactor(long step, long warmupSteps, long totalSteps) =>
        Math.Max(0.0, (double)(totalSteps - step) / Math.Max(1L, totalSteps - warmupSteps));

    /// <summary>
    /// HF <c>get_cosine_schedule_with_warmup</c> decay multiplier (half cosine), 0.5 · (1 + cos(π · progress)) with
    /// progress = (step − warmup) / max(1, total − warmup). Progress is clamped to [0, 1], so steps past
    /// <paramref name="totalSteps"/> stay at 0 (HF's curve would rise again there; it agrees up to the total).
    /// </summary>
    public static double CosineDecayFactor(long step, long warmupSteps, long totalSteps)
    {
        double progress = (double)(step - warmupSteps) / Math.Max(1L, totalSteps - warmupSteps);
        return 0.5 * (1.0 + Math.Cos(Math.PI * Math.Clamp(progress, 0.0, 1.0)));
    }
}
