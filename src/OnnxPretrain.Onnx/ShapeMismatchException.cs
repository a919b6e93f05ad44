namespace OnnxPretrain.Onnx;

/// <summary>
/// Thrown when an op's input shapes or types are incompatible. The message names the node, the op and the shapes.
/// </summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception with a complete message.</summary>
    public ShapeMismatchException(string message) : base(message) { }
}
