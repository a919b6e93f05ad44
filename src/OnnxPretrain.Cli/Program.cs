using System.CommandLine;
using OnnxPretrain.Cli;

// OnnxPretrain command line: `run` (the main job), `pretrain`, `artifacts`, `bench`, `tokenize`, `inspect`.
// Results a program reads go to stdout as JSON; progress and logs go to stderr.
var root = new RootCommand("OnnxPretrain: pre-train Transformer encoders with specialised objectives on ONNX Runtime, in C#.");
foreach (var command in CliCommands.All()) root.Subcommands.Add(command);
return root.Parse(args).Invoke();
