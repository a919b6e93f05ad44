namespace OnnxPretrain.Data;

/// <summary>
/// The ids a batcher may put in as a random replacement: every id in [0, VocabSize) that is neither in
/// <see cref="SpecialTokens.NonReplaceableIds"/> nor special (<see cref="SpecialTokens.IsSpecial"/>), so a random
/// substitution never produces [PAD], [CLS], [SEP], [MASK], [UNK] or an [unusedN] entry.
/// </summary>
public sealed class MaskingVocabulary
{
    private readonly bool[] _replaceable;
    private readonly int[] _ids;

    /// <summary>Builds the replaceable set of a vocabulary.</summary>
    /// <param name="specials">Vocabulary size and special ids.</param>
    /// <exception cref="ArgumentException">The vocabulary size is &lt; 1, a non-replaceable id is outside [0, VocabSize),
    /// or no id is left to replace with (the message names the field and value).</exception>
    public MaskingVocabulary(SpecialTokens specials)
    {
        ArgumentNullException.ThrowIfNull(specials);
        if (specials.VocabSize < 1)
            throw new ArgumentException($"SpecialTokens.VocabSize must be >= 1, got {specials.VocabSize}.", nameof(specials));
        Specials = specials;
        _replaceable = new bool[specials.VocabSize];
        for (int id = 0; id < _replaceable.Length; id++) _replaceable[id] = !specials.IsSpecial(id);
        foreach (int id in specials.NonReplaceableIds)
        {
            if ((uint)id >= (uint)specials.VocabSize)
                throw new ArgumentException(
                    $"SpecialTokens.NonReplaceableIds contains {id}, outside [0, {specials.VocabSize}).", nameof(specials));
            _replaceable[id] = false;
        }
        _ids = Enumerable.Range(0, _replaceable.Length).Where(i => _replaceable[i]).ToArray();
        if (_ids.Length == 0)
            throw new ArgumentException("SpecialTokens leaves no replaceable id: every id is special or non-replaceable.", nameof(specials));
    }

    /// <summary>The vocabulary this set was built from.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>The replaceable ids, ascending.</summary>
    public IReadOnlyList<int> ReplaceableIds => _ids;

    /// <summary>True when <paramref name="id"/> is in [0, VocabSize) and may be used as a random replacement.</summary>
    /// <param name="id">Token id.</param>
    /// <returns>Whether the id is replaceable.</returns>
    public bool IsReplaceable(int id) => (uint)id < (uint)_replaceable.Length && _replaceable[id];

    /// <summary>A replaceable id drawn uniformly.</summary>
    /// <param name="rng">Generator to draw from.</param>
    /// <returns>A uniformly drawn replaceable id.</returns>
    public int SampleReplaceable(MaskingRng rng) => _ids[rng.NextInt(_ids.Length)];
}
