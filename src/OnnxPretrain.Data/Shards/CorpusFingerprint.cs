using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OnnxPretrain.Data;

/// <summary>
/// SHA-256 over a corpus' tokenised content: for each document its id, paragraph boundaries and sentence texts, each
/// string length-prefixed (UTF-8). Titles are not tokenised and not included. Equal fingerprints mean equal shard input.
/// </summary>
public static class CorpusFingerprint
{
    /// <summary>Lower-case hex SHA-256 of <paramref name="documents"/> in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="documents"/> is null.</exception>
    public static string Compute(IEnumerable<Document> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[4096];
        foreach (Document d in documents)
        {
            Append(sha, 'D', d.Id, ref buffer);
            foreach (Paragraph p in d.Paragraphs)
            {
                Append(sha, 'P', "", ref buffer);
                foreach (string s in p.Sentences)
                {
                    Append(sha, 'S', s, ref buffer);
                }
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void Append(IncrementalHash sha, char tag, string text, ref byte[] buffer)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length) + 5;
        if (buffer.Length < max)
        {
            buffer = new byte[max];
        }
        int n = Encoding.UTF8.GetBytes(text, buffer.AsSpan(5));
        buffer[0] = (byte)tag;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), n);
        sha.AppendData(buffer, 0, n + 5);
    }
}
