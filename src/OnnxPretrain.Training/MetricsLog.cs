using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Training;

/// <summary>
/// Appends one JSON object per line to <c>metrics.jsonl</c>: training steps (<c>"split":"train"</c>: step, loss,
/// metrics, lr, grad_norm, tokens_per_second, elapsed_s) and evaluations (<c>"split":"eval"</c>). Flushed per line.
/// </summary>
public sealed class MetricsLog(string path)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Logs a training step.</summary>
    public void Train(long step, double loss, IReadOnlyDictionary<string, double> metrics, double lr, double gradNorm, double tokensPerSecond, double elapsed)
    {
        var o = new JsonObject { ["split"] = "train", ["step"] = step, ["loss"] = Round(loss) };
        foreach (var (k, v) in metrics) o[k] = Round(v);
        o["lr"] = lr;
        o["grad_norm"] = Round(gradNorm);
        o["tokens_per_second"] = Math.Round(tokensPerSecond, 1);
        o["elapsed_s"] = Math.Round(elapsed, 3);
        Append(o);
    }

    /// <summary>Logs an evaluation.</summary>
    public void Eval(long step, IReadOnlyDictionary<string, double> values, double elapsed)
    {
        var o = new JsonObject { ["split"] = "eval", ["step"] = step };
        foreach (var (k, v) in values) o[k] = Round(v);
        o["elapsed_s"] = Math.Round(elapsed, 3);
        Append(o);
    }

    /// <summary>
    /// Makes the log end at <paramref name="step"/> before a run continues from it (a resume from checkpoint-N after the
    /// process ran past N): rows of later steps, and a half-written last line, are dropped, so the log holds one curve.
    /// The previous file is kept as <c>metrics.jsonl.before-resume-{step}</c>; the rewrite is atomic.
    /// </summary>
    /// <returns>The backup's path, or null when nothing had to be dropped.</returns>
    public string? DropAfter(long step)
    {
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        var kept = lines.Where(l => StepOf(l) is { } s && s <= step).ToList();
        if (kept.Count == lines.Length) return null;
        var backup = $"{path}.before-resume-{step}";
        File.Copy(path, backup, overwrite: true);
        File.WriteAllLines(path + ".tmp", kept);
        File.Move(path + ".tmp", path, overwrite: true);
        return backup;
    }

    private static long? StepOf(string line)
    {
        try
        {
            return line.Length == 0 ? null : (long?)JsonNode.Parse(line)?["step"];
        }
        catch (JsonException)
        {
            return null;                                          // a line cut short by a kill
        }
    }

    /// <summary>Reads every line back (for plots and reports).</summary>
    public static List<JsonObject> Read(string path) => !File.Exists(path) ? [] :
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private void Append(JsonObject o)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.AppendAllText(path, o.ToJsonString(Options) + "\n");
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : v;
}
