namespace OnnxPretrain.Evaluation.Generation;

/// <summary>When beam search stops an example, with the meanings of Hugging Face's <c>early_stopping</c>.</summary>
public enum EarlyStopping
{
    /// <summary><c>early_stopping=False</c> (HF's default): once <c>num_beams</c> hypotheses are finished, stop when the
    /// best running beam, normalised at the CURRENT length, cannot beat the worst of them (a heuristic: with
    /// length_penalty &gt; 0 a longer continuation could still win).</summary>
    Heuristic,

    /// <summary><c>early_stopping=True</c>: stop as soon as <c>num_beams</c> hypotheses are finished.</summary>
    AsSoonAsDone,

    /// <summary><c>early_stopping="never"</c>: stop only when no running beam can win under the exact bound: its sum
    /// normalised at <c>max_new_tokens</c> when length_penalty &gt; 0 (sums only fall, the divisor only grows), at the
    /// current length otherwise.</summary>
    Never,
}

/// <summary>
/// Decoding settings, named and defaulted as Hugging Face's <c>GenerationConfig</c> (<c>num_beams</c>,
/// <c>length_penalty</c>, <c>no_repeat_ngram_size</c>, <c>max_new_tokens</c>, <c>min_length</c>).
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Beams per example; 1 = greedy decoding.</summary>
    public int NumBeams { get; init; } = 1;

    /// <summary>Beam hypotheses are ranked by sum of log-probabilities / (generated tokens)^<c>length_penalty</c>; &gt; 0 favours longer outputs.</summary>
    public float LengthPenalty { get; init; } = 1f;

    /// <summary>When &gt; 0, no n-gram of this size occurs twice in an output (the decoder start token included, as in HF).</summary>
    public int NoRepeatNgramSize { get; init; }

    /// <summary>Most tokens generated per example (end of sequence included).</summary>
    public int MaxNewTokens { get; init; } = 32;

    /// <summary>End of sequence is forbidden until this many tokens were generated.</summary>
    public int MinLength { get; init; }

    /// <summary>
    /// End of sequence is forced as the last token at <see cref="MaxNewTokens"/> (HF's <c>forced_eos_token_id</c>, which
    /// BART configs and our seq2seq exports set); off by default here, so a summary cut at the limit keeps its last word.
    /// </summary>
    public bool ForcedEos { get; init; }

    /// <summary>Beam search's stopping rule (HF <c>early_stopping</c>: false, true, "never").</summary>
    public EarlyStopping EarlyStopping { get; init; } = EarlyStopping.Heuristic;

    /// <summary>Examples decoded together (rows = batch x beams).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is out of range (the message names it and its value).</exception>
    public GenerationOptions Validate()
    {
        if (NumBeams < 1) throw new ArgumentException($"num_beams ({NumBeams}) must be >= 1.");
        if (!float.IsFinite(LengthPenalty)) throw new ArgumentException($"length_penalty ({LengthPenalty}) must be finite.");
        if (NoRepeatNgramSize < 0) throw new ArgumentException($"no_repeat_ngram_size ({NoRepeatNgramSize}) must be >= 0.");
        if (MaxNewTokens < 1) throw new ArgumentException($"max_new_tokens ({MaxNewTokens}) must be >= 1.");
        if (MinLength < 0 || MinLength > MaxNewTokens) throw new ArgumentException($"min_length ({MinLength}) must be in [0, max_new_tokens " +
            $"= {MaxNewTokens}].");
        if (BatchSize < 1) throw new ArgumentException($"batch size ({BatchSize}) must be >= 1.");
        return this;
    }
}

/// <summary>One generated output, scored on one scale by greedy and beam search alike.</summary>
/// <param name="Tokens">Generated ids, without the decoder start token and without the final end of sequence.</param>
/// <param name="Score">Sum of log-probabilities of the generated tokens (end of sequence included) / length^length_penalty,
/// length = generated tokens (end of sequence included): HF's <c>sequences_scores</c>.</param>
/// <param name="SumLogProbs">The plain sum of those log-probabilities.</param>
internal sealed record Generated(long[] Tokens, double Score, double SumLogProbs)
{
    /// <summary>The length-normalised score of <paramref name="sumLogProbs"/> over <paramref name="length"/> generated tokens.</summary>
    public static double Normalise(double sumLogProbs, int length, float lengthPenalty) => sumLogProbs / Math.Pow(Math.Max(1, length), lengthPenalty);
}
