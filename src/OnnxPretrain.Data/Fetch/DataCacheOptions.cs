namespace OnnxPretrain.Data;

/// <summary>
/// Where downloaded data (npm tarballs' contents, the BERT vocabulary, token shards) is cached and how npm is run.
/// The cache folder is, in order: <see cref="CacheDirectory"/>, the environment variable <c>ONNXPRETRAIN_CACHE</c>,
/// or <c>~/.cache/onnxpretrain</c>.
/// </summary>
public sealed record DataCacheOptions
{
    /// <summary>Name of the environment variable that overrides the default cache folder.</summary>
    public const string EnvironmentVariable = "ONNXPRETRAIN_CACHE";

    /// <summary>Explicit cache folder; null to use <c>ONNXPRETRAIN_CACHE</c> or the default.</summary>
    /// <exception cref="ArgumentException">Empty or whitespace (use null for the default).</exception>
    public string? CacheDirectory
    {
        get;
        init => field = value is not null && string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"CacheDirectory must be null or a path, got '{value}'.", nameof(CacheDirectory)) : value;
    }

    /// <summary>The npm client to run (default <c>npm</c>, found on PATH; <c>npm.cmd</c> on Windows).</summary>
    /// <exception cref="ArgumentException">Empty or whitespace.</exception>
    public string NpmCommand
    {
        get;
        init => field = string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"NpmCommand must be a command name or path, got '{value}'.", nameof(NpmCommand)) : value;
    } = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    /// <summary>Longest time one <c>npm pack</c> may take (default 5 minutes).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan NpmTimeout
    {
        get;
        init => field = value > TimeSpan.Zero ? value
            : throw new ArgumentOutOfRangeException(nameof(NpmTimeout), value, $"NpmTimeout must be positive, got {value}.");
    } = TimeSpan.FromMinutes(5);

    /// <summary>The cache folder these options select (not created).</summary>
    public string ResolveCacheDirectory()
    {
        if (CacheDirectory is not null)
        {
            return Path.GetFullPath(CacheDirectory);
        }
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            return Path.GetFullPath(env);
        }
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "onnxpretrain");
    }
}
