using OnnxPretrain.Data;
using OnnxPretrain.Models;
using OnnxPretrain.Models.Objectives;

namespace OnnxPretrain.Training;

/// <summary>Where an objective's rows come from.</summary>
public enum RowSource
{
    /// <summary>Packed sequences of the corpus, corrupted by the objective's batcher (MLM, SLM, ELECTRA, RTS, C-RTS).</summary>
    PackedSequences,

    /// <summary><c>[CLS] A [SEP] B [SEP]</c> pairs drawn from the corpus's paragraphs and documents, with MLM (SSP, SP, PSD, all).</summary>
    SentencePairs,

    /// <summary>Pairs built from the corpus's documents (PROP's word sets, contrastive's two views); a batch has 2 × batch_size rows.</summary>
    DocumentPairs,

    /// <summary>Labelled (question, candidate) pairs of a fine-tuning set (AS2): <c>finetune</c>, not <c>pretrain</c>.</summary>
    LabelledPairs,

    /// <summary><c>[CLS] Q [SEP] C [SEP] left right [SEP]</c> rows drawn from the corpus's paragraphs and documents, with MLM (context pairs).</summary>
    ContextPairs,

    /// <summary>Joint rows of a premise and k candidate spans drawn from the corpus's paragraphs and documents, with MLM (MSPP).</summary>
    MultiSentence,

    /// <summary>Joint rows of a question and k of its labelled candidates (joint AS2): <c>finetune</c>, not <c>pretrain</c>.</summary>
    LabelledGroups,
}

/// <summary>The batcher inputs of a packed-sequence objective: the recipe, the tokenizer's specials, the seed and C-RTS's state.</summary>
/// <param name="Recipe">The recipe (objective rates, sequence length).</param>
/// <param name="Specials">Special ids and vocabulary size of the tokenizer.</param>
/// <param name="Seed">Masking seed (training and held-out streams differ).</param>
/// <param name="Crts">C-RTS clusters and counts (null for the other objectives).</param>
public sealed record BatcherContext(Recipe Recipe, SpecialTokens Specials, long Seed, CrtsState? Crts);

/// <summary>
/// The matrix-product FLOPs of one forward pass's parts (see <see cref="Bench.Flops"/>): the encoder over all rows, a
/// vocabulary head over the expected selected tokens, a per-token head, the ELECTRA generator, and the row count.
/// </summary>
public sealed record FlopsTerms(double Encoder, double VocabHead, double TokenHead, Func<double> Generator, double Rows, int HiddenSize);

/// <summary>
/// One pre-training (or fine-tuning) objective: everything the pipeline needs to know about it, in one place.
/// Registered in <see cref="ObjectiveRegistry"/>.
/// </summary>
/// <param name="Type">The recipe's <c>objective.type</c>.</param>
/// <param name="Reference">The paper (and section) it follows.</param>
/// <param name="Rows">Where its rows come from.</param>
/// <param name="Graph">Its forward graph and loss terms: (encoder, objective config, sequence length, seed) -> builder.</param>
/// <param name="ForwardFlops">Matrix-product FLOPs of one forward pass from the parts.</param>
/// <param name="Config">Its settings record (an <see cref="ObjectiveConfig"/>): the recipe keys under <c>objective</c>
/// besides <c>type</c>; any other key in a recipe of this type is an error that names it.</param>
/// <param name="Batcher">The batcher of a <see cref="RowSource.PackedSequences"/> objective.</param>
/// <param name="SentenceTasks">The pair tasks of a <see cref="RowSource.SentencePairs"/> objective (several: round-robin over batches).</param>
public sealed record ObjectiveSpec(
    string Type,
    string Reference,
    RowSource Rows,
    Func<EncoderConfig, ObjectiveConfig, int, long, PretrainingObjective> Graph,
    Func<FlopsTerms, double> ForwardFlops,
    Type Config,
    Func<BatcherContext, IBatcher>? Batcher = null,
    IReadOnlyList<SentenceLevelTask>? SentenceTasks = null);
