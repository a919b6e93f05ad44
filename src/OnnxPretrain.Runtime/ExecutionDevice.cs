using Microsoft.ML.OnnxRuntime;

namespace OnnxPretrain.Runtime;

/// <summary>Where ONNX Runtime executes a model.</summary>
public enum ExecutionDevice
{
    /// <summary>The default CPU execution provider.</summary>
    Cpu,
    /// <summary>The CUDA execution provider (needs the <c>-p:OrtGpu=true</c> build and CUDA 13 libraries).</summary>
    Cuda,
}

/// <summary>Session settings shared by every model the pipeline runs.</summary>
public sealed record SessionConfig
{
    /// <summary>Execution device; CPU by default.</summary>
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Cpu;

    /// <summary>CUDA device ordinal when <see cref="Device"/> is CUDA.</summary>
    public int DeviceId { get; init; }

    /// <summary>Intra-op threads; 0 lets ORT choose (all cores).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Graph optimization level; <c>ORT_ENABLE_ALL</c> by default.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Runs <c>optimizer_model.onnx</c> for every AdamW step even on the CPU, where the trainer otherwise applies the same
    /// update in place with <c>AdamWKernel</c> (one fused pass per tensor, no second copy of parameters and moments).
    /// Other devices always run the graph.
    /// </summary>
    public bool OptimizerGraph { get; init; }

    /// <summary>
    /// ORT's memory pattern (<c>SessionOptions.EnableMemoryPattern</c>): one block planned and kept per input shape. Null (the
    /// default): off on the CPU, ORT's default (on) elsewhere. On the CPU it raised the peak RSS of bert-small-mlm's training step
    /// (2-core AVX-512 VM) from 1,880 MB to 2,570 MB at the same ms/step, because the arena already reuses freed buffers between
    /// runs; its effect on inference sessions and on CUDA was not measured.
    /// </summary>
    public bool? MemoryPattern { get; init; }

    /// <summary>Elements per slice of the fused CPU AdamW step: the slices of all tensors are spread over the threads.</summary>
    internal int OptimizerSliceElements { get; init; } = 1 << 18;

    /// <summary>When set, ORT writes a JSON profile per session with this path prefix (see <see cref="ProfileSummary"/>).</summary>
    public string? ProfilePrefix { get; init; }

    /// <summary>Builds ORT session options from this config.</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for but the CUDA provider cannot be loaded; the message says what to install.</exception>
    public SessionOptions ToSessionOptions()
    {
        var o = new SessionOptions
        {
            GraphOptimizationLevel = OptimizationLevel, IntraOpNumThreads = IntraOpThreads,
            EnableMemoryPattern = MemoryPattern ?? Device != ExecutionDevice.Cpu,
        };
        if (ProfilePrefix is not null)
        {
            o.ProfileOutputPathPrefix = ProfilePrefix;   // before EnableProfiling, which reads it
            o.EnableProfiling = true;
        }
        if (Device == ExecutionDevice.Cuda)
        {
            try { o.AppendExecutionProvider_CUDA(DeviceId); }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                o.Dispose();
                throw new InvalidOperationException(
                    "The CUDA execution provider could not be loaded. Build with -p:OrtGpu=true (Microsoft.ML.OnnxRuntime.Gpu.Linux) " +
                    "and make CUDA 13 and cuDNN 9 libraries visible through LD_LIBRARY_PATH. ORT said: " + e.Message, e);
            }
        }
        return o;
    }
}
