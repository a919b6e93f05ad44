using OnnxPretrain.Data;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>A batch source over a (seed, step)-deterministic batch function (the seq2seq batchers).</summary>
/// <param name="build">Batch of a step.</param>
public sealed class FunctionBatchSource(Func<long, Batch> build) : IBatchSource
{
    /// <inheritdoc />
    public Batch Get(long position) => build(position);
}

public static partial class Pretraining
{
    /// <summary>
    /// The seq2seq special ids of a WordPiece vocabulary, found by token text: pad [PAD], decoder start [CLS], end of
    /// sequence [SEP], GSG's [MASK1] = [MASK], and from the [unusedN] entries (in N order) the T5 sentinels
    /// [unused0..99] and the encoder-MLM [MASK2] = [unused100]; a vocabulary with fewer [unused] entries gives
    /// [MASK2] the last one and the sentinels the rest. For bert-base-uncased this is
    /// <see cref="Seq2SeqSpecialTokens.BertBaseUncased"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A required entry is missing, or there are fewer than two [unused] entries (names them).</exception>
    public static Seq2SeqSpecialTokens Seq2SeqSpecials(TextTokenizer tokenizer)
    {
        var ids = Enumerable.Range(0, tokenizer.VocabSize).ToDictionary(tokenizer.IdToToken, i => i);
        int Id(string token) => ids.TryGetValue(token, out var id) ? id
            : throw new ArgumentException($"The vocabulary ({tokenizer.Name}) has no '{token}' entry, which seq2seq recipes need.");
        var unused = Enumerable.Range(0, 1000).Select(n => $"[unused{n}]").TakeWhile(ids.ContainsKey).Select(t => ids[t]).ToList();
        if (unused.Count < 2) throw new ArgumentException($"The vocabulary ({tokenizer.Name}) has {unused.Count} [unusedN] entries; seq2seq " +
            $"recipes need at least 2 (T5 sentinels and [MASK2]).");
        var sentinels = unused.Count > 100 ? unused.Take(100).ToList() : unused.SkipLast(1).ToList();
        int mlmMask = unused.Count > 100 ? unused[100] : unused[^1];
        return new Seq2SeqSpecialTokens(tokenizer.VocabSize, Id("[PAD]"), Id("[CLS]"), Id("[SEP]"), Id("[MASK]"), mlmMask, sentinels).Validate();
    }

    /// <summary>Builds the training artifacts of a seq2seq recipe (example batch: two synthetic full-length rows).</summary>
    /// <param name="recipe">The validated recipe.</param>
    /// <param name="specials">Special token ids of the recipe's vocabulary.</param>
    /// <param name="dir">Output folder of the artifacts.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="task">Prefix of the accuracy metric (<c>{task}_accuracy</c>); default the objective type, e.g. <c>gsg</c>
    /// (fine-tuning passes <c>summary</c>, since its targets are reference summaries, not gap sentences).</param>
    public static ArtifactManifest BuildSeq2SeqArtifacts(Seq2SeqRecipe recipe, Seq2SeqSpecialTokens specials, string dir, TextWriter log, string? task = null)
    {
        var objective = new Seq2SeqLmObjective(recipe.Model, task ?? recipe.Objective.Type, recipe.Training.Seed, recipe.Objective.EncoderMlm);
        var example = Seq2SeqExampleBatch(recipe, specials);
        var model = new TrainableModel(recipe.Name, objective.Build, () => BatchStream.ToTensors(example), recipe.ToJson());
        log.WriteLine($"Building artifacts of '{recipe.Name}' ({task ?? recipe.Objective.Type}, bart " +
            $"{recipe.Model.EncoderLayers}+{recipe.Model.DecoderLayers} layers) in {dir} ...");
        var manifest = ArtifactBuilder.Build(model, recipe.Training.AdamW(), dir);
        log.WriteLine($"  {manifest.Parameters.Count} parameters, {manifest.Parameters.Sum(p => p.Count):N0} weights.");
        return manifest;
    }

    /// <summary>Two rows of full-length synthetic source/target ids in the seq2seq batch layout (+ MLM inputs when on).</summary>
    public static Batch Seq2SeqExampleBatch(Seq2SeqRecipe recipe, Seq2SeqSpecialTokens specials)
    {
        int s = recipe.Data.MaxSourceLength, l = recipe.Data.MaxTargetLength, content = specials.EosId == 1 ? 2 : 1;
        int[] Ids(int n) => [.. Enumerable.Repeat(content, n - 1), specials.EosId];
        var batch = Seq2SeqBatchBuilder.Build([new(Ids(s), Ids(l)), new(Ids(s / 2), Ids(l / 2))], s, l, specials);
        if (!recipe.Objective.EncoderMlm) return batch;
        var arrays = batch.Arrays.ToDictionary();
        arrays[BatcherInputNames.MaskedLmPositions] = new BatchArray(new long[] { 1, s + 1 }, [2]);
        arrays[BatcherInputNames.MaskedLmLabels] = new BatchArray(new long[] { content, content }, [2]);
        return batch with { Arrays = arrays };
    }

    /// <summary>The (seed, step)-deterministic batch source of the recipe's objective over a tokenised corpus.</summary>
    public static IBatchSource Seq2SeqSource(Seq2SeqRecipe recipe, TextTokenizer tokenizer, Seq2SeqSpecialTokens specials, ITokenizedCorpus corpus, long seed)
    {
        var o = recipe.Objective;
        int b = recipe.Training.BatchSize;
        if (o.Type == "span_corruption")
        {
            var span = new SpanCorruptionBatcher(new SpanCorruptionBatcherOptions
            {
                MaxSourceLength = recipe.Data.MaxSourceLength, MaxTargetLength = recipe.Data.MaxTargetLength, Seed = seed,
                NoiseDensity = o.NoiseDensity, MeanNoiseSpanLength = o.MeanNoiseSpanLength,
            }, specials, corpus);
            return new FunctionBatchSource(step => span.Build(step, b));
        }
        var gsg = new GsgBatcher(new GsgBatcherOptions
        {
            MaxSourceLength = recipe.Data.MaxSourceLength, MaxTargetLength = recipe.Data.MaxTargetLength, Seed = seed,
            GapSentenceRatio = o.GapSentenceRatio, SentenceMaskProbability = o.SentenceMaskProbability, MaskedLm = o.EncoderMlm,
        }, specials, corpus, RougeWords.FromTokenizer(tokenizer), o.EncoderMlm ? new MaskingVocabulary(tokenizer.Specials) : null);
        return new FunctionBatchSource(step => gsg.Build(step, b));
    }

    /// <summary>
    /// Seq2seq pre-training (GSG or span corruption): tokenizer and corpus as for encoder recipes (same caches and shards),
    /// the objective's batcher over the shards' sentence structure, artifacts, and the trainer; resumes when asked.
    /// One process only (<see cref="PretrainOptions.Parallel"/> must be null).
    /// </summary>
    /// <exception cref="InvalidOperationException">The run folder already has checkpoints and <c>Resume</c> is off, or has none and it is on.</exception>
    /// <exception cref="NotSupportedException">Data-parallel options were given.</exception>
    public static PretrainResult RunSeq2Seq(Seq2SeqRecipe recipe, PretrainOptions o)
    {
        if (o.Parallel is not null) throw new NotSupportedException("Data-parallel training of seq2seq recipes is not supported yet; run it in one process.");
        string? resumeFrom = Trainer.ResumePoint(o.RunDir, o.Resume);
        var data = LoadData(recipe.AsDataRecipe(), recipe.Model.VocabSize, o);
        var specials = Seq2SeqSpecials(data.Tokenizer);
        var sources = (Seq2SeqSource(recipe, data.Tokenizer, specials, data.Train.Shard, recipe.Training.Seed),
            Seq2SeqSource(recipe, data.Tokenizer, specials, data.Valid.Shard, recipe.Training.Seed + 1));
        Action? build = resumeFrom is not null && File.Exists(Path.Combine(o.RunDir, ArtifactManifest.FileName)) ? null : () =>
        {
            BuildSeq2SeqArtifacts(recipe, specials, o.RunDir, o.Log);
            if (recipe.Training.InitFrom is { } init) InitFrom(Path.Combine(o.RunDir, "checkpoint"), InitSource(recipe.AsDataRecipe(), init), o.Log,
                seq2seq: recipe);
        };
        return TrainRun(o, resumeFrom, build, recipe.Training, sources, data);
    }
}
