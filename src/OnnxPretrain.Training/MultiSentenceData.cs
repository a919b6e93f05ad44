using OnnxPretrain.Data;
using OnnxPretrain.Models;

namespace OnnxPretrain.Training;

/// <summary>The data side of the joint multi-candidate objectives (<c>mspp</c>, <c>as2_joint</c>): batchers and the example batch.</summary>
internal static class MultiSentenceData
{
    /// <summary>The MSPP batcher of a recipe's settings over <paramref name="corpus"/>.</summary>
    public static MultiSentenceBatcher Batcher(MultiSentenceConfig o, SpecialTokens specials, ITokenizedCorpus corpus, long seed) => new(new()
    {
        Candidates = o.Candidates, SegmentLength = o.SegmentLength, HardNegatives = o.HardNegatives, Seed = seed,
        MaskProbability = o.MaskProbability, MaskTokenFraction = o.EffectiveMaskTokenFraction, RandomTokenFraction = o.RandomTokenFraction,
    }, specials, corpus);

    /// <summary>
    /// An example batch for building artifacts: synthetic segment texts laid out by <see cref="JointRows"/>, row b's labels
    /// 1 at candidate b mod k and 0 elsewhere; for MSPP also masked as <see cref="MlmBatcher"/> masks.
    /// </summary>
    /// <exception cref="ArgumentException">data.sequence_length is not (k + 1) × segment_length.</exception>
    public static Batch ExampleBatch(Recipe recipe, IJointCandidates joint, SpecialTokens specials, int batchSize)
    {
        if (recipe.Data.SequenceLength != joint.SequenceLength)
            throw new ArgumentException($"data.sequence_length ({recipe.Data.SequenceLength}) must be (objective.candidates + 1) x " +
                $"objective.segment_length = {joint.SequenceLength}.");
        int k = joint.Candidates, s = joint.SegmentLength;
        var texts = SyntheticData.Sequences(batchSize * (k + 1), s, specials, recipe.Training.Seed);
        var rows = Enumerable.Range(0, batchSize).Select(b => JointRows.Ids(
            texts.Skip(b * (k + 1)).Take(k + 1).Select(t => t.Where(id => !specials.IsSpecial(id)).ToArray()).ToList(), s, specials)).ToList();
        var labels = Enumerable.Range(0, batchSize).Select(b => Enumerable.Range(0, k).Select(j => j == b % k ? 1L : 0L).ToArray()).ToList();
        var batch = JointRows.Build(rows, labels, s, specials.PadId);
        if (recipe.Objective is not MultiSentenceConfig m) return batch;
        var mlm = new MlmBatcher(new MlmBatcherOptions
        {
            SequenceLength = joint.SequenceLength, Seed = recipe.Training.Seed, MaskProbability = m.MaskProbability,
            MaskTokenFraction = m.EffectiveMaskTokenFraction, RandomTokenFraction = m.RandomTokenFraction,
        }, specials).Build(rows, 0);
        var arrays = batch.Arrays.ToDictionary();
        foreach (var name in new[] { BatcherInputNames.InputIds, BatcherInputNames.MaskedLmPositions, BatcherInputNames.MaskedLmLabels })
            arrays[name] = mlm.Arrays[name];
        return batch with { Arrays = arrays };
    }
}
