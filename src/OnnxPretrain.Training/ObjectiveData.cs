using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;
using OnnxPretrain.Runtime;

namespace OnnxPretrain.Training;

/// <summary>
/// Wires a recipe's objective to its data side: the batcher of the same name in OnnxPretrain.Data with the recipe's
/// rates, and (C-RTS) the cluster counts that the trainer updates from the discriminator's predictions.
/// </summary>
internal static class ObjectiveData
{
    /// <summary>File name of the C-RTS cluster counts inside a checkpoint folder.</summary>
    public const string CountsFile = "crts_counts.txt";

    /// <summary>The batcher of <paramref name="recipe"/>'s packed-sequence objective (<see cref="ObjectiveSpec.Batcher"/>).</summary>
    /// <param name="recipe">The recipe.</param>
    /// <param name="specials">The tokenizer's special ids and vocabulary size.</param>
    /// <param name="seed">Masking seed (the training and held-out streams use different ones).</param>
    /// <param name="crts">C-RTS state (clusters + counts); required for <c>crts</c>.</param>
    /// <exception cref="ArgumentException">The objective does not batch packed sequences, C-RTS without clusters, or the vocabulary sizes differ.</exception>
    public static IBatcher CreateBatcher(Recipe recipe, SpecialTokens specials, long seed, CrtsState? crts = null)
    {
        if (specials.VocabSize != recipe.Model.VocabSize)
            throw new ArgumentException($"model.vocab_size ({recipe.Model.VocabSize}) does not match the tokenizer's vocabulary " +
                $"({specials.VocabSize} ids, data.tokenizer '{recipe.Data.Tokenizer}').");
        var spec = ObjectiveRegistry.Get(recipe.Objective.Type);
        return spec.Batcher is { } batcher ? batcher(new BatcherContext(recipe, specials, seed, crts))
            : throw new ArgumentException($"objective.type '{spec.Type}' draws its rows as {spec.Rows}, not from packed sequences; it has " +
                $"no sequence batcher.");
    }
}

/// <summary>
/// C-RTS state beside the model: token clusters and the cluster-count matrix, updated after every training step from
/// the discriminator's <c>predictions</c> (+1 where it was fooled, -1 where it was right) and saved with checkpoints.
/// </summary>
public sealed class CrtsState(TokenClusters clusters, ClusterCounts counts) : ITrainerHook
{
    private readonly Dictionary<long, CrtsBatch> _built = [];

    /// <summary>The token clusters.</summary>
    public TokenClusters Clusters => clusters;

    /// <summary>The count matrix (clusters × clusters).</summary>
    public ClusterCounts Counts => counts;

    /// <summary>Loads clusters and, when <paramref name="checkpointDir"/> has them, the saved counts (else all ones).</summary>
    /// <exception cref="FileNotFoundException">The cluster file is missing; the message says how to build it.</exception>
    public static CrtsState Load(string clustersPath, string? checkpointDir)
    {
        if (!File.Exists(clustersPath))
            throw new FileNotFoundException($"C-RTS cluster file '{clustersPath}' does not exist. Build it with: " +
                "dotnet run --project tools/build-clusters -- --help", clustersPath);
        var clusters = TokenClusters.Load(clustersPath);
        var saved = checkpointDir is null ? null : Path.Combine(checkpointDir, ObjectiveData.CountsFile);
        var counts = saved is not null && File.Exists(saved) ? ClusterCounts.Load(saved) : new ClusterCounts(clusters.ClusterCount);
        return new CrtsState(clusters, counts);
    }

    internal IBatcher Batcher(int t, long seed, ClusterTokenDetectionConfig o, SpecialTokens specials) =>
        new Recording(new CrtsBatcher(new CrtsBatcherOptions { SequenceLength = t, Seed = seed, ReplaceProbability = o.MaskProbability, Beta = o.CrtsBeta },
            specials, clusters, counts), _built);

    /// <inheritdoc />
    public void AfterTrainStep(long position, StepResult result)
    {
        if (!_built.Remove(position, out var batch)) return;
        counts.Update(batch, result.Outputs["predictions"].AsInt64s());
        _built.Clear();
    }

    /// <inheritdoc />
    public void Save(string checkpointDir) => counts.Save(Path.Combine(checkpointDir, ObjectiveData.CountsFile));

    private sealed class Recording(CrtsBatcher inner, Dictionary<long, CrtsBatch> built) : IBatcher
    {
        public int SequenceLength => inner.SequenceLength;

        public Batch Build(IReadOnlyList<int[]> sequences, long step)
        {
            var b = inner.Build(sequences, step);
            built[step] = b;
            return b.Batch;
        }
    }
}
