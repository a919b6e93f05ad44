using System.Xml.Linq;

namespace OnnxPretrain.Cli.Tests;

/// <summary>Enforces the one-way dependency table of the design (references point down only) from the project files.</summary>
[TestClass]
public sealed class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Onnx"] = [],
        ["Autodiff"] = ["Onnx"],
        ["Optim"] = ["Onnx"],
        ["Models"] = ["Onnx", "Data"],          // Data: the batch input names, defined once by the batchers
        ["Data"] = [],
        ["Runtime"] = ["Onnx", "Optim"],        // Optim: the fused CPU AdamW step (AdamWKernel), defined beside its graph
        ["Training"] = ["Onnx", "Autodiff", "Optim", "Models", "Data", "Runtime"],
        ["Export"] = ["Onnx", "Models", "Data", "Runtime"],     // Data: the tokenizer files written beside a model
        ["Evaluation"] = ["Data", "Runtime"],
        ["FineTuning"] = ["Onnx", "Models", "Data", "Runtime", "Training", "Export", "Evaluation"],
        ["Cli"] = ["Onnx", "Autodiff", "Optim", "Models", "Data", "Runtime", "Training", "Export", "Evaluation", "FineTuning"],
    };

    [TestMethod]
    public void ProjectReferences_FollowTheDependencyTable_AndOnlyRuntimeReferencesOrt()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OnnxPretrain.sln"))) dir = dir.Parent;
        Assert.IsNotNull(dir, "OnnxPretrain.sln not found");
        var projects = Directory.GetFiles(Path.Combine(dir.FullName, "src"), "*.csproj", SearchOption.AllDirectories);
        CollectionAssert.AreEquivalent(Allowed.Keys.ToArray(), projects.Select(p => Path.GetFileNameWithoutExtension(p)["OnnxPretrain.".Length..]).ToArray());
        foreach (var path in projects)
        {
            var name = Path.GetFileNameWithoutExtension(path)["OnnxPretrain.".Length..];
            var xml = XDocument.Load(path);
            var refs = xml.Descendants("ProjectReference").Select(e
                => Path.GetFileNameWithoutExtension((string)e.Attribute("Include")!)["OnnxPretrain.".Length..]);
            foreach (var r in refs) CollectionAssert.Contains(Allowed[name], r, $"{name} must not reference {r}");
            var ort = xml.Descendants("PackageReference").Any(e => ((string)e.Attribute("Include")!).StartsWith("Microsoft.ML.OnnxRuntime",
                StringComparison.Ordinal));
            Assert.AreEqual(name == "Runtime", ort, $"{name}: only Runtime may reference ONNX Runtime");
        }
    }

    [TestMethod]
    public void SourceLines_AreAtMost160Characters()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OnnxPretrain.sln"))) root = root.Parent;
        Assert.IsNotNull(root, "OnnxPretrain.sln not found");
        var tooLong = new[] { "src", "tests", "tools" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(root.FullName, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, line.Length)))
            .Where(x => x.Length > 160).Select(x => $"{Path.GetRelativePath(root.FullName, x.File)}:{x.Line} ({x.Length})").ToList();
        Assert.IsEmpty(tooLong, "lines over 160 characters (.editorconfig): " + string.Join(", ", tooLong.Take(20)));
    }
}
