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
    /// Writes <c>tokenizer.json</c> (Hugging Face <c>tokenizers</c> format, as <c>BertTokenizerFast</c> saves it) for an
    /// uncased BERT WordPiece vocabulary in id order: <c>BertNormalizer</c> (clean text, Chinese characters, lower-case,
    /// accents stripped with lower-casing), <c>BertPreTokenizer</c>, <c>WordPiece</c> (<c>##</c>, 100 characters per word),
    /// <c>TemplateProcessing</c> for single texts (<c>[CLS] A [SEP]</c>) and pairs (<c>[CLS] A [SEP] B [SEP]</c>, type ids
    /// 0 then 1), the specials as added tokens, and the WordPiece decoder. This is the configuration
    /// <see cref="TextTokenizer.CreateBert"/> tokenises with, so clients such as transformers.js give the same ids.
    /// </summary>
    /// <param name="dir">The folder.</param>
    /// <param name="vocabulary">The WordPiece vocabulary in id order.</param>
    /// <param name="seq2seq">The template of our encoder-decoders' sources instead: <c>A [SEP]</c> (the text, then the end
    /// of sequence, [SEP]) and <c>A [SEP] B [SEP]</c>.</param>
    /// <exception cref="ArgumentException">The vocabulary lacks one of [PAD], [UNK], [CLS], [SEP], [MASK].</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteTokenizerJson(string dir, IReadOnlyList<string> vocabulary, bool seq2seq = false)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++) ids.TryAdd(vocabulary[i], i);
        int Id(string token) => ids.TryGetValue(token, out int id) ? id : throw new ArgumentException($"The vocabulary has no '{token}'.", nameof(vocabulary));
        var specials = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }.OrderBy(Id).ToList();
        JsonObject Special(string token, int typeId) => new() { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = typeId } };
        JsonObject Sequence(string id, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        var vocab = new JsonObject();
        foreach (var (token, id) in ids.OrderBy(kv => kv.Value)) vocab[token] = id;
        JsonObject Template(JsonObject[] single, JsonObject[] pair, string[] used)
        {
            var specialTokens = new JsonObject();
            foreach (var t in used) specialTokens[t] = new JsonObject { ["id"] = t, ["ids"] = new JsonArray(Id(t)), ["tokens"] = new JsonArray(t) };
            return new JsonObject
            {
                ["type"] = "TemplateProcessing", ["single"] = new JsonArray(single), ["pair"] = new JsonArray(pair), ["special_tokens"] = specialTokens,
            };
        }
        Write(Path.Combine(dir, "tokenizer.json"), new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = new JsonArray(specials.Select(t => (JsonNode)new JsonObject
            {
                ["id"] = Id(t), ["content"] = t, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }).ToArray()),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = seq2seq
                ? Template([Sequence("A", 0), Special("[SEP]", 0)], [Sequence("A", 0), Special("[SEP]", 0), Sequence("B", 1), Special("[SEP]", 1)], ["[SEP]"])
                : Template([Special("[CLS]", 0), Sequence("A", 0), Special("[SEP]", 0)],
                    [Special("[CLS]", 0), Sequence("A", 0), Special("[SEP]", 0), Sequence("B", 1), Special("[SEP]", 1)], ["[CLS]", "[SEP]"]),
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = BertTextTokenizer.MaxInputCharsPerWord, ["vocab"] = vocab,
            },
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
