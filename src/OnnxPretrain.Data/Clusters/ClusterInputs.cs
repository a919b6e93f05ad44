using System.Buffers.Binary;
using System.Globalization;

namespace OnnxPretrain.Data;

/// <summary>Readers of the inputs of <see cref="TokenClusterBuilder"/>: embedding matrices and token-id corpora.</summary>
public static class ClusterInputs
{
    /// <summary>
    /// Reads a raw (V, D) float32 matrix: V·D little-endian IEEE-754 floats, row-major, no header (e.g. numpy's
    /// <c>weight.astype('&lt;f4').tofile(path)</c>).
    /// </summary>
    /// <param name="path">Matrix file of exactly V·D·4 bytes.</param>
    /// <param name="vocabSize">V ≥ 1.</param>
    /// <param name="dimension">D ≥ 1.</param>
    /// <returns>The (V, D) values.</returns>
    /// <exception cref="ArgumentException">V or D &lt; 1, or V·D too large for one array.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The size is not V·D·4 bytes, or a value is NaN or infinite (names file and byte offset).</exception>
    public static float[] ReadEmbeddings(string path, int vocabSize, int dimension)
    {
        if (vocabSize < 1) throw new ArgumentException($"vocabSize must be >= 1, got {vocabSize}.", nameof(vocabSize));
        if (dimension < 1) throw new ArgumentException($"dimension must be >= 1, got {dimension}.", nameof(dimension));
        long count = (long)vocabSize * dimension;
        if (count > Array.MaxLength) throw new ArgumentException($"vocabSize x dimension = {count} is too large for one array.", nameof(vocabSize));
        if (!File.Exists(path)) throw new FileNotFoundException($"Embedding file '{path}' does not exist.", path);
        long bytes = new FileInfo(path).Length;
        if (bytes != count * 4)
            throw new InvalidDataException($"{path}: {bytes} bytes, expected vocab size {vocabSize} x dim {dimension} x 4 = {count * 4}.");
        byte[] raw = File.ReadAllBytes(path);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4, 4));
            if (!float.IsFinite(values[i]))
                throw new InvalidDataException($"{path}: byte offset {(long)i * 4}: value {values[i]} (row {i / dimension}, column " +
                    $"{i % dimension}) is not finite.");
        }
        return values;
    }

    /// <summary>
    /// Lazily reads a corpus of token ids: one sequence per line, ids separated by spaces or tabs; blank lines are
    /// skipped. Every enumeration re-reads the file, so the result can be passed to <see cref="Cooccurrence.Build"/>.
    /// </summary>
    /// <param name="path">Text file.</param>
    /// <param name="vocabSize">V ≥ 1; every id must be in [0, V).</param>
    /// <returns>The sequences, in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist (when enumerated).</exception>
    /// <exception cref="InvalidDataException">A word is not an integer in [0, V) (names file, line and word; when enumerated).</exception>
    public static IEnumerable<int[]> ReadIdSequences(string path, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(path);
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            string[] words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            var ids = new int[words.Length];
            for (int i = 0; i < words.Length; i++)
            {
                if (!int.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]) || ids[i] >= vocabSize)
                    throw new InvalidDataException($"{path}: line {line}, word {i + 1}: '{words[i]}' is not a token id in [0, {vocabSize}).");
            }
            yield return ids;
        }
    }
}
