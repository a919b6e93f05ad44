using System.Globalization;

namespace OnnxPretrain.Data;

/// <summary>Shared range checks of the batcher options.</summary>
internal static class BatcherValidation
{
    public static void SequenceLength(string type, int value)
    {
        if (value < 2) throw Invalid(type, "SequenceLength", value, "must be >= 2 (room for [CLS] and [SEP])");
    }

    public static void Probability(string type, string field, double value)
    {
        if (!(value > 0 && value <= 1)) throw Invalid(type, field, value, "must be in (0, 1]");
    }

    public static void Fraction(string type, string field, double value)
    {
        if (!(value >= 0 && value <= 1)) throw Invalid(type, field, value, "must be in [0, 1]");
    }

    public static void MaxPredictions(string type, int? value, int sequenceLength)
    {
        if (value is { } p && (p < 1 || p > sequenceLength))
            throw Invalid(type, "MaxPredictionsPerSequence", p, $"must be in [1, SequenceLength = {sequenceLength}] or null");
    }

    public static ArgumentException Invalid(string type, string field, double value, string rule) =>
        new($"{type}.{field} {rule}, got {value.ToString("R", CultureInfo.InvariantCulture)}.", field);
}
