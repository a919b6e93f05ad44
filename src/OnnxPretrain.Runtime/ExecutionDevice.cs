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

    /// <summary>When set, ORT writes a JSON profile per session with this path prefix (see <see cref="ProfileSummary"/>).</summary>
    public string? ProfilePrefix { get; init; }

    /// <summary>Builds ORT session options from this config.</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for but the CUDA provider cannot be loaded; the message says what to install.</exception>
    public SessionOptions ToSessionOptions()
    {
        var o = new SessionOptions { GraphOptimizationLevel = OptimizationLevel, IntraOpNumThreads = IntraOpThreads };
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
