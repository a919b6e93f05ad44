using System.Diagnostics;
using OnnxPretrain.Data;
using OnnxPretrain.Evaluation.Generation;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Evaluation.Summarization;

/// <summary>How <see cref="ModelSummarizer"/> feeds documents to an exported seq2seq model.</summary>
/// <param name="MaxSourceLength">Source ids per document, end of sequence included (longer documents are cut; PEGASUS on AESLC: 512).</param>
/// <param name="Generation">Decoding settings.</param>
public sealed record SummarizerOptions(int MaxSourceLength, GenerationOptions Generation)
{
    /// <summary>Checks the fields.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public SummarizerOptions Validate()
    {
        if (MaxSourceLength < 2) throw new ArgumentException($"max source length ({MaxSourceLength}) must be >= 2.");
        Generation.Validate();
        return this;
    }
}

/// <summary>Generation throughput of a summarisation run.</summary>
/// <param name="Examples">Documents summarised.</param>
/// <param name="GeneratedTokens">Tokens generated (end of sequence excluded).</param>
/// <param name="Seconds">Wall time of encoding + decoding (model loading excluded).</param>
public sealed record GenerationSpeed(int Examples, long GeneratedTokens, double Seconds)
{
    /// <summary>Generated tokens per second.</summary>
    public double TokensPerSecond => GeneratedTokens / Math.Max(1e-9, Seconds);

    /// <summary>Documents per second.</summary>
    public double ExamplesPerSecond => Examples / Math.Max(1e-9, Seconds);
}

/// <summary>
/// Summarises documents with a seq2seq export (Optimum layout + <c>vocab.txt</c>): BERT-uncased WordPiece source ids
/// cut to <c>MaxSourceLength - 1</c> plus end of sequence (the layout of the GSG / span-corruption / fine-tuning
/// batches), <see cref="Seq2SeqGenerator"/> decoding, WordPiece decoding back to text.
/// </summary>
public static class ModelSummarizer
{
    /// <summary>Summaries of <paramref name="documents"/>, in order, and the generation speed.</summary>
    /// <exception cref="FileNotFoundException">The export lacks a model, config.json or vocab.txt.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static (IReadOnlyList<string> Summaries, GenerationSpeed Speed) Summarize(string exportDir, IReadOnlyList<string> documents,
        SummarizerOptions options, SessionConfig? session = null)
    {
        options.Validate();
        var vocab = Path.Combine(exportDir, "vocab.txt");
        if (!File.Exists(vocab)) throw new FileNotFoundException($"'{vocab}' does not exist; the export folder needs its tokenizer files.", vocab);
        var tokenizer = TextTokenizer.CreateBert(vocab);
        using var generator = Seq2SeqGenerator.Load(exportDir, session);
        var clock = Stopwatch.StartNew();
        var sources = documents.Select(d => Source(tokenizer, d, options.MaxSourceLength, generator.Ids.Eos)).ToList();
        var outputs = generator.Generate(sources, options.Generation);
        IReadOnlyList<string> summaries = outputs.Select(o => tokenizer.Decode(o.Tokens.Select(t => (int)t)) ?? "").ToList();
        var speed = new GenerationSpeed(documents.Count, outputs.Sum(o => (long)o.Tokens.Length), clock.Elapsed.TotalSeconds);
        return (summaries, speed);
    }

    /// <summary>Source ids of a document: WordPiece ids cut to <paramref name="maxLength"/> - 1, then end of sequence.</summary>
    public static long[] Source(TextTokenizer tokenizer, string document, int maxLength, int eos) =>
        [.. tokenizer.Encode(document).Take(maxLength - 1).Select(i => (long)i), eos];
}
