namespace OnnxPretrain.Training.Tests;

/// <summary>Seq2seq variants of <see cref="Fixture"/>: its corpus and character-level vocabulary plus [unused] entries, and a tiny bart recipe.</summary>
public static class Seq2SeqFixture
{
    /// <summary>The fixture corpus with its character-level vocabulary plus four [unused] entries, and a tiny bart recipe.</summary>
    public static string Recipe(string objective, int steps = 30, string extraObjective = "")
    {
        var dir = Path.GetDirectoryName(Fixture.Create())!;
        string[] vocab = [.. Fixture.VocabTokens(), "[unused0]", "[unused1]", "[unused2]", "[unused3]"];
        File.WriteAllLines(Path.Combine(dir, "vocab-s2s.txt"), vocab);
        var path = Path.Combine(dir, $"s2s-{objective}.json");
        File.WriteAllText(path, $$"""
        {
          // A tiny BART for tests.
          "name": "s2s-{{objective}}",
          "model": { "model_type": "bart", "vocab_size": {{vocab.Length}}, "d_model": 32, "encoder_layers": 2, "decoder_layers": 2,
                     "encoder_attention_heads": 2, "decoder_attention_heads": 2, "encoder_ffn_dim": 64, "decoder_ffn_dim": 64,
                     "max_position_embeddings": 96, "dropout": 0.0 },
          "objective": { "type": "{{objective}}" {{extraObjective}} },
          "data": { "max_source_length": 80, "max_target_length": 40, "vocab": "vocab-s2s.txt", "corpus": "corpus" },
          "training": { "batch_size": 4, "steps": {{steps}}, "learning_rate": 2e-3, "warmup_steps": 2, "eval_every": 10, "eval_batches": 2,
                        "checkpoint_every": 10, "keep_checkpoints": 1, "seed": 3 }
        }
        """);
        return path;
    }

}
