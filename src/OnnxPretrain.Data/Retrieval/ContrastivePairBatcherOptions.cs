namespace OnnxPretrain.Data;

/// <summary>Where <see cref="ContrastivePairBatcher"/> takes a document's positive pair from.</summary>
public enum ContrastivePairSource
{
    /// <summary>Title ↔ text for documents with a title, neighbouring spans otherwise (default).</summary>
    Auto,

    /// <summary>Title ↔ text only; documents without a title are not used.</summary>
    Title,

    /// <summary>Neighbouring spans only (titles ignored).</summary>
    Neighbours,
}

/// <summary>What a contrastive pair is made of.</summary>
public enum ContrastivePairKind
{
    /// <summary>A = the title, B = the start of the document's text.</summary>
    TitleText,

    /// <summary>A = the end of paragraph i, B = the start of paragraph i + 1.</summary>
    NeighbouringParagraphs,

    /// <summary>A = the sentences of a one-paragraph document before a sentence boundary (its end), B = those after (its start).</summary>
    NeighbouringSentences,
}

/// <summary>
/// Options of <see cref="ContrastivePairBatcher"/>: positive pairs for in-batch-negative contrastive pre-training
/// (Neelakantan et al. 2022, "Text and Code Embeddings by Contrastive Pre-Training", §2).
/// </summary>
public sealed record ContrastivePairBatcherOptions
{
    /// <summary>T, tokens per row (each side is <c>[CLS] text [SEP]</c>, cut to T − 2 ids, padded to T); &gt;= 3. Default 128.</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Run seed; with the step index it fixes every draw. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Pair source. Default <see cref="ContrastivePairSource.Auto"/>.</summary>
    public ContrastivePairSource PairSource { get; init; } = ContrastivePairSource.Auto;

    /// <summary>Checks every field and returns this instance.</summary>
    /// <exception cref="ArgumentException">A field is out of range (the message names the field and the value).</exception>
    public ContrastivePairBatcherOptions Validate()
    {
        const string type = nameof(ContrastivePairBatcherOptions);
        if (SequenceLength < 3) throw BatcherValidation.Invalid(type, nameof(SequenceLength), SequenceLength, "must be >= 3 ([CLS] text [SEP])");
        if (!Enum.IsDefined(PairSource)) throw new ArgumentException($"{type}.PairSource must be Auto, Title or Neighbours, got " +
            $"{(int)PairSource}.", nameof(PairSource));
        return this;
    }
}

/// <summary>One contrastive pair (row b of side A and row B + b of side B).</summary>
/// <param name="Document">Corpus document index; the documents of one batch are distinct (while the batch size allows).</param>
/// <param name="Kind">Title ↔ text or neighbouring spans.</param>
/// <param name="A">Side A's ids (no specials, already cut to T − 2).</param>
/// <param name="B">Side B's ids (no specials, already cut to T − 2).</param>
public sealed record ContrastivePairSample(int Document, ContrastivePairKind Kind, int[] A, int[] B);

/// <summary>Names of the inputs that <see cref="ContrastivePairBatcher"/> adds.</summary>
public static class ContrastiveInputNames
{
    /// <summary>(B) int64, 0 … B − 1: row b of side A matches row b of side B.</summary>
    public const string Labels = "contrastive_labels";
}
