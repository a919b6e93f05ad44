using OnnxPretrain.Data;

namespace OnnxPretrain.Training;

/// <summary>Synthetic inputs that need no corpus: example batches for artifacts, and benchmarks.</summary>
internal static class SyntheticData
{
    /// <summary>Full-length sequences [CLS] w₁ … w_{T-2} [SEP] of uniform random replaceable ids.</summary>
    public static List<int[]> Sequences(int count, int t, SpecialTokens specials, long seed)
    {
        var rng = new Random((int)seed);
        var excluded = specials.NonReplaceableIds.ToHashSet();
        var pool = Enumerable.Range(0, specials.VocabSize).Where(id => !excluded.Contains(id) && !specials.IsSpecial(id)).ToArray();
        if (pool.Length == 0) throw new ArgumentException($"The vocabulary ({specials.VocabSize} ids) has no ordinary token to build sequences from.");
        int Draw() => pool[rng.Next(pool.Length)];
        return Enumerable.Range(0, count).Select(_ =>
        {
            var s = new int[t];
            s[0] = specials.ClsId;
            s[t - 1] = specials.SepId;
            for (int i = 1; i < t - 1; i++) s[i] = Draw();
            return s;
        }).ToList();
    }

    /// <summary>100 clusters by id modulo 100 — cost-equivalent stand-in for a real cluster file in benchmarks.</summary>
    public static CrtsState Clusters(int vocab) =>
        new(new TokenClusters(Enumerable.Range(0, vocab).Select(i => i % 100).ToArray(), 100), new ClusterCounts(100));
}
