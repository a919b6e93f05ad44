using System.CommandLine;
using OnnxPretrain.Evaluation;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static Command EvaluateCommand()
    {
        var evaluate = new Command("evaluate", "Evaluate exported models or precomputed scores on downstream tasks.");
        evaluate.Subcommands.Add(EvaluateAs2Command());
        return evaluate;
    }

    private static Command EvaluateAs2Command()
    {
        var model = new Option<DirectoryInfo?>("--model") { Description = "Exported cross-encoder folder (model.onnx with a logits output, vocab.txt)." };
        var scores = new Option<FileInfo?>("--scores") { Description = "Precomputed scores: the split's TSV plus a 'score' column." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Folder with {train,dev,test}.tsv (qid, question, candidate, label), e.g. ../shared/data/as2/wikiqa." };
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var all = new Option<bool>("--all-questions") { Description = "Include questions without a positive (they score 0); default: only questions with a positive (standard WikiQA)." };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the markdown table to this file." };
        var c = new Command("as2", "Answer sentence selection: P@1, MAP, MRR, HR@5 (tie-aware expected values) for a model or precomputed scores, " +
            "beside the word-count and IDF-weighted word-overlap baselines (Yang et al. 2015).") { model, scores, data, split, all, markdown };
        c.SetAction(r => Guard(() =>
        {
            var report = As2Evaluation.Run(new As2EvalOptions(r.GetValue(data)?.FullName, r.GetValue(split)!, r.GetValue(model)?.FullName,
                r.GetValue(scores)?.FullName, r.GetValue(all)));
            Console.Out.WriteLine(report.ToJsonString());
            Console.Error.WriteLine(report.ToMarkdown());
            if (r.GetValue(markdown) is { } md) File.WriteAllText(md.FullName, report.ToMarkdown());
            return 0;
        }));
        return c;
    }
}
