using OnnxPretrain.Data;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>The data a pre-training run reads: the tokenizer, the corpus split and the tokenised shards of both splits.</summary>
/// <param name="Tokenizer">The recipe's tokenizer.</param>
/// <param name="Vocab">Its vocab.txt (null for GPT-2).</param>
/// <param name="Corpus">Training and held-out documents.</param>
/// <param name="Train">The training shard.</param>
/// <param name="Valid">The held-out shard.</param>
public sealed record RunData(TextTokenizer Tokenizer, string? Vocab, CorpusSplit Corpus, TokenShardBuildResult Train, TokenShardBuildResult Valid);

/// <summary>
/// The steps every pre-training run shares, encoder and seq2seq alike:
/// tokenizer -> corpus -> shards (<see cref="LoadData"/>), then the run's own batch sources, then artifacts -> Trainer
/// (<see cref="TrainRun"/>).
/// </summary>
public static partial class Pretraining
{
    /// <summary>The tokenizer (whose vocabulary must be the model's), the corpus split and both shards (tokenised once, cached).</summary>
    /// <exception cref="ArgumentException">The tokenizer's vocabulary size is not <paramref name="modelVocabSize"/>.</exception>
    public static RunData LoadData(Recipe data, int modelVocabSize, PretrainOptions o)
    {
        var (tokenizer, vocab) = Tokenizer(data, o.Cache);
        if (tokenizer.VocabSize != modelVocabSize)
            throw new ArgumentException($"model.vocab_size ({modelVocabSize}) does not match the tokenizer's vocabulary " +
                $"({tokenizer.VocabSize} ids, {tokenizer.Name}).");
        var corpus = Corpus(data, o.Cache, o.Log);
        var shards = Path.Combine((o.Cache ?? new DataCacheOptions()).ResolveCacheDirectory(), "shards");
        var train = Shard(shards, data, "train", corpus.Train, tokenizer, o.Log);
        var valid = Shard(shards, data, "validation", corpus.Validation, tokenizer, o.Log);
        return new RunData(tokenizer, vocab, corpus, train, valid);
    }

    /// <summary>
    /// Builds the artifacts when <paramref name="buildArtifacts"/> is given (else logs the resume), runs
    /// <paramref name="beforeSession"/> (the data-parallel barrier), then trains from <paramref name="resumeFrom"/> or the
    /// initial checkpoint to <c>training.steps</c>.
    /// </summary>
    private static PretrainResult TrainRun(PretrainOptions o, string? resumeFrom, Action? buildArtifacts, TrainingConfig training,
        (IBatchSource Train, IBatchSource Eval) sources, RunData data, ITrainerHook? hook = null, Action? beforeSession = null)
    {
        if (buildArtifacts is not null) buildArtifacts();
        else if (resumeFrom is not null) o.Log.WriteLine($"Resuming from {resumeFrom}.");
        beforeSession?.Invoke();
        using var session = TrainingSession.Load(o.RunDir, o.Session, resumeFrom);
        var summary = new Trainer(session, sources.Train, sources.Eval, training, o.RunDir, training.Steps, hook, o.Parallel).Run(o.Progress, o.Cancel);
        return new PretrainResult(summary, summary.Checkpoint ?? resumeFrom ?? Path.Combine(o.RunDir, "checkpoint"), data.Vocab, data.Train.Stats);
    }
}
