using System.Globalization;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Evaluation.Retrieval;

/// <summary>
/// <c>evaluate retrieval</c>: runs a retriever (or reads a TREC run file) on a BEIR folder, and returns the JSON report
/// (metrics, per-query counts, timings); when an output folder is given, also writes <c>retrieval.md</c> (a markdown
/// table), <c>run.trec</c> (the run, <c>qid Q0 docid rank score tag</c>) and <c>per_query.tsv</c> (each judged query's metrics) there.
/// </summary>
public static class EvaluateRetrieval
{
    /// <summary>Evaluates and writes the output files; returns the JSON report (with the written paths under <c>files</c>).</summary>
    /// <param name="o">What to evaluate.</param>
    /// <param name="outDir">Folder for the markdown table and run file (created; null = write nothing).</param>
    public static JsonObject Run(RetrievalEvalOptions o, string? outDir)
    {
        var report = RetrievalEvaluation.Run(o);
        var json = report.ToJson();
        json["data"] = o.DataDir;
        json["split"] = o.Split;
        if (o.RunFile is null && o.Retriever != "bm25") json["model"] = o.ModelDir;
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            string md = Path.Combine(outDir, "retrieval.md"), run = Path.Combine(outDir, "run.trec");
            File.WriteAllText(md, report.ToMarkdown());
            TrecRun.Write(run, report.Run, o.RunFile is null ? o.Retriever : "rescored");
            string perQuery = Path.Combine(outDir, "per_query.tsv");
            File.WriteAllLines(perQuery, ["qid	ndcg@10	mrr@10	recall@100	map@100	retrieved	relevant", .. report.Scores.PerQuery.Select(kv =>
                string.Create(CultureInfo.InvariantCulture,
                    $"{kv.Key}	{kv.Value.Ndcg10:F4}	{kv.Value.Mrr10:F4}	{kv.Value.Recall100:F4}	{kv.Value.Map100:F4}	{kv.Value.Retrieved}	" +
                        $"{kv.Value.Relevant}"))]);
            json["files"] = new JsonObject { ["markdown"] = md, ["run"] = run, ["per_query"] = perQuery };
        }
        return json;
    }
}
