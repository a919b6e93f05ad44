using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnnxPretrain.Data;

/// <summary>The Hugging Face tokenizer files that sit beside an uncased BERT <c>vocab.txt</c>.</summary>
public static class BertTokenizerFiles
{
    /// <summary>Writes <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c> for an uncased BERT WordPiece tokenizer into
    /// <paramref name="dir"/>.</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static void WriteConfig(string dir)
    {
        Write(Path.Combine(dir, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = true, ["tokenize_chinese_chars"] = true, ["strip_accents"] = null,
            ["model_max_length"] = 512, ["unk_token"] = "[UNK]", ["sep_token"] = "[SEP]", ["pad_token"] = "[PAD]", ["cls_token"] = "[CLS]",
                ["mask_token"] = "[MASK]",
        });
        Write(Path.Combine(dir, "special_tokens_map.json"), new JsonObject
        {
            ["unk_token"] = "[UNK]", ["sep_token"] = "[SEP]", ["pad_token"] = "[PAD]", ["cls_token"] = "[CLS]", ["mask_token"] = "[MASK]",
        });
    }

    /// <summary>
    /// The WordPiece vocabulary of a Hugging Face tokenizer folder, in id order: <c>vocab.txt</c> (any line endings), else
    /// the <c>model.vocab</c> map of a WordPiece <c>tokenizer.json</c>. Refuses cased tokenizers (ours lower-cases).
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither file exists.</exception>
    /// <exception cref="InvalidDataException">The tokenizer is not an uncased WordPiece one, or its vocabulary has gaps or duplicates
    /// (names the file).</exception>
    public static IReadOnlyList<string> ReadVocabulary(string dir)
    {
        CheckUncased(dir);
        var txt = Path.Combine(dir, "vocab.txt");
        if (File.Exists(txt)) return ReadVocabTxt(txt);
        var json = Path.Combine(dir, "tokenizer.json");
        if (!File.Exists(json)) throw new FileNotFoundException($"'{dir}' has neither vocab.txt nor tokenizer.json; a WordPiece vocabulary is needed.", txt);
        var model = JsonNode.Parse(File.ReadAllText(json))?["model"] as JsonObject
            ?? throw new InvalidDataException($"'{json}' has no 'model' object.");
        if ((string?)model["type"] != "WordPiece") throw new InvalidDataException($"'{json}' model.type is '{(string?)model["type"]}'; expected 'WordPiece'.");
        var vocab = model["vocab"] as JsonObject ?? throw new InvalidDataException($"'{json}' has no model.vocab object.");
        var tokens = new string[vocab.Count];
        foreach (var (token, id) in vocab)
        {
            int i = (int?)id ?? -1;
            if (i < 0 || i >= tokens.Length
                || tokens[i] is not null) throw new InvalidDataException($"'{json}' model.vocab gives '{token}' id {i}; ids must be " +
                    $"0..{tokens.Length - 1}, each once.");
            tokens[i] = token;
        }
        return tokens;
    }

    /// <summary>The lines of a <c>vocab.txt</c>, LF or CRLF, without a trailing empty line.</summary>
    /// <exception cref="InvalidDataException">The file is empty or repeats a token.</exception>
    public static IReadOnlyList<string> ReadVocabTxt(string path)
    {
        var lines = File.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new InvalidDataException($"Vocabulary '{path}' is empty.");
        var seen = new HashSet<string>();
        foreach (var (t, i) in lines.Select((t, i) => (t, i)))
            if (!seen.Add(t)) throw new InvalidDataException($"Vocabulary '{path}' repeats token '{t}' on line {i + 1}.");
        return lines;
    }

    private static void CheckUncased(string dir)
    {
        var config = Path.Combine(dir, "tokenizer_config.json");
        if (File.Exists(config) && JsonNode.Parse(File.ReadAllText(config))?["do_lower_case"] is JsonValue v && v.TryGetValue(out bool lower) && !lower)
            throw new InvalidDataException($"'{config}' has do_lower_case false; only uncased WordPiece tokenizers are supported.");
        var json = Path.Combine(dir, "tokenizer.json");
        if (File.Exists(json) && JsonNode.Parse(File.ReadAllText(json))?["normalizer"]?["lowercase"] is JsonValue w && w.TryGetValue(out bool lc) && !lc)
            throw new InvalidDataException($"'{json}' normalizer.lowercase is false; only uncased WordPiece tokenizers are supported.");
    }

    private static void Write(string path, JsonObject o) => File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}
