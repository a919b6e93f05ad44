using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Data;
using OnnxPretrain.Export;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;
using Spectre.Console;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static IEnumerable<Command> DataCommands() => [RunCommand(), PretrainCommand(), TokenizeCommand()];

    private static Command RunCommand()
    {
        var c = new Command("run", "The main job: fetch the default corpus and vocabulary (first time only), build the artifacts of the " +
            "default recipe (models/tiny.json), pre-train on CPU, evaluate on held-out documents, export the encoder as an " +
            "inference ONNX model, and print where everything is.") { Recipe,
                Out(RunFolder() + "; -2, -3, ... appended while that folder has checkpoints"), Steps, Threads, Device, Seed };
        c.SetAction(r => Guard(() =>
        {
            var recipe = LoadRecipe(r);
            var dir = OutValue(r)?.FullName ?? FreshRunDir(OutDir(r, recipe));
            var result = Train(recipe, dir, Session(r), resume: false);
            var export = ExportEncoder(recipe, result, dir);
            Finish(recipe, dir, result, export);
            return 0;
        }));
        return c;
    }

    private static Command PretrainCommand()
    {
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in the run folder (same data position and RNG state)." };
        var c = new Command("pretrain", "Pre-train a recipe: artifacts, training with evaluation and checkpoints, metrics.jsonl, loss.png and report.md.")
            { Recipe, Out(RunFolder()), Steps, Threads, Device, Seed, resume, Distributed, CollectiveTimeout };
        c.SetAction(r => Guard(() =>
        {
            if (IsSeq2SeqRecipe(r)) return PretrainSeq2Seq(r, r.GetValue(resume));
            var recipe = LoadRecipe(r);
            var dir = OutDir(r, recipe);
            using var mpi = StartDistributed(r);
            var parallel = mpi is null ? null : new Training.Distributed.DataParallel(mpi);
            var result = Train(recipe, dir, Session(r), r.GetValue(resume), parallel);
            if (parallel?.IsLead ?? true) Finish(recipe, dir, result, null);
            return 0;
        }));
        return c;
    }

    private static Command TokenizeCommand()
    {
        var text = new Option<string?>("--text") { Description = "Text to tokenise (or --file)." };
        var file = new Option<string?>("--file") { Description = "Tokenise each line of this file, or of standard input with '-'; prints " +
            "one JSON object per line." };
        var pair = new Option<string?>("--text-pair") { Description = "Optional second segment ([CLS] text [SEP] pair [SEP]); with --text only." };
        var vocab = new Option<FileInfo?>("--vocab") { Description = "WordPiece vocab.txt (default: bert-base-uncased, fetched on first use)." };
        var max = new Option<int>("--max-length") { Description = "Maximum length with specials (longest-first truncation).", DefaultValueFactory = _ => 512 };
        var c = new Command("tokenize",
            "Show exactly what the model sees for a text (and optional pair): tokens, input_ids, token_type_ids, attention_mask, as JSON " +
            "(UTF-8). --file tokenises line by line, since a NUL or a newline cannot travel in an argument.")
            { text, file, pair, vocab, max };
        c.SetAction(r => Guard(() =>
        {
            if ((r.GetValue(text) is null) == (r.GetValue(file) is null)) throw new ArgumentException("Give exactly one of --text <text> or " +
                "--file <path or ->.");
            var tokenizer = r.GetValue(vocab) is { } v ? TextTokenizer.CreateBert(v.FullName) : TextTokenizer.CreateBertBaseUncased();
            JsonObject Encoded(string a, string? b)
            {
                var e = tokenizer.EncodePair(a, b, r.GetValue(max));
                return new JsonObject
                {
                    ["tokens"] = new JsonArray(e.Tokens.Select(t => (JsonNode)t).ToArray()),
                    ["input_ids"] = new JsonArray(e.InputIds.Select(i => (JsonNode)i).ToArray()),
                    ["token_type_ids"] = new JsonArray(e.TokenTypeIds.Select(i => (JsonNode)i).ToArray()),
                    ["attention_mask"] = new JsonArray(e.AttentionMask.Select(i => (JsonNode)i).ToArray()),
                };
            }
            if (r.GetValue(text) is { } t)
            {
                Print(Encoded(t, r.GetValue(pair)));
                return 0;
            }
            var path = r.GetValue(file)!;
            if (path != "-" && !File.Exists(path)) throw new FileNotFoundException($"--file '{path}' does not exist.", path);
            using var reader = path == "-" ? Console.In : new StreamReader(path, System.Text.Encoding.UTF8);
            var line = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            for (string? l; (l = reader.ReadLine()) is not null;) Console.Out.WriteLine(Encoded(l, null).ToJsonString(line));
            return 0;
        }));
        return c;
    }

    /// <summary>A run folder that has no checkpoints yet: <paramref name="dir"/>, else <c>dir-2</c>, <c>dir-3</c>, ...</summary>
    private static string FreshRunDir(string dir)
    {
        var candidate = dir;
        for (int i = 2; Trainer.Checkpoints(candidate).Count > 0; i++) candidate = $"{dir}-{i}";
        return candidate;
    }

    private static PretrainResult Train(Recipe recipe, string dir, SessionConfig session, bool resume, Training.Distributed.DataParallel? parallel = null)
    {
        if (parallel is { IsLead: false }) return Pretraining.Run(recipe, new PretrainOptions(dir, session, resume, TextWriter.Null, Parallel: parallel));
        Console.Error.WriteLine($"Run folder: {dir}");
        var interactive = !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
            return Pretraining.Run(recipe, new PretrainOptions(dir, session, resume, Console.Error, new PlainProgress(), Parallel: parallel));
        PretrainResult? result = null;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("pre-training", maxValue: recipe.Training.Steps);
                var progress = new Progress<TrainProgress>(p =>
                {
                    task.Value = p.Step;
                    task.Description = $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} {p.TokensPerSecond:F0} tok/s" + (p.EvalLoss is { } e
                        ? $" eval {e:F3}" : "");
                });
                result = Pretraining.Run(recipe, new PretrainOptions(dir, session, resume, Console.Error, progress, Parallel: parallel));
            });
        return result!;
    }

    private static string ExportEncoder(Recipe recipe, PretrainResult result, string dir)
    {
        var weights = Checkpoint.LoadWeights(result.Checkpoint).Tensors;
        var exportDir = Path.Combine(dir, "export");
        var model = EncoderExport.Write(recipe.Model, weights, exportDir, result.VocabPath, gpt2Tokenizer: recipe.Data.Tokenizer == "gpt2");
        Console.Error.WriteLine($"Exported the encoder to {model}");
        return exportDir;
    }

    private static void Finish(Recipe recipe, string dir, PretrainResult result, string? export)
    {
        var metrics = Path.Combine(dir, "metrics.jsonl");
        var png = Path.Combine(dir, "loss.png");
        bool plotted = RunReport.PlotLoss(metrics, png, $"{recipe.Name} ({recipe.Objective.Type})");
        var outputs = new Dictionary<string, string> { ["artifacts"] = dir, ["checkpoint"] = result.Checkpoint, ["metrics"] = metrics };
        if (plotted) outputs["loss curve"] = png;
        if (export is not null) outputs["exported encoder"] = Path.Combine(export, "model.onnx");
        var report = RunReport.WriteMarkdown(dir, recipe, result.Summary, outputs);
        outputs["report"] = report;
        var json = new JsonObject
        {
            ["recipe"] = recipe.Name, ["steps"] = result.Summary.Steps, ["tokens"] = result.Summary.Tokens,
            ["seconds"] = Math.Round(result.Summary.Seconds, 1), ["eval_loss"] = result.Summary.EvalLoss is { } e ? Math.Round(e, 4) : null,
            ["tokenization_tokens_per_s"] = result.Tokenization.Reused ? null : Math.Round(result.Tokenization.TokensPerSecond),
        };
        foreach (var (k, v) in outputs) json[k.Replace(' ', '_')] = v;
        Print(json);
        Console.Error.WriteLine($"Done. Report: {report}");
    }

    private sealed class PlainProgress : IProgress<TrainProgress>
    {
        public void Report(TrainProgress p)
        {
            if (p.Step % 10 != 0 && p.Step != p.TotalSteps && p.EvalLoss is null) return;
            Console.Error.WriteLine($"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {p.TokensPerSecond:F0} tokens/s"
                + (p.EvalLoss is { } e ? $" held-out loss {e:F4}" : ""));
        }
    }
}
