using System.Globalization;
using System.Reflection;

namespace OnnxPretrain.Data;

/// <summary>
/// Canonical decomposition (Unicode NFD, UAX #15) of single code points from an embedded table, so accent stripping
/// works without ICU: with <c>InvariantGlobalization</c> (this solution's setting) <see cref="string.Normalize()"/>
/// leaves non-ASCII text unchanged. Hangul syllables decompose algorithmically. Canonical reordering of combining
/// marks is not applied (irrelevant when the marks are then removed).
/// </summary>
internal static class UnicodeDecomposition
{
    private const string ResourceName = "OnnxPretrain.Data.UnicodeDecompositions.txt";
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = 11172;

    private static readonly Lazy<Dictionary<int, int[]>> Table = new(Load);

    /// <summary>Number of table entries (2,061 for Unicode 14).</summary>
    public static int Count => Table.Value.Count;

    /// <summary>Appends the full canonical decomposition of <paramref name="cp"/> (itself if it has none) to <paramref name="output"/>.</summary>
    public static void Decompose(int cp, List<int> output)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            int s = cp - SBase;
            output.Add(LBase + (s / NCount));
            output.Add(VBase + (s % NCount / TCount));
            if (s % TCount != 0)
            {
                output.Add(TBase + (s % TCount));
            }
            return;
        }
        if (Table.Value.TryGetValue(cp, out int[]? parts))
        {
            output.AddRange(parts);
            return;
        }
        output.Add(cp);
    }

    private static Dictionary<int, int[]> Load()
    {
        using Stream stream = typeof(UnicodeDecomposition).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from " +
                $"{typeof(UnicodeDecomposition).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var table = new Dictionary<int, int[]>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            foreach (string entry in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                ParseEntry(entry, lineNumber, table);
            }
        }
        return table;
    }

    private static void ParseEntry(string entry, int lineNumber, Dictionary<int, int[]> table)
    {
        int colon = entry.IndexOf(':');
        if (colon <= 0 || !int.TryParse(entry.AsSpan(0, colon), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp))
        {
            throw new InvalidDataException($"Embedded resource {ResourceName}, line {lineNumber}: entry '{entry}' is not CODEPOINT:HEX[,HEX...].");
        }
        table[cp] = entry[(colon + 1)..].Split(',')
            .Select(h => int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
    }
}
