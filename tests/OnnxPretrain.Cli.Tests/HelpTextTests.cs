using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OnnxPretrain.Cli.Tests;

/// <summary>Help texts say what the code does: documented defaults equal the parsed ones; every --out names its own default.</summary>
[TestClass]
public sealed partial class HelpTextTests
{
    /// <summary>Prose defaults are written "(default X" or "(default: X".</summary>
    [GeneratedRegex(@"\(default:? (?<value>-?[0-9][0-9.]*|[A-Za-z][A-Za-z0-9_-]*)")]
    private static partial Regex DocumentedDefault();

    private static IEnumerable<(string Command, Option Option)> AllOptions()
    {
        IEnumerable<(string, Option)> Walk(Command c, string path) =>
            c.Options.Select(o => (path, o)).Concat(c.Subcommands.SelectMany(s => Walk(s, $"{path} {s.Name}")));
        return CliCommands.All().SelectMany(c => Walk(c, c.Name));
    }

    [TestMethod]
    public void DocumentedDefaults_EqualTheParsedDefaults()
    {
        int compared = 0;
        foreach (var (command, option) in AllOptions())
        {
            var match = DocumentedDefault().Match(option.Description ?? "");
            if (!match.Success || !option.HasDefaultValue) continue;
            string actual = Convert.ToString(option.GetDefaultValue(), CultureInfo.InvariantCulture) ?? "null";
            Assert.AreEqual(match.Groups["value"].Value.TrimEnd('.'), actual, $"{command} {option.Name}: '{option.Description}'");
            compared++;
        }
        Assert.IsGreaterThanOrEqualTo(2, compared, "the BM25 k1 and b defaults at least are documented in prose");
    }

    [TestMethod]
    public void EveryOutOption_NamesItsOwnDefault()
    {
        var outs = AllOptions().Where(x => x.Option.Name == "--out").ToList();
        Assert.IsGreaterThanOrEqualTo(8, outs.Count);
        foreach (var (command, option) in outs)
            StringAssert.StartsWith(option.Description, "Output folder (default: ", command);
        var export = outs.Single(x => x.Command == "export").Option.Description!;
        StringAssert.Contains(export, "<checkpoint>/../export");
        var summarization = outs.Single(x => x.Command == "evaluate summarization").Option.Description!;
        Assert.IsFalse(summarization.Contains("recipe", StringComparison.Ordinal), summarization);
    }
}
