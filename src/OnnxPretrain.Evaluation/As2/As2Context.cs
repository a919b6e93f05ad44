namespace OnnxPretrain.Evaluation;

/// <summary>
/// The context of contextual AS2 (Lauriola and Moschitti 2021): a candidate's previous and next sentences in its source
/// document. In WikiQA a question's candidates are the sentences of one Wikipedia summary in document order, so the
/// neighbours in the file (within the question) are the context; the first candidate has no previous sentence and the
/// last no next one (empty strings). An export trained this way says so in <c>config.json</c> (<see cref="ConfigKey"/>:
/// true), and <see cref="As2Scorer"/> then feeds each candidate with its neighbours.
/// </summary>
public static class As2Context
{
    /// <summary>The <c>config.json</c> key of a contextual cross-encoder.</summary>
    public const string ConfigKey = "contextual_as2";

    /// <summary>(previous, next) candidate text of every row of <paramref name="data"/>, by row.</summary>
    public static (string Left, string Right)[] Neighbours(As2Dataset data)
    {
        var context = new (string, string)[data.Pairs.Count];
        foreach (var q in data.Questions)
            for (int i = 0; i < q.Candidates.Count; i++)
                context[q.Candidates[i].Row] = (i > 0 ? q.Candidates[i - 1].Candidate : "", i + 1 < q.Candidates.Count ? q.Candidates[i + 1].Candidate : "");
        return context;
    }

    /// <summary>Whether the export folder's <c>config.json</c> marks a contextual cross-encoder.</summary>
    public static bool IsContextual(string modelDir)
    {
        var path = Path.Combine(modelDir, "config.json");
        return File.Exists(path) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))?[ConfigKey] is System.Text.Json.Nodes.JsonValue v
            && v.TryGetValue<bool>(out var b) && b;
    }
}
