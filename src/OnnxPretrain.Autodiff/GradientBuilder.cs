using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

/// <summary>
/// Reverse-mode automatic differentiation on a <see cref="Graph"/>: appends backward nodes that compute
/// d<c>loss</c>/d<c>w</c> for each requested value. Walks nodes in reverse topological order, calls each op's rule
/// from <see cref="GradientRegistry"/>, sums gradients of values used more than once (fan-out), reduces gradients of
/// broadcast inputs back to the input's shape, and skips nodes that do not lie between the wrt values and the loss.
/// </summary>
public static class GradientBuilder
{
    /// <summary>
    /// Differentiates <paramref name="loss"/> with respect to each of <paramref name="wrt"/>.
    /// </summary>
    /// <param name="graph">The forward graph; backward nodes are appended to it under the scope <c>backward</c>.</param>
    /// <param name="loss">A floating scalar (or any shape, with <paramref name="seed"/>) to differentiate.</param>
    /// <param name="wrt">Floating values (usually parameters) to get gradients for.</param>
    /// <param name="seed">dloss, shaped like the loss; defaults to 1.</param>
    /// <returns>A gradient per wrt value, same shape and type; zeros where the loss does not depend on it.</returns>
    /// <exception cref="NotSupportedException">A node on the path has no gradient rule (names op and node) or its rule cannot handle it.</exception>
    /// <exception cref="ArgumentException">The loss or a wrt value is not floating or belongs to another graph.</exception>
    public static IReadOnlyDictionary<Value, Value> Build(Graph graph, Value loss, IReadOnlyList<Value> wrt, Value? seed = null)
    {
        Validate(graph, loss, wrt);
        var requires = ForwardReachable(graph, wrt);
        var contributes = BackwardReachable(graph, loss);
        var pending = new Dictionary<Value, List<Value>>();
        using (graph.Scope("backward"))
        {
            pending[loss] = [seed ?? graph.Scalar(1, loss.Type)];
            for (int n = graph.Nodes.Count - 1; n >= 0; n--)
            {
                var node = graph.Nodes[n];
                if (!node.Outputs.Any(o => pending.ContainsKey(o)) || !node.Inputs.Any(i => i is not null && requires.Contains(i))) continue;
                if (!contributes.Contains(node)) continue;
                Propagate(graph, node, pending, requires);
            }
            return wrt.ToDictionary(w => w, w => pending.TryGetValue(w, out var parts) ? Sum(graph, parts) : graph.ZerosLike(w));
        }
    }

    private static void Propagate(Graph graph, Node node, Dictionary<Value, List<Value>> pending, HashSet<Value> requires)
    {
        var rule = GradientRegistry.For(node);
        var outGrads = node.Outputs.Select(o => pending.TryGetValue(o, out var parts) ? Sum(graph, parts) : null).ToArray();
        var needs = node.Inputs.Select(i => i is not null && requires.Contains(i)).ToArray();
        Value?[] inGrads;
        using (graph.Scope(node.Name))
        {
            inGrads = rule(new GradientContext(graph, node, outGrads, needs));
            if (inGrads.Length != node.Inputs.Count)
                throw new InvalidOperationException($"Gradient rule for {node} returned {inGrads.Length} gradients for {node.Inputs.Count} inputs.");
            for (int i = 0; i < inGrads.Length; i++)
            {
                if (!needs[i] || inGrads[i] is not { } gi) continue;
                var input = node.Input(i);
                var reduced = ReduceToShape(graph, gi, input, node);
                if (!pending.TryGetValue(input, out var list)) pending[input] = list = [];
                list.Add(reduced);
            }
        }
    }

    /// <summary>
    /// Sums a broadcast gradient back to the shape of <paramref name="target"/>: leading extra axes are reduced away,
    /// axes where the target has size 1 are reduced with keepdims.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The gradient's shape cannot have come from broadcasting the target.</exception>
    public static Value ReduceToShape(Graph g, Value grad, Value target, Node? node = null)
    {
        if (grad.Shape.Equals(target.Shape)) return grad;
        int extra = grad.Rank - target.Rank;
        if (extra < 0) throw new ShapeMismatchException($"Gradient {grad} has lower rank than input {target} of {node}.");
        var inner = new List<long>();
        for (int i = 0; i < target.Rank; i++)
        {
            Dim t = target.Shape[i], d = grad.Shape[i + extra];
            if (t == d || t.IsUnknown || d.IsUnknown && !(t.IsStatic && t.Value == 1)) continue;
            if (t.IsStatic && t.Value == 1) inner.Add(i + extra);
            else throw new ShapeMismatchException($"Gradient {grad} does not reduce to the shape of input {target} of {node}: dim {i} is {d} vs {t}.");
        }
        var r = grad;
        if (inner.Count > 0) r = g.ReduceSum(r, [.. inner], keepDims: true);
        if (extra > 0) r = g.ReduceSum(r, Enumerable.Range(0, extra).Select(i => (long)i).ToArray(), keepDims: false);
        return r;
    }

    private static Value Sum(Graph g, List<Value> parts)
    {
        var s = parts[0];
        for (int i = 1; i < parts.Count; i++) s = g.Add(s, parts[i]);
        if (parts.Count > 1) parts.RemoveRange(1, parts.Count - 1);
        parts[0] = s;
        return s;
    }

    private static HashSet<Value> ForwardReachable(Graph g, IReadOnlyList<Value> wrt)
    {
        var set = new HashSet<Value>(wrt);
        foreach (var n in g.Nodes)
            if (n.Inputs.Any(i => i is not null && set.Contains(i)))
                foreach (var o in n.Outputs)
                    if (o.Type.IsFloating()) set.Add(o);
        return set;
    }

    private static HashSet<Node> BackwardReachable(Graph g, Value loss)
    {
        var live = new HashSet<Value> { loss };
        var nodes = new HashSet<Node>();
        for (int n = g.Nodes.Count - 1; n >= 0; n--)
        {
            var node = g.Nodes[n];
            if (!node.Outputs.Any(live.Contains)) continue;
            nodes.Add(node);
            foreach (var i in node.Inputs) if (i is not null) live.Add(i);
        }
        return nodes;
    }

    private static void Validate(Graph graph, Value loss, IReadOnlyList<Value> wrt)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(wrt);
        if (!ReferenceEquals(loss.Graph, graph) || !loss.Type.IsFloating())
            throw new ArgumentException($"Loss {loss} must be a floating value of graph '{graph.Name}'.", nameof(loss));
        foreach (var w in wrt)
            if (!ReferenceEquals(w.Graph, graph) || !w.Type.IsFloating())
                throw new ArgumentException($"Cannot differentiate with respect to {w}: it must be a floating value of graph '{graph.Name}'.", nameof(wrt));
    }
}
