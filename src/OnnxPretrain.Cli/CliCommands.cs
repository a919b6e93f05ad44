using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnnxPretrain.Cli.Commands;
using OnnxPretrain.Models;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training;

namespace OnnxPretrain.Cli;

/// <summary>The subcommands and the options they share (<c>--recipe</c>, <c>--out</c>, <c>--steps</c>, <c>--threads</c>, <c>--device</c>,
/// <c>--seed</c>).</summary>
public static partial class CliCommands
{
    /// <summary><c>--recipe</c>: a models/*.json file.</summary>
    public static readonly Option<FileInfo> Recipe = new("--recipe") { Description = "Recipe file (models/*.json).",
        DefaultValueFactory = _ => new FileInfo(DefaultRecipe()) };

    /// <summary><c>--out</c>: output folder (default <c>artifacts/&lt;run&gt;</c>).</summary>
    /// <summary>A command's <c>--out</c> option; its help says what the command does when it is omitted.</summary>
    public static Option<DirectoryInfo?> Out(string whenOmitted) => new("--out") { Description = $"Output folder (default: {whenOmitted})." };

    /// <summary>The value of the parsed command's <c>--out</c>, if given.</summary>
    public static DirectoryInfo? OutValue(ParseResult r) => r.GetValue<DirectoryInfo?>("--out");

    /// <summary>Help text of the default run folders (<see cref="OutDir"/>).</summary>
    public static string RunFolder(string suffix = "") =>
        $"artifacts/<recipe name>{suffix} beside the recipe's folder, or under the current folder for an imported model's recipe";

    /// <summary><c>--steps</c>: overrides the recipe's step count.</summary>
    public static readonly Option<int?> Steps = new("--steps") { Description = "Optimizer steps (overrides training.steps)." };

    /// <summary><c>--threads</c>: ORT intra-op threads (0 = all cores).</summary>
    public static readonly Option<int> Threads = new("--threads") { Description = "ONNX Runtime intra-op threads (0 = all cores).",
        DefaultValueFactory = _ => 0 };

    /// <summary><c>--device</c>: cpu or cuda.</summary>
    public static readonly Option<string> Device = new("--device") { Description = "cpu or cuda (cuda needs the -p:OrtGpu=true build).",
        DefaultValueFactory = _ => "cpu" };

    /// <summary><c>--seed</c>: overrides the recipe's seed.</summary>
    public static readonly Option<long?> Seed = new("--seed") { Description = "Seed (overrides training.seed)." };

    /// <summary><c>--distributed</c>: data-parallel training over MPI (also on when launched by mpiexec with several processes).</summary>
    public static readonly Option<bool> Distributed = new("--distributed")
    {
        Description = "Data-parallel training over MPI: launch with `mpiexec.mpich -n <N> dotnet OnnxPretrain.Cli.dll pretrain " +
            "--distributed ...` (MPICH needed).",
    };

    /// <summary><c>--collective-timeout</c>: longest wait in one MPI collective before a rank stops.</summary>
    public static readonly Option<int> CollectiveTimeout = new("--collective-timeout")
    {
        Description = "Seconds a rank waits in one MPI collective (e.g. for a dead rank) before it stops with an error.", DefaultValueFactory = _ => 600,
    };

    /// <summary>
    /// MPI for <c>--distributed</c> (or when mpiexec started several processes): the collectives, or null for a single-process run.
    /// </summary>
    /// <exception cref="NotSupportedException">MPICH is not installed (says what to install).</exception>
    /// <exception cref="ArgumentException">The timeout is not positive.</exception>
    public static Training.Distributed.MpiCollectives? StartDistributed(ParseResult r)
    {
        if (!r.GetValue(Distributed) && Training.Distributed.MpiLibrary.LaunchedRanks() <= 1) return null;
        int timeout = r.GetValue(CollectiveTimeout);
        if (timeout <= 0) throw new ArgumentException($"--collective-timeout is {timeout}; expected a positive number of seconds.");
        return Training.Distributed.MpiCollectives.Start(TimeSpan.FromSeconds(timeout), Console.Error);
    }

    /// <summary>Every subcommand.</summary>
    public static IEnumerable<Command> All() => [ArtifactsCommand(), BenchCommand(), InspectCommand(), ImportCommand(), EvaluateCommand(),
        FineTuneCommand(), ExportCommand(), .. DataCommands()];

    /// <summary>The repository's <c>models/tiny.json</c> when run from the repository, else <c>tiny.json</c>.</summary>
    public static string DefaultRecipe()
    {
        var dir = new DirectoryInfo(Environment.CurrentDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OnnxPretrain.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? ".", "models", "tiny.json");
    }

    /// <summary>The session settings from <c>--threads</c> and <c>--device</c>.</summary>
    /// <exception cref="ArgumentException">The device is not cpu or cuda.</exception>
    public static SessionConfig Session(ParseResult r) => new()
    {
        IntraOpThreads = r.GetValue(Threads),
        Device = r.GetValue(Device) switch
        {
            "cpu" => ExecutionDevice.Cpu,
            "cuda" => ExecutionDevice.Cuda,
            var d => throw new ArgumentException($"--device is '{d}'; expected cpu or cuda."),
        },
    };

    /// <summary>The recipe with <c>--steps</c> and <c>--seed</c> applied.</summary>
    public static Recipe LoadRecipe(ParseResult r, string? path = null)
    {
        var recipe = Training.Recipe.Load(path ?? r.GetValue(Recipe)!.FullName);
        var training = recipe.Training;
        if (r.GetValue(Steps) is { } s) training = training with { Steps = s };
        if (r.GetValue(Seed) is { } seed) training = training with { Seed = seed };
        return recipe with { Training = training.Validate() };
    }

    /// <summary>The output folder: <c>--out</c> or <c>artifacts/&lt;name&gt;</c> beside the models folder (the current folder for an
    /// imported checkpoint's recipe).</summary>
    public static string OutDir(ParseResult r, Recipe recipe, string? suffix = null)
    {
        if (OutValue(r) is { } o) return o.FullName;
        var recipeDir = Path.GetDirectoryName(Path.GetFullPath(recipe.SourcePath ?? "models/x.json"))!;
        // A recipe beside an imported checkpoint (possibly in the cache): runs go under the current folder's artifacts/.
        var root = File.Exists(Path.Combine(recipeDir,
            Training.Import.PretrainedImport.ReportFile)) ? Environment.CurrentDirectory : Path.GetDirectoryName(recipeDir)!;
        return Path.Combine(root, "artifacts", recipe.Name + (suffix ?? ""));
    }

    /// <summary>Writes a JSON result to stdout.</summary>
    public static void Print(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(PrintOptions));

    /// <summary>Indented JSON with non-ASCII text as UTF-8 (not <c>\uXXXX</c>); HTML-sensitive characters stay escaped only where JSON needs it.</summary>
    public static readonly JsonSerializerOptions PrintOptions = new() { WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs an action, turning expected failures into a message on stderr and exit code 1.</summary>
    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or TrainingDivergedException
                                      or IOException or NotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static Command InspectCommand()
    {
        var path = new Argument<string>("path") { Description = "An artifacts folder, an .onnx file or a .safetensors file." };
        var c = new Command("inspect",
            "Describe an artifacts folder, ONNX model or safetensors file as JSON: inputs/outputs, parameters, shapes, dtypes, counts, metadata.") { path };
        c.SetAction(r => Guard(() => { Print(Inspect.Describe(r.GetValue(path)!)); return 0; }));
        return c;
    }

    private static Command ArtifactsCommand()
    {
        var c = new Command("artifacts",
            "Generate the training artifacts of a recipe (training/eval/optimizer ONNX models, checkpoint, manifest) without training.")
            { Recipe, Out(RunFolder()), Seed };
        c.SetAction(r => Guard(() =>
        {
            var recipe = LoadRecipe(r);
            var dir = OutDir(r, recipe);
            var manifest = Pretraining.BuildArtifacts(recipe, dir, Console.Error);
            Print(new JsonObject { ["artifacts"] = dir, ["parameters"] = manifest.Parameters.Sum(p => p.Count) });
            return 0;
        }));
        return c;
    }

    private static Command BenchCommand()
    {
        var batch = new Option<int?>("--batch") { Description = "Batch size (overrides training.batch_size)." };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warmup steps.", DefaultValueFactory = _ => 2 };
        var objective = new Option<string?>("--objective") { Description = "Override objective.type (mlm, electra, rts, crts, slm, ssp, sp, " +
            "psd, all, prop, contrastive) to compare objectives on one model shape." };
        var profile = new Option<DirectoryInfo?>("--profile") { Description = "Profile with ONNX Runtime: write the raw profiles into this " +
            "folder and add kernel time per op type to the JSON (the training model; the optimizer model too with --optimizer-graph)." };
        var optimizerGraph = new Option<bool>("--optimizer-graph") { Description = "Run optimizer_model.onnx for the AdamW steps instead " +
            "of the fused in-place CPU kernel the trainer uses on the CPU (to compare the two)." };
        var c = new Command("bench",
            "Benchmark training throughput of a recipe on synthetic full-length sequences; prints one JSON line (ms/step, tokens/s, peak RSS, FLOPs).")
            { Recipe, Steps, Threads, Device, batch, warmup, objective, profile, optimizerGraph };
        c.SetAction(r => Guard(() =>
        {
            var recipe = Training.Recipe.Load(r.GetValue(Recipe)!.FullName);
            if (r.GetValue(objective) is { } type) recipe = (recipe with { Objective = BenchObjective(recipe.Objective, type) }).Validate();
            var work = Directory.CreateTempSubdirectory("onnxpretrain-bench-").FullName;
            try
            {
                var profileDir = r.GetValue(profile)?.FullName;
                if (profileDir is not null) Directory.CreateDirectory(profileDir);
                var session = Session(r) with
                {
                    ProfilePrefix = profileDir is null ? null : Path.Combine(profileDir, "profile"), OptimizerGraph = r.GetValue(optimizerGraph),
                };
                var result = Bench.Run(recipe, new BenchOptions(r.GetValue(Steps) ?? 10, r.GetValue(warmup), r.GetValue(batch), session), work);
                result["tokenization_tokens_per_s"] = Bench.TokenizationThroughput(recipe);
                foreach (var f in profileDir is null ? [] : Directory.GetFiles(profileDir, "profile*.json").Order().ToArray())
                    if (new FileInfo(f).Length > 1000) result["profile_"
                        + (result.Count(kv => kv.Key.StartsWith("profile_")) + 1)] = ProfileSummary.ByOpType(f);
                Console.Out.WriteLine(result.ToJsonString());
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
            return 0;
        }));
        c.Subcommands.Add(BenchRetrievalCommand());
        return c;
    }

    /// <summary><c>bench --objective</c>: the recipe's own settings when the type is unchanged, else the type's defaults (C-RTS: synthetic clusters).</summary>
    private static ObjectiveConfig BenchObjective(ObjectiveConfig current, string type) => current.Type == type ? current
        : ObjectiveRegistry.NewConfig(type) is ClusterTokenDetectionConfig crts ? crts with { Clusters = "synthetic" } : ObjectiveRegistry.NewConfig(type);
}
