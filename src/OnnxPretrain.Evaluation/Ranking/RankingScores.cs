namespace OnnxPretrain.Evaluation;

/// <summary>
/// Mean tie-aware ranking metrics over a set of queries (see <see cref="RankingMetrics"/>); all unitless in [0, 1].
/// </summary>
/// <param name="PrecisionAt1">Mean expected precision at rank 1 (P@1).</param>
/// <param name="MeanAveragePrecision">Mean expected average precision (MAP).</param>
/// <param name="MeanReciprocalRank">Mean expected reciprocal rank of the first positive (MRR).</param>
/// <param name="HitRateAt5">Mean probability of a positive within the top 5 (HR@5).</param>
/// <param name="Queries">Number of queries averaged.</param>
/// <param name="ExcludedQueries">Queries left out because they have no positive (0 when all queries are included).</param>
public sealed record RankingScores(
    double PrecisionAt1, double MeanAveragePrecision, double MeanReciprocalRank, double HitRateAt5, int Queries, int ExcludedQueries);
