using System.Diagnostics;

namespace OnnxPretrain.Cli.Tests;

/// <summary>Runs the built CLI (<c>dotnet OnnxPretrain.Cli.dll ...</c>) as a separate process, as a user would.</summary>
internal static class CliProcess
{
    /// <summary>The CLI assembly copied beside the tests.</summary>
    public static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "OnnxPretrain.Cli.dll");

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/>, stdout and stderr redirected.</summary>
    public static Process Start(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Starts the CLI with <paramref name="args"/>.</summary>
    public static Process Start(params string[] args) => Start("dotnet", [CliDll, .. args]);

    /// <summary>Waits for <paramref name="p"/> (killing it and failing the test after <paramref name="timeout"/>) and returns its exit code
    /// and output.</summary>
    public static (int Code, string Out, string Err) Wait(Process p, TimeSpan timeout)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); Assert.Fail($"Process timed out after {timeout}: {p.StartInfo.FileName} " +
            $"{string.Join(" ", p.StartInfo.ArgumentList)}"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs the CLI to completion (3 minutes at most).</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var p = Start(args);
        return Wait(p, TimeSpan.FromMinutes(3));
    }
}
