using System.CommandLine;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static Command EvaluateSummarizationCommand()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with {train,dev,test}.jsonl ({\"id\",\"document\",\"summary\"[,\"references\"]}), e.g. ../shared/data/summarization/aeslc.", Required = true };
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var predictions = new Option<FileInfo?>("--predictions") { Description = "Predictions to score: JSONL {\"id\",\"prediction\"}, one per example of the split (Lead-1 is reported beside them)." };
        var model = new Option<DirectoryInfo?>("--model") { Description = "Seq2seq export folder (encoder_model.onnx, decoder_model.onnx, decoder_with_past_model.onnx, config.json, vocab.txt) to generate summaries with." };
        var g = GenerationOptionsFor();
        var lead = new Option<bool>("--lead") { Description = "Score only the Lead-1 baseline (the document's first sentence)." };
        var stem = new Option<bool>("--stem") { Description = "Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer; PEGASUS uses true).", DefaultValueFactory = _ => true };
        var c = new Command("summarization", "Summarisation: ROUGE-1/2/L precision, recall and F1 (rouge-score conventions) against each example's summary, " +
            "plus the mean and the max over its references when present; JSON on stdout, markdown table into --out.")
            { data, split, predictions, model, lead, stem, g.MaxSource, g.Beams, g.MaxNew, g.MinLength, g.LengthPenalty, g.NoRepeat, g.Batch, Out, Threads, Device };
        c.SetAction(r => Guard(() =>
        {
            Print(Commands.EvaluateSummarization.Run(r.GetValue(data)!.FullName, r.GetValue(split)!, r.GetValue(predictions)?.FullName,
                r.GetValue(lead), r.GetValue(stem), r.GetValue(Out)?.FullName, r.GetValue(model)?.FullName, g.Read(r), Session(r)));
            return 0;
        }));
        return c;
    }

    /// <summary>The decoding options shared by <c>evaluate summarization</c> and <c>finetune summarization</c> (HF generate's names).</summary>
    private sealed record GenerationCliOptions(Option<int> MaxSource, Option<int> Beams, Option<int> MaxNew, Option<int> MinLength,
        Option<float> LengthPenalty, Option<int> NoRepeat, Option<int> Batch)
    {
        public Evaluation.Summarization.SummarizerOptions Read(ParseResult r) => new(r.GetValue(MaxSource), new Evaluation.Generation.GenerationOptions
        {
            NumBeams = r.GetValue(Beams), MaxNewTokens = r.GetValue(MaxNew), MinLength = r.GetValue(MinLength), LengthPenalty = r.GetValue(LengthPenalty),
            NoRepeatNgramSize = r.GetValue(NoRepeat), BatchSize = r.GetValue(Batch),
        });
    }

    private static GenerationCliOptions GenerationOptionsFor() => new(
        new Option<int>("--max-source-length") { Description = "Source tokens per document, end of sequence included.", DefaultValueFactory = _ => 512 },
        new Option<int>("--num-beams") { Description = "Beams (1 = greedy).", DefaultValueFactory = _ => 1 },
        new Option<int>("--max-new-tokens") { Description = "Most generated tokens per summary.", DefaultValueFactory = _ => 32 },
        new Option<int>("--min-length") { Description = "End of sequence is forbidden before this many tokens.", DefaultValueFactory = _ => 0 },
        new Option<float>("--length-penalty") { Description = "Beam scores are sum log p / length^penalty.", DefaultValueFactory = _ => 1f },
        new Option<int>("--no-repeat-ngram-size") { Description = "No n-gram of this size repeats in a summary (0 = off).", DefaultValueFactory = _ => 0 },
        new Option<int>("--generation-batch") { Description = "Documents decoded together.", DefaultValueFactory = _ => 16 });
}
