using System.CommandLine;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static Command EvaluateSummarizationCommand()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with {train,dev,test}.jsonl ({\"id\",\"document\",\"summary\"[,\"references\"]}), e.g. ../shared/data/summarization/aeslc.", Required = true };
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var predictions = new Option<FileInfo?>("--predictions") { Description = "Predictions to score: JSONL {\"id\",\"prediction\"}, one per example of the split (Lead-1 is reported beside them)." };
        var lead = new Option<bool>("--lead") { Description = "Score only the Lead-1 baseline (the document's first sentence)." };
        var stem = new Option<bool>("--stem") { Description = "Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer; PEGASUS uses true).", DefaultValueFactory = _ => true };
        var c = new Command("summarization", "Summarisation: ROUGE-1/2/L precision, recall and F1 (rouge-score conventions) against each example's summary, " +
            "plus the mean and the max over its references when present; JSON on stdout, markdown table into --out.")
            { data, split, predictions, lead, stem, Out };
        c.SetAction(r => Guard(() =>
        {
            Print(Commands.EvaluateSummarization.Run(r.GetValue(data)!.FullName, r.GetValue(split)!, r.GetValue(predictions)?.FullName,
                r.GetValue(lead), r.GetValue(stem), r.GetValue(Out)?.FullName));
            return 0;
        }));
        return c;
    }
}
