namespace OnnxPretrain.Data;

/// <summary>What a sentence-level row is (Di Liello et al. 2022, §3): a positive pair, or a negative whose B comes from
/// another paragraph of A's document (hard) or from another document (easy).</summary>
public enum SentenceLevelExampleKind
{
    /// <summary>Label 1: SSP same paragraph, SP A taken out of B, PSD same document.</summary>
    Positive,

    /// <summary>Label 0: B from another paragraph of A's document (SSP and SP only).</summary>
    HardNegative,

    /// <summary>Label 0: B from another document.</summary>
    EasyNegative,
}

/// <summary>One segment (A or B) of a sentence-level row.</summary>
/// <param name="Document">Document index the segment comes from.</param>
/// <param name="Paragraph">Global paragraph index the segment comes from.</param>
/// <param name="Sentences">Global sentence indices, in text order, whose ids are concatenated (never empty sentences).</param>
/// <param name="TokenCount">Ids in those sentences, before truncation.</param>
/// <param name="KeptTokenCount">Ids kept in the row after longest-first truncation (a prefix); 1 &lt;= kept &lt;= TokenCount.</param>
public sealed record SentenceLevelSegment(int Document, int Paragraph, IReadOnlyList<int> Sentences, int TokenCount, int KeptTokenCount);

/// <summary>
/// What <see cref="SentenceLevelBatcher"/> sampled for one row: the kind (hence label), both segments' sources, and the
/// truncation; for tests and debugging. The row is <c>[CLS] A[..A.KeptTokenCount] [SEP] B[..B.KeptTokenCount] [SEP]</c>.
/// </summary>
/// <param name="Task">The objective.</param>
/// <param name="Kind">Positive, hard or easy negative (the kind actually produced, after any fallback).</param>
/// <param name="FellBackToEasy">True when a hard negative was drawn but an easy one produced: the document had no other
/// usable paragraph (SSP, SP), or always for PSD, which has no hard negatives.</param>
/// <param name="A">First segment.</param>
/// <param name="B">Second segment.</param>
public sealed record SentenceLevelSample(SentenceLevelTask Task, SentenceLevelExampleKind Kind, bool FellBackToEasy,
    SentenceLevelSegment A, SentenceLevelSegment B)
{
    /// <summary>The <c>sentence_labels</c> value: 1 for a positive, 0 for a negative.</summary>
    public long Label => Kind == SentenceLevelExampleKind.Positive ? 1 : 0;
}

/// <summary>Names of the inputs that <see cref="SentenceLevelBatcher"/> adds to the MLM inputs of
/// <see cref="BatcherInputNames"/>.</summary>
public static class SentenceLevelInputNames
{
    /// <summary>(B) int64 pair labels of the sentence-level objective: 1 positive, 0 negative.</summary>
    public const string SentenceLabels = "sentence_labels";
}
