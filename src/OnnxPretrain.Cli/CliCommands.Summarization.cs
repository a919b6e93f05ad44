using System.CommandLine;
using OnnxPretrain.Training;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static Command EvaluateSummarizationCommand()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with {train,dev,test}.jsonl " +
            "({\"id\",\"document\",\"summary\"[,\"references\"]}), e.g. ../shared/data/summarization/aeslc.", Required = true };
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var predictions = new Option<FileInfo?>("--predictions") { Description = "Predictions to score: JSONL {\"id\",\"prediction\"}, one " +
            "per example of the split (Lead-1 is reported beside them)." };
        var model = new Option<DirectoryInfo?>("--model") { Description = "Seq2seq export folder (encoder_model.onnx, decoder_model.onnx, " +
            "decoder_with_past_model.onnx, config.json, vocab.txt) to generate summaries with." };
        var g = GenerationOptionsFor();
        var lead = new Option<bool>("--lead") { Description = "Score only the Lead-1 baseline (the document's first sentence)." };
        var stem = new Option<bool>("--stem")
        {
            Description = "Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer; PEGASUS uses it). On by default; --stem false turns it off.",
            DefaultValueFactory = _ => true,
        };
        var c = new Command("summarization", "Summarisation: ROUGE-1/2/L precision, recall and F1 (rouge-score conventions) against each example's summary, " +
            "plus the mean and the max over its references when present; JSON on stdout, markdown table into --out.")
            { data, split, predictions, model, lead, stem, g.MaxSource, g.Beams, g.MaxNew, g.MinLength, g.LengthPenalty, g.NoRepeat,
                g.Batch, g.EarlyStopping, g.ForcedEos,
                    Out("none: the report is printed, no markdown file is written; with --model the predictions go into the --model folder"), Threads, Device };
        c.SetAction(r => Guard(() =>
        {
            Print(Evaluation.Summarization.EvaluateSummarization.Run(r.GetValue(data)!.FullName, r.GetValue(split)!, r.GetValue(predictions)?.FullName,
                r.GetValue(lead), r.GetValue(stem), OutValue(r)?.FullName, r.GetValue(model)?.FullName, g.Read(r), Session(r)));
            return 0;
        }));
        return c;
    }

    /// <summary>A seq2seq recipe (<c>model_type: bart</c>) with the shared <c>--steps</c> / <c>--seed</c> overrides.</summary>
    /// <exception cref="ArgumentException">The recipe is not a seq2seq recipe (names the file) or is invalid.</exception>
    public static Seq2SeqRecipe LoadSeq2SeqRecipe(ParseResult r)
    {
        var path = r.GetValue(Recipe)!.FullName;
        if (File.Exists(path) && !Seq2SeqRecipe.IsSeq2Seq(File.ReadAllText(path)))
            throw new ArgumentException($"Recipe '{path}' is not a seq2seq recipe (model.model_type must be 'bart'; see models/seq2seq-small-gsg.json).");
        var recipe = Seq2SeqRecipe.Load(path);
        var training = recipe.Training;
        if (r.GetValue(Steps) is { } steps) training = training with { Steps = steps };
        if (r.GetValue(Seed) is { } seed) training = training with { Seed = seed };
        return recipe with { Training = training.Validate() };
    }

    /// <summary>True when <c>--recipe</c> names a seq2seq recipe.</summary>
    public static bool IsSeq2SeqRecipe(ParseResult r) =>
        r.GetValue(Recipe) is { Exists: true } f && Seq2SeqRecipe.IsSeq2Seq(File.ReadAllText(f.FullName));

    /// <summary><c>pretrain</c> of a seq2seq recipe (GSG / span corruption): progress lines on stderr, JSON summary on stdout, loss.png.</summary>
    private static int PretrainSeq2Seq(ParseResult r, bool resume)
    {
        if (r.GetValue(Distributed)) throw new NotSupportedException("--distributed is not supported for seq2seq recipes yet; run them in one process.");
        var recipe = LoadSeq2SeqRecipe(r);
        var dir = OutDir(r, recipe.AsDataRecipe());
        Console.Error.WriteLine($"Run folder: {dir}");
        var result = Pretraining.RunSeq2Seq(recipe, new PretrainOptions(dir, Session(r), resume, Console.Error, new PlainProgress()));
        var metrics = Path.Combine(dir, "metrics.jsonl");
        var png = Path.Combine(dir, "loss.png");
        bool plotted = RunReport.PlotLoss(metrics, png, $"{recipe.Name} ({recipe.Objective.Type})");
        Print(new System.Text.Json.Nodes.JsonObject
        {
            ["recipe"] = recipe.Name, ["steps"] = result.Summary.Steps, ["tokens"] = result.Summary.Tokens, ["seconds"] = Math.Round(result.Summary.Seconds, 1),
            ["eval_loss"] = result.Summary.EvalLoss is { } e ? Math.Round(e, 4) : null, ["artifacts"] = dir, ["checkpoint"] = result.Checkpoint,
            ["metrics"] = metrics, ["loss_curve"] = plotted ? png : null,
        });
        return 0;
    }

    private static Command FineTuneSummarizationCommand()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with {train,dev,test}.jsonl " +
            "({\"id\",\"document\",\"summary\"}), e.g. ../shared/data/summarization/aeslc.", Required = true };
        var init = new Option<string?>("--init") { Description = "Checkpoint folder of a seq2seq pre-training run to start from, or a BERT " +
            "encoder (an import's folder or a named model such as minilm) to warm-start both stacks from (BERT2BERT; the recipe must have its " +
            "shape, e.g. models/minilm2minilm-gsg.json). Default: random initialisation." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training examples.", DefaultValueFactory = _ => 3 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 3e-4 };
        var batch = new Option<int>("--batch") { Description = "Examples per step.", DefaultValueFactory = _ => 16 };
        var limit = new Option<int>("--train-limit") { Description = "Use only the first N training examples (0 = all).", DefaultValueFactory = _ => 0 };
        var g = GenerationOptionsFor();
        var c = new Command("summarization", "Summarisation: fine-tune the seq2seq recipe's model (teacher forcing) on (document, summary) pairs, export it " +
            "(encoder/decoder/decoder-with-past ONNX) and report ROUGE-1/2/L on test beside Lead-1, with generation speed.")
            { Recipe, data, init, epochs, lr, batch, limit, g.MaxSource, g.Beams, g.MaxNew, g.MinLength, g.LengthPenalty, g.NoRepeat,
                g.Batch, g.EarlyStopping, g.ForcedEos, Out(RunFolder("-summarization") + "; -2, -3, ... appended while taken"), Threads, Device, Seed };
        c.SetAction(r => Guard(() =>
        {
            var recipe = LoadSeq2SeqRecipe(r);
            var dir = OutValue(r)?.FullName ?? FreshRunDir(OutDir(r, recipe.AsDataRecipe(), "-summarization"));
            var o = new FineTuning.FineTuneSummarizationOptions(r.GetValue(data)!.FullName, dir, InitPath(r.GetValue(init)), r.GetValue(epochs), r.GetValue(lr),
                r.GetValue(batch), r.GetValue(limit), g.Read(r), Session(r));
            Print(FineTuning.FineTuneSummarization.Run(recipe, o, Console.Error));
            return 0;
        }));
        return c;
    }

    /// <summary>
    /// <c>export</c> of a seq2seq checkpoint: Optimum's encoder/decoder/decoder-with-past layout, or transformers.js' encoder
    /// and merged decoder (see <see cref="Export.Seq2SeqExport"/>).
    /// </summary>
    private static System.Text.Json.Nodes.JsonObject ExportSeq2Seq(ParseResult r, string checkpoint, string? outDir, Export.ExportLayout layout)
    {
        var weights = Runtime.Checkpoint.LoadWeights(checkpoint).Tensors;
        var recipe = LoadSeq2SeqRecipe(r);
        var (tokenizer, vocab) = Pretraining.Tokenizer(recipe.AsDataRecipe(), null);
        var specials = Pretraining.Seq2SeqSpecials(tokenizer);
        var dir = Path.GetFullPath(outDir ?? Path.Combine(checkpoint, "..", "export"));
        Export.Seq2SeqExport.Write(recipe.Model, weights, dir,
            new Export.Seq2SeqTokenIds(specials.PadId, specials.DecoderStartId, specials.EosId), vocab, layout);
        if (layout == Export.ExportLayout.TransformersJs)
            return new System.Text.Json.Nodes.JsonObject { ["model"] = dir, ["encoder"] = Path.Combine(dir, "onnx", Export.Seq2SeqExport.EncoderFile),
                ["decoder_merged"] = Path.Combine(dir, "onnx", Export.Seq2SeqExport.MergedDecoderFile) };
        return new System.Text.Json.Nodes.JsonObject { ["model"] = dir, ["encoder"] = Path.Combine(dir, Export.Seq2SeqExport.EncoderFile),
            ["decoder"] = Path.Combine(dir, Export.Seq2SeqExport.DecoderFile), ["decoder_with_past"] = Path.Combine(dir,
                Export.Seq2SeqExport.DecoderWithPastFile) };
    }

    /// <summary>The decoding options shared by <c>evaluate summarization</c> and <c>finetune summarization</c> (HF generate's names).</summary>
    private sealed record GenerationCliOptions(Option<int> MaxSource, Option<int> Beams, Option<int> MaxNew, Option<int> MinLength,
        Option<float> LengthPenalty, Option<int> NoRepeat, Option<int> Batch, Option<string> EarlyStopping, Option<bool> ForcedEos)
    {
        public Evaluation.Summarization.SummarizerOptions Read(ParseResult r) => new(r.GetValue(MaxSource), new Evaluation.Generation.GenerationOptions
        {
            NumBeams = r.GetValue(Beams), MaxNewTokens = r.GetValue(MaxNew), MinLength = r.GetValue(MinLength), LengthPenalty = r.GetValue(LengthPenalty),
            NoRepeatNgramSize = r.GetValue(NoRepeat), BatchSize = r.GetValue(Batch), ForcedEos = r.GetValue(ForcedEos),
            EarlyStopping = r.GetValue(EarlyStopping) switch
            {
                "false" => Evaluation.Generation.EarlyStopping.Heuristic,
                "true" => Evaluation.Generation.EarlyStopping.AsSoonAsDone,
                "never" => Evaluation.Generation.EarlyStopping.Never,
                var v => throw new ArgumentException($"--early-stopping is '{v}'; expected true, false or never (Hugging Face's early_stopping)."),
            },
        });
    }

    private static GenerationCliOptions GenerationOptionsFor() => new(
        new Option<int>("--max-source-length") { Description = "Source tokens per document, end of sequence included.", DefaultValueFactory = _ => 512 },
        new Option<int>("--num-beams") { Description = "Beams (1 = greedy).", DefaultValueFactory = _ => 1 },
        new Option<int>("--max-new-tokens") { Description = "Most generated tokens per summary.", DefaultValueFactory = _ => 32 },
        new Option<int>("--min-length") { Description = "End of sequence is forbidden before this many tokens.", DefaultValueFactory = _ => 0 },
        new Option<float>("--length-penalty") { Description = "Scores (greedy and beam) are sum log p / length^penalty; beam search ranks " +
            "by them.", DefaultValueFactory = _ => 1f },
        new Option<int>("--no-repeat-ngram-size") { Description = "No n-gram of this size repeats in a summary (0 = off).", DefaultValueFactory = _ => 0 },
        new Option<int>("--generation-batch") { Description = "Documents decoded together.", DefaultValueFactory = _ => 16 },
        new Option<string>("--early-stopping")
        {
            Description = "Beam search stopping, as Hugging Face's early_stopping: false = stop when the best running beam at its current length " +
                "cannot beat the finished ones (heuristic); true = stop once num_beams hypotheses are finished; never = exact bound at max length.",
            DefaultValueFactory = _ => "false",
        },
        new Option<bool>("--forced-eos")
        {
            Description = "Force the end of sequence as the last token at --max-new-tokens, as Hugging Face's generate does for BART " +
                "configs (forced_eos_token_id). Off by default: a summary cut at the limit keeps its last word.",
        });
}
