using OnnxPretrain.Training.Tests;

namespace OnnxPretrain.Cli.Tests;

/// <summary>A tiny AS2 data set in the WikiQA TSV layout.</summary>
public static class As2Fixture
{
    /// <summary>Train/dev/test TSVs where each question's answer repeats the question's noun.</summary>
    public static string Write(string root)
    {
        var data = Directory.CreateDirectory(Path.Combine(root, "as2")).FullName;
        foreach (var split in new[] { "train", "dev", "test" })
        {
            var lines = new List<string> { "qid\tquestion\tcandidate\tlabel" };
            for (int q = 0; q < 6; q++)
                for (int c = 0; c < 3; c++)
                    lines.Add($"{split}-{q}\twhere did the {Fixture.Words[q]} " +
                        $"go\t{(c == 0 ? $"the {Fixture.Words[q]} went to the park" : $"a {Fixture.Words[q + c + 5]} sat")}\t{(c == 0 ? 1 : 0)}");
            File.WriteAllLines(Path.Combine(data, $"{split}.tsv"), lines);
        }
        return data;
    }
}
