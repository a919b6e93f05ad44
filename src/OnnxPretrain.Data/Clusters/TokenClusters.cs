using System.Globalization;
using System.Text;

namespace OnnxPretrain.Data;

/// <summary>
/// A partition of the vocabulary into C token clusters, as C-RTS (Di Liello et al. 2021, "Efficient pre-training
/// objectives for Transformers", §3) draws its substitutions from; built by <see cref="TokenClusterBuilder"/>.
/// <para>File format (UTF-8 text, '\n' line ends, invariant culture), line by line:</para>
/// <code>
/// onnxpretrain-token-clusters 1      magic and format version
/// vocab_size V
/// clusters C
/// c_0                                cluster of id 0, an integer in [0, C)
/// ...
/// c_{V-1}                            cluster of id V − 1
/// </code>
/// <para>Exactly V assignment lines follow the header; clusters may be empty.</para>
/// </summary>
public sealed class TokenClusters
{
    /// <summary>First word of the file's first line.</summary>
    public const string Magic = "onnxpretrain-token-clusters";

    /// <summary>Format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private readonly int[] _clusterOf;
    private readonly int[][] _members;

    /// <summary>Creates clusters from each id's cluster.</summary>
    /// <param name="clusterOfId">Cluster of each id 0 … V − 1 (V ≥ 1), each in [0, <paramref name="clusterCount"/>).</param>
    /// <param name="clusterCount">C ≥ 1.</param>
    /// <exception cref="ArgumentException">Empty vocabulary, C &lt; 1 or an assignment out of range (names id and value).</exception>
    public TokenClusters(IReadOnlyList<int> clusterOfId, int clusterCount)
    {
        ArgumentNullException.ThrowIfNull(clusterOfId);
        if (clusterOfId.Count == 0) throw new ArgumentException("Token clusters need at least one id, got 0.", nameof(clusterOfId));
        if (clusterCount < 1) throw new ArgumentException($"clusterCount must be >= 1, got {clusterCount}.", nameof(clusterCount));
        _clusterOf = clusterOfId.ToArray();
        var members = new List<int>[clusterCount];
        for (int c = 0; c < clusterCount; c++) members[c] = [];
        for (int id = 0; id < _clusterOf.Length; id++)
        {
            int c = _clusterOf[id];
            if ((uint)c >= (uint)clusterCount)
                throw new ArgumentException($"Id {id} is assigned to cluster {c}, outside [0, {clusterCount}).", nameof(clusterOfId));
            members[c].Add(id);
        }
        _members = members.Select(m => m.ToArray()).ToArray();
    }

    /// <summary>V, the number of ids.</summary>
    public int VocabSize => _clusterOf.Length;

    /// <summary>C, the number of clusters.</summary>
    public int ClusterCount => _members.Length;

    /// <summary>The cluster of every id, indexed by id.</summary>
    public IReadOnlyList<int> Assignments => _clusterOf;

    /// <summary>The cluster of one id.</summary>
    /// <param name="id">Token id in [0, V).</param>
    /// <returns>Its cluster in [0, C).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside [0, V).</exception>
    public int ClusterOf(int id)
    {
        if ((uint)id >= (uint)_clusterOf.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"must be in [0, {_clusterOf.Length})");
        return _clusterOf[id];
    }

    /// <summary>The ids of one cluster, ascending (possibly none).</summary>
    /// <param name="cluster">Cluster in [0, C).</param>
    /// <returns>Member ids.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The cluster is outside [0, C).</exception>
    public IReadOnlyList<int> Members(int cluster)
    {
        if ((uint)cluster >= (uint)_members.Length)
            throw new ArgumentOutOfRangeException(nameof(cluster), cluster, $"must be in [0, {_members.Length})");
        return _members[cluster];
    }

    /// <summary>Writes the cluster file atomically (a temporary file in the same folder, then renamed over <paramref name="path"/>).</summary>
    /// <param name="path">Destination file.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ClusterFiles.WriteAtomic(path, w =>
        {
            w.Write($"{Magic} {FormatVersion}\nvocab_size {VocabSize}\nclusters {ClusterCount}\n");
            foreach (int c in _clusterOf) w.Write(c.ToString(CultureInfo.InvariantCulture) + "\n");
        });
    }

    /// <summary>Reads and validates a cluster file.</summary>
    /// <param name="path">File written by <see cref="Save"/> (or by hand in its format).</param>
    /// <returns>The clusters.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Bad magic or version, a malformed header, a value out of range, or too few
    /// or too many lines; the message names the file and the 1-based line.</exception>
    public static TokenClusters Load(string path)
    {
        using var reader = new ClusterFileReader(path);
        reader.ExpectHeader(Magic, FormatVersion);
        int vocab = reader.ReadNamedInt("vocab_size", 1, int.MaxValue);
        int clusters = reader.ReadNamedInt("clusters", 1, int.MaxValue);
        var assignment = new int[vocab];
        for (int id = 0; id < vocab; id++) assignment[id] = reader.ReadInt(0, clusters - 1, $"cluster of id {id}");
        reader.ExpectEnd();
        return new TokenClusters(assignment, clusters);
    }
}

/// <summary>Atomic writing and line-numbered reading of the cluster text files.</summary>
internal static class ClusterFiles
{
    /// <summary>Writes through a temporary sibling file that is then renamed over the destination.</summary>
    public static void WriteAtomic(string path, Action<TextWriter> write)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                write(writer);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}

/// <summary>Reads a cluster text file line by line, reporting errors as "file: line N: problem".</summary>
internal sealed class ClusterFileReader : IDisposable
{
    private readonly StreamReader _reader;
    private readonly string _path;
    private int _line;

    public ClusterFileReader(string path)
    {
        _path = path;
        if (!File.Exists(path)) throw new FileNotFoundException($"Cluster file '{path}' does not exist.", path);
        _reader = new StreamReader(path, Encoding.UTF8);
    }

    public void Dispose() => _reader.Dispose();

    public InvalidDataException Error(string problem) => new($"{_path}: line {_line}: {problem}");

    public string Next(string what)
    {
        string? line = _reader.ReadLine();
        _line++;
        return line ?? throw Error($"unexpected end of file, expected {what}.");
    }

    public void ExpectHeader(string magic, int version)
    {
        string[] words = Next("the header").Split(' ');
        if (words.Length != 2 || words[0] != magic) throw Error($"bad magic: expected '{magic} {version}'.");
        if (words[1] != version.ToString(CultureInfo.InvariantCulture))
            throw Error($"unsupported version '{words[1]}', expected {version}.");
    }

    public int ReadNamedInt(string name, int min, int max)
    {
        string[] words = Next($"'{name} <n>'").Split(' ');
        if (words.Length != 2 || words[0] != name) throw Error($"expected '{name} <n>'.");
        return ParseInt(words[1], min, max, name);
    }

    public int ReadInt(int min, int max, string what) => ParseInt(Next(what), min, max, what);

    public int ParseInt(string text, int min, int max, string what)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            throw Error($"{what}: '{text}' is not an integer.");
        if (v < min || v > max) throw Error($"{what}: {v} is outside [{min}, {max}].");
        return v;
    }

    public double ParseDouble(string text, string what)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw Error($"{what}: '{text}' is not a finite number.");
        return v;
    }

    public void ExpectEnd()
    {
        while (_reader.ReadLine() is { } extra)
        {
            _line++;
            if (extra.Length != 0) throw Error("unexpected extra line after the last entry.");
        }
    }
}
