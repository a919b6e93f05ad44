using OnnxPretrain.Training;

namespace OnnxPretrain.Training.Tests;

/// <summary>
/// A self-contained, offline training fixture: a character-level WordPiece vocab.txt ([PAD] [UNK] [CLS] [SEP] [MASK],
/// a-z, ##a-##z, '.' and ','), a folder of 12 seeded English-like .txt documents, and a tiny recipe that uses both.
/// </summary>
public static class Fixture
{
    public static readonly string[] Words =
        ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "park", "with", "red", "ball", "in", "sun", "we", "saw", "big", "tree"];

    public static string[] VocabTokens() =>
        [.. new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", "," }, .. Letters(""), .. Letters("##")];

    private static IEnumerable<string> Letters(string prefix) => Enumerable.Range('a', 26).Select(c => prefix + (char)c);

    /// <summary>Writes vocab, corpus and recipe into a new temp folder; returns the recipe path.</summary>
    public static string Create(int steps = 8, float dropout = 0f, string objective = "mlm", int checkpointEvery = 2, string extraTraining = "")
    {
        var dir = Directory.CreateTempSubdirectory("onnxpretrain-fixture-").FullName;
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), VocabTokens());
        var corpus = Directory.CreateDirectory(Path.Combine(dir, "corpus")).FullName;
        var rng = new Random(17);
        for (int d = 0; d < 12; d++)
        {
            var paragraphs = Enumerable.Range(0, 3).Select(_ => string.Join(" ", Enumerable.Range(0, 4).Select(_ => Sentence(rng))));
            File.WriteAllText(Path.Combine(corpus, $"doc{d:D2}.txt"), string.Join("\n\n", paragraphs) + "\n");
        }
        if (objective == "crts")
            new Data.TokenClusters(Enumerable.Range(0, VocabTokens().Length).Select(i => i % 3).ToArray(), 3).Save(Path.Combine(dir, "clusters.txt"));
        var clusters = objective == "crts" ? ", \"clusters\": \"clusters.txt\"" : "";
        var recipe = $$"""
        {
          "name": "fixture",
          "model": { "model_type": "electra", "vocab_size": {{VocabTokens().Length}}, "hidden_size": 32, "embedding_size": 16,
                     "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64,
                     "hidden_dropout_prob": {{dropout}}, "attention_probs_dropout_prob": {{dropout}} },
          "objective": { "type": "{{objective}}" {{clusters}} },
          "data": { "sequence_length": 32, "tokenizer": "bert-base-uncased", "vocab": "vocab.txt", "corpus": "corpus" },
          "training": { "batch_size": 4, "steps": {{steps}}, "learning_rate": 1e-3, "warmup_steps": 2, "eval_every": 4, "eval_batches": 2,
                        "checkpoint_every": {{checkpointEvery}}, "keep_checkpoints": 2, "seed": 5 {{extraTraining}} }
        }
        """;
        var path = Path.Combine(dir, "fixture.json");
        File.WriteAllText(path, recipe);
        return path;
    }

    private static string Sentence(Random rng)
    {
        var words = Enumerable.Range(0, rng.Next(4, 9)).Select(_ => Words[rng.Next(Words.Length)]).ToArray();
        words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        return string.Join(" ", words) + ".";
    }

    /// <summary>Training losses by step from a run's metrics.jsonl (the last line of each step wins).</summary>
    public static SortedDictionary<long, double> TrainLosses(string runDir)
    {
        var d = new SortedDictionary<long, double>();
        foreach (var o in MetricsLog.Read(Path.Combine(runDir, "metrics.jsonl")).Where(o => (string?)o["split"] == "train"))
            d[(long)o["step"]!] = (double)o["loss"]!;
        return d;
    }
}
