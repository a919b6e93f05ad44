using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Runtime;

/// <summary>Summarises ONNX Runtime's JSON profile (<see cref="SessionConfig.ProfilePrefix"/>): kernel time per op type.</summary>
public static class ProfileSummary
{
    /// <summary>Total kernel time (ms) and call count per op type, largest first, from one profile file.</summary>
    /// <exception cref="InvalidDataException">The file is not an ORT profile.</exception>
    public static JsonArray ByOpType(string profileJson, int top = 25)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(profileJson));
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"'{profileJson}' is not an ONNX Runtime " +
            $"profile (expected a JSON array).");
        var totals = new Dictionary<string, (double Us, int Calls)>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            if (!e.TryGetProperty("name", out var name) || !name.GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            var op = e.GetProperty("args").TryGetProperty("op_name", out var o) ? o.GetString()! : "?";
            var (us, calls) = totals.GetValueOrDefault(op);
            totals[op] = (us + e.GetProperty("dur").GetDouble(), calls + 1);
        }
        double all = totals.Values.Sum(v => v.Us);
        return new JsonArray(totals.OrderByDescending(kv => kv.Value.Us).Take(top).Select(kv => (JsonNode)new JsonObject
        {
            ["op"] = kv.Key, ["ms"] = Math.Round(kv.Value.Us / 1000, 1), ["calls"] = kv.Value.Calls,
            ["share"] = Math.Round(kv.Value.Us / Math.Max(1, all), 3),
        }).ToArray());
    }
}
