using System.Reflection;
using System.Runtime.InteropServices;

namespace OnnxPretrain.Training.Distributed;

/// <summary>
/// Locates the native MPI library for MPI.NET. MPI.NET P/Invokes <c>msmpi.dll</c> (Microsoft MPI); on Linux a
/// <see cref="NativeLibrary.SetDllImportResolver"/> maps it to MPICH's <c>libmpich.so.12</c>, whose ABI (integer
/// handles, MPICH ABI initiative) is the one MPI.NET was written against. Open MPI's ABI (pointer handles) does not fit.
/// Set <c>ONNXPRETRAIN_MPI_LIBRARY</c> to a full path to use another MPICH-ABI library (Intel MPI, MVAPICH).
/// </summary>
public static class MpiLibrary
{
    /// <summary>Environment variable overriding the native library path.</summary>
    public const string OverrideVariable = "ONNXPRETRAIN_MPI_LIBRARY";

    /// <summary>What a user must install, for error messages.</summary>
    public const string InstallHint =
        "Data-parallel training needs MPICH: install it with `sudo apt-get install mpich` (Debian/Ubuntu; `dnf install mpich` on Fedora) " +
        "and launch with `mpiexec.mpich -n <N> dotnet OnnxPretrain.Cli.dll pretrain --distributed ...`. Open MPI does not work with MPI.NET.";

    private static readonly Lock Gate = new();
    private static bool _resolverSet;

    /// <summary>The native library name or path tried on this OS.</summary>
    public static string NativeName => Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } path ? path
        : OperatingSystem.IsWindows() ? "msmpi.dll" : OperatingSystem.IsMacOS() ? "libmpich.12.dylib" : "libmpich.so.12";

    /// <summary>Whether the native MPI library can be loaded (installs the resolver when it can).</summary>
    public static bool TryInstall(out string error)
    {
        lock (Gate)
        {
            error = "";
            if (_resolverSet) return true;
            if (!NativeLibrary.TryLoad(NativeName, out _))
            {
                error = $"The MPI library '{NativeName}' could not be loaded. {InstallHint}";
                return false;
            }
            if (!OperatingSystem.IsWindows()) NativeLibrary.SetDllImportResolver(typeof(MPI.Communicator).Assembly, Resolve);
            _resolverSet = true;
            return true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase) && NativeLibrary.TryLoad(NativeName, out var handle) ? handle : IntPtr.Zero;

    /// <summary>
    /// Number of ranks the launcher started, read from its environment (MPICH/Hydra: <c>PMI_SIZE</c>; Open MPI:
    /// <c>OMPI_COMM_WORLD_SIZE</c>); 1 when not launched by mpiexec.
    /// </summary>
    public static int LaunchedRanks() =>
        int.TryParse(Environment.GetEnvironmentVariable("PMI_SIZE") ?? Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"), out var n) ? n : 1;

    /// <summary>Whether the process was started by Open MPI's mpiexec (whose ABI MPI.NET cannot use).</summary>
    public static bool LaunchedByOpenMpi() => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;
}
