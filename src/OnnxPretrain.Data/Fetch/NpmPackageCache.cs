using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace OnnxPretrain.Data;

/// <summary>npm could not be run or could not fetch a package; the message says what failed and what to do.</summary>
internal sealed class NpmFetchException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="inner">Underlying exception, if any.</param>
    public NpmFetchException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>
/// Fetches pinned npm packages with the ordinary npm client (<c>npm pack NAME@VERSION --pack-destination DIR</c>, so
/// npm's own registry configuration applies), checks the tarball's SHA-512 against the pin, extracts it with
/// System.Formats.Tar and caches it under <c>CACHE/npm/NAME@VERSION/package/</c>. Once cached (a <c>.complete</c>
/// marker holding the hash), npm is never run again for that package.
/// </summary>
public static class NpmPackageCache
{
    private const string MarkerName = ".complete";

    /// <summary>The extracted <c>package</c> folder of <paramref name="spec"/>, fetching it on first use.</summary>
    /// <param name="spec">Pinned package.</param>
    /// <param name="options">Cache options; null for the defaults.</param>
    /// <exception cref="NpmFetchException">npm is missing, failed (offline?) or timed out.</exception>
    /// <exception cref="InvalidDataException">The tarball's SHA-512 differs from the pin, or it holds unsafe entries.</exception>
    public static string Ensure(NpmPackageSpec spec, DataCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new DataCacheOptions();
        if (TryGetCached(spec, options, out string cached))
        {
            return cached;
        }
        string root = Path.Combine(options.ResolveCacheDirectory(), "npm");
        string final = EntryDirectory(spec, options);
        Directory.CreateDirectory(root);
        string work = Path.Combine(root, $".tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(work);
            string tarball = RunNpmPack(spec, options, work);
            VerifySha512(tarball, spec);
            string staged = Path.Combine(work, "staged");
            Extract(tarball, staged);
            File.WriteAllText(Path.Combine(staged, MarkerName), spec.Sha512Base64 + "\n");
            Publish(staged, final);
        }
        finally
        {
            TryDeleteDirectory(work);
        }
        return Path.Combine(final, "package");
    }

    /// <summary>Whether <paramref name="spec"/> is cached (no npm call); <paramref name="packageDirectory"/> is its <c>package</c> folder.</summary>
    public static bool TryGetCached(NpmPackageSpec spec, DataCacheOptions? options, out string packageDirectory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string dir = EntryDirectory(spec, options ?? new DataCacheOptions());
        packageDirectory = Path.Combine(dir, "package");
        string marker = Path.Combine(dir, MarkerName);
        return File.Exists(marker) && File.ReadAllText(marker).Trim() == spec.Sha512Base64 && Directory.Exists(packageDirectory);
    }

    private static string EntryDirectory(NpmPackageSpec spec, DataCacheOptions options) =>
        Path.Combine(options.ResolveCacheDirectory(), "npm", $"{spec.Name.Replace('/', '+')}@{spec.Version}");

    private static string RunNpmPack(NpmPackageSpec spec, DataCacheOptions options, string work)
    {
        var psi = new ProcessStartInfo(options.NpmCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = work,
        };
        foreach (string arg in new[] { "pack", spec.ToString(), "--pack-destination", work, "--ignore-scripts" })
        {
            psi.ArgumentList.Add(arg);
        }
        string command = $"{options.NpmCommand} pack {spec} --pack-destination {work}";
        (int exitCode, string stderr) = RunProcess(psi, options.NpmTimeout, command, spec);
        if (exitCode != 0)
        {
            throw new NpmFetchException($"'{command}' failed with exit code {exitCode}: npm could not download {spec} "
                + $"(offline, no access to the npm registry, or a proxy/registry misconfiguration). npm said: {Tail(stderr)}");
        }
        string[] tarballs = Directory.GetFiles(work, "*.tgz");
        return tarballs.Length == 1 ? tarballs[0]
            : throw new NpmFetchException($"'{command}' exited 0 but left {tarballs.Length} .tgz files in '{work}', expected exactly one.");
    }

    private static (int ExitCode, string Stderr) RunProcess(ProcessStartInfo psi, TimeSpan timeout, string command, NpmPackageSpec spec)
    {
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new NpmFetchException($"Could not start '{command}'.");
        }
        catch (Win32Exception e)
        {
            throw new NpmFetchException($"Could not run '{psi.FileName}' to fetch {spec}: {e.Message}. Install Node.js/npm "
                + "(npm must be on PATH) or set DataCacheOptions.NpmCommand to the npm client.", e);
        }
        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new NpmFetchException($"'{command}' did not finish within {timeout}; is the machine offline or the npm registry unreachable?");
            }
            process.WaitForExit();
            _ = stdout.GetAwaiter().GetResult();
            return (process.ExitCode, stderr.GetAwaiter().GetResult());
        }
    }

    private static void VerifySha512(string tarball, NpmPackageSpec spec)
    {
        string actual;
        using (FileStream fs = File.OpenRead(tarball))
        {
            actual = Convert.ToBase64String(SHA512.HashData(fs));
        }
        if (actual != spec.Sha512Base64)
        {
            throw new InvalidDataException($"Tarball '{tarball}' fetched for {spec} has SHA-512 {actual}, but the pinned "
                + $"value is {spec.Sha512Base64}; refusing to use it (corrupted download or a changed package).");
        }
    }

    private static void Extract(string tarball, string destination)
    {
        string root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(root);
        using FileStream fs = File.OpenRead(tarball);
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } entry)
        {
            string target = Path.GetFullPath(Path.Combine(root, entry.Name));
            if (!target.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Tarball '{tarball}' entry '{entry.Name}' would extract outside '{root}'.");
            }
            ExtractEntry(tarball, entry, target);
        }
        if (!Directory.Exists(Path.Combine(root, "package")))
        {
            throw new InvalidDataException($"Tarball '{tarball}' has no 'package/' folder; it is not an npm package tarball.");
        }
    }

    private static void ExtractEntry(string tarball, TarEntry entry, string target)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Directory.CreateDirectory(target);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                entry.ExtractToFile(target, overwrite: true);
                break;
            case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                break; // metadata only; TarReader applies it to the following entry
            default:
                throw new InvalidDataException($"Tarball '{tarball}' entry '{entry.Name}' has type {entry.EntryType}; only files and folders are expected.");
        }
    }

    private static void Publish(string staged, string final)
    {
        if (Directory.Exists(final))
        {
            if (File.Exists(Path.Combine(final, MarkerName)))
            {
                return; // published by a concurrent run; that copy is complete and verified
            }
            TryDeleteDirectory(final); // an incomplete entry left by an interrupted run
        }
        try
        {
            Directory.Move(staged, final);
        }
        catch (IOException) when (File.Exists(Path.Combine(final, MarkerName)))
        {
            // a concurrent run published first
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "…" + text[^2000..].Trim();

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
