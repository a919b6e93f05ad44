namespace OnnxPretrain.Onnx;

/// <summary>
/// A tensor shape made of <see cref="Dim"/>s (static sizes, named symbols or unknown), with numpy broadcasting.
/// </summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly Dim[] _dims;

    /// <summary>The dims, outermost first.</summary>
    public IReadOnlyList<Dim> Dims => _dims;

    /// <summary>Number of dims (0 for a scalar).</summary>
    public int Rank => _dims.Length;

    /// <summary>The dim at <paramref name="axis"/>; negative axes count from the end.</summary>
    public Dim this[int axis] => _dims[NormalizeAxis(axis)];

    /// <summary>True when every dim is a known number.</summary>
    public bool IsStatic => _dims.All(d => d.IsStatic);

    /// <summary>The scalar shape <c>()</c>.</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Creates a shape from dims; ints and strings convert implicitly (<c>new Shape("batch", 128)</c>).</summary>
    public Shape(params Dim[] dims) => _dims = (Dim[])dims.Clone();

    /// <summary>Creates a static shape.</summary>
    public static Shape Of(params long[] dims) => new(dims.Select(Dim.Of).ToArray());

    /// <summary>Static sizes.</summary>
    /// <exception cref="InvalidOperationException">A dim is symbolic or unknown.</exception>
    public long[] ToStatic() => IsStatic ? _dims.Select(d => d.Coefficient).ToArray()
        : throw new InvalidOperationException($"Shape {this} is not static.");

    /// <summary>Product of all dims (a symbolic expression when dims are symbolic).</summary>
    public Dim ElementCount() => _dims.Aggregate(Dim.Of(1), (a, b) => a * b);

    /// <summary>Maps a possibly negative axis into [0, rank).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [-rank, rank).</exception>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Axis out of range for shape {this}.");
        return a;
    }

    /// <summary>A copy with <paramref name="axis"/> replaced by <paramref name="dim"/>.</summary>
    public Shape With(int axis, Dim dim)
    {
        var d = (Dim[])_dims.Clone();
        d[NormalizeAxis(axis)] = dim;
        return new Shape(d);
    }

    /// <summary>The numpy broadcast of two shapes, or null when they are incompatible.</summary>
    public static Shape? TryBroadcast(Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new Dim[rank];
        for (int i = 0; i < rank; i++)
        {
            Dim x = i - (rank - a.Rank) >= 0 ? a._dims[i - (rank - a.Rank)] : Dim.Of(1);
            Dim y = i - (rank - b.Rank) >= 0 ? b._dims[i - (rank - b.Rank)] : Dim.Of(1);
            if (x == y) dims[i] = x;
            else if (x.IsStatic && x.Value == 1) dims[i] = y;
            else if (y.IsStatic && y.Value == 1) dims[i] = x;
            else if (x.IsUnknown || y.IsUnknown) dims[i] = x.IsUnknown ? y : x;
            else return null;
        }
        return new Shape(dims);
    }

    /// <inheritdoc />
    public bool Equals(Shape? other) => other is not null && _dims.SequenceEqual(other._dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc />
    public override int GetHashCode() => _dims.Aggregate(17, (h, d) => HashCode.Combine(h, d));

    /// <summary>Shape as text, e.g. <c>(batch, sequence, 256)</c>.</summary>
    public override string ToString() => "(" + string.Join(", ", _dims) + ")";
}
