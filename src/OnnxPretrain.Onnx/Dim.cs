namespace OnnxPretrain.Onnx;

/// <summary>
/// One dimension of a symbolic shape: a static size, a named symbol (<c>batch</c>, <c>sequence</c>), a product of
/// symbols times a constant (<c>batch*sequence</c>, the result of flattening), or unknown.
/// Two dims are equal when they are the same expression, so <c>batch</c> broadcasts only against <c>batch</c> or 1.
/// </summary>
public readonly struct Dim : IEquatable<Dim>
{
    private readonly string[]? _symbols;

    /// <summary>Constant factor; for a static dim, its size.</summary>
    public long Coefficient { get; }

    /// <summary>Sorted symbol names multiplied together; empty for a static dim.</summary>
    public IReadOnlyList<string> Symbols => _symbols ?? [];

    /// <summary>True when nothing is known about the size.</summary>
    public bool IsUnknown { get; }

    /// <summary>True when the size is a known number.</summary>
    public bool IsStatic => !IsUnknown && Symbols.Count == 0;

    /// <summary>The static size.</summary>
    /// <exception cref="InvalidOperationException">The dim is symbolic or unknown.</exception>
    public long Value => IsStatic ? Coefficient : throw new InvalidOperationException($"Dim '{this}' is not static.");

    private Dim(long coefficient, string[]? symbols, bool unknown)
    {
        Coefficient = coefficient;
        _symbols = symbols;
        IsUnknown = unknown;
    }

    /// <summary>A static dim of <paramref name="size"/> elements.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    public static Dim Of(long size) =>
        size >= 0 ? new Dim(size, null, false) : throw new ArgumentOutOfRangeException(nameof(size), size, "A dimension cannot be negative.");

    /// <summary>A named symbolic dim such as <c>batch</c>.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains '*'.</exception>
    public static Dim Symbol(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('*'))
            throw new ArgumentException($"Invalid symbolic dim name '{name}'.", nameof(name));
        return new Dim(1, [name], false);
    }

    /// <summary>A dim whose size is not known when the graph is built.</summary>
    public static Dim Unknown => new(0, null, true);

    /// <summary>Implicit conversion from a static size.</summary>
    public static implicit operator Dim(long size) => Of(size);

    /// <summary>Implicit conversion from a symbol name.</summary>
    public static implicit operator Dim(string name) => Symbol(name);

    /// <summary>The product of two dims (unknown if either is unknown).</summary>
    public static Dim operator *(Dim a, Dim b)
    {
        if (a.IsUnknown || b.IsUnknown) return Unknown;
        if (a.IsStatic && a.Coefficient == 0 || b.IsStatic && b.Coefficient == 0) return Of(0);
        var syms = a.Symbols.Concat(b.Symbols).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        return new Dim(a.Coefficient * b.Coefficient, syms.Length == 0 ? null : syms, false);
    }

    /// <summary>Exact division of dims; unknown when the quotient is not an exact expression.</summary>
    public static Dim operator /(Dim a, Dim b)
    {
        if (a.IsUnknown || b.IsUnknown || b.Coefficient == 0 || a.Coefficient % b.Coefficient != 0) return Unknown;
        var rest = a.Symbols.ToList();
        foreach (var s in b.Symbols)
            if (!rest.Remove(s)) return Unknown;
        return new Dim(a.Coefficient / b.Coefficient, rest.Count == 0 ? null : rest.ToArray(), false);
    }

    /// <inheritdoc />
    public bool Equals(Dim other) =>
        IsUnknown == other.IsUnknown && Coefficient == other.Coefficient && Symbols.SequenceEqual(other.Symbols);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Dim d && Equals(d);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IsUnknown, Coefficient, string.Join("*", Symbols));

    /// <summary>Dim equality.</summary>
    public static bool operator ==(Dim a, Dim b) => a.Equals(b);

    /// <summary>Dim inequality.</summary>
    public static bool operator !=(Dim a, Dim b) => !a.Equals(b);

    /// <summary>The ONNX <c>dim_param</c> text: <c>batch</c>, <c>batch*sequence</c>, <c>2*batch</c>, <c>?</c> or the number.</summary>
    public override string ToString()
    {
        if (IsUnknown) return "?";
        if (Symbols.Count == 0) return Coefficient.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var s = string.Join("*", Symbols);
        return Coefficient == 1 ? s : $"{Coefficient}*{s}";
    }
}
