namespace OnnxPretrain.Onnx;

/// <summary>
/// The names of the training-artifact contract, defined once: the training model's inputs and outputs beyond the batch
/// and the parameters, the optimizer model's, and the checkpoint's optimizer-state tensors. Built by
/// <c>TrainingGraph</c> and <c>AdamWGraph</c>, bound by <c>TrainingSession</c>, stored by <c>Checkpoint</c>.
/// </summary>
public static class ArtifactNames
{
    /// <summary>Training and eval models: the loss output, a float scalar.</summary>
    public const string Loss = "loss";

    /// <summary>Training model: float (K) input, per loss term 1 / the targets of the accumulation window.</summary>
    public const string LossScales = "loss_scales";

    /// <summary>Training model: float input of dropout site <paramref name="site"/>'s mask (the shape of the value it drops), 0 or 1 / (1 − p)
    /// per element, drawn by the trainer (<c>DropoutMasks</c>): <c>dropout_mask.{site}</c>.</summary>
    public static string DropoutMask(int site) => DropoutMaskPrefix + site;

    /// <summary>The name prefix of <see cref="DropoutMask"/> inputs.</summary>
    public const string DropoutMaskPrefix = "dropout_mask.";

    /// <summary>The training model's <c>metadata_props</c> key holding a dropout mask's probability p: <c>dropout_p.{mask name}</c>.</summary>
    public static string DropoutProbability(string mask) => "dropout_p." + mask;

    /// <summary>Training model: bool[1] input that makes the step overwrite, rather than add to, the gradient buffers.</summary>
    public const string LazyResetGrad = "lazy_reset_grad";

    /// <summary>Optimizer model: float[1] learning-rate input.</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>Optimizer model: int64[1] input, the 1-based index t of the update being applied.</summary>
    public const string Step = "step";

    /// <summary>Optimizer model: float scalar output, the global L2 gradient norm before clipping.</summary>
    public const string GlobalGradNorm = "global_grad_norm";

    /// <summary>The gradient of parameter <paramref name="parameter"/>: training-model output and optimizer input, <c>{parameter}_grad</c>.</summary>
    public static string Grad(string parameter) => parameter + "_grad";

    /// <summary>The training model's accumulation-buffer input of <paramref name="parameter"/>: <c>{parameter}_grad.accumulation.buffer</c>.</summary>
    public static string AccumulationBuffer(string parameter) => Grad(parameter) + ".accumulation.buffer";

    /// <summary>AdamW's first moment (m) of <paramref name="parameter"/>: optimizer input and checkpoint tensor, <c>{parameter}.momentum0</c>.</summary>
    public static string Momentum0(string parameter) => parameter + ".momentum0";

    /// <summary>AdamW's second moment (v) of <paramref name="parameter"/>: <c>{parameter}.momentum1</c>.</summary>
    public static string Momentum1(string parameter) => parameter + ".momentum1";

    /// <summary>The optimizer output with the new value of input <paramref name="input"/> (a parameter or a moment): <c>{input}.updated</c>.</summary>
    public static string Updated(string input) => input + ".updated";
}
