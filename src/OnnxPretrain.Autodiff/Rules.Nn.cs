using OnnxPretrain.Onnx;

namespace OnnxPretrain.Autodiff;

public static partial class Rules
{
    // y = softmax(x): dx = y * (dy - sum(dy * y))
    /// <summary>Softmax along its axis: y·(dy - Σ dy·y).</summary>
    public static Value?[] Softmax(GradientContext c)
    {
        var g = c.G;
        Value y = c.Y(0), dy = c.Dy;
        var dot = g.ReduceSum(g.Mul(dy, y), [c.Node.GetInt("axis", -1)], keepDims: true);
        return [g.Mul(y, g.Sub(dy, dot))];
    }

    // y = log_softmax(x): dx = dy - exp(y) * sum(dy)
    /// <summary>LogSoftmax along its axis: dy - exp(y)·Σ dy.</summary>
    public static Value?[] LogSoftmax(GradientContext c)
    {
        var g = c.G;
        var sum = g.ReduceSum(c.Dy, [c.Node.GetInt("axis", -1)], keepDims: true);
        return [g.Sub(c.Dy, g.Mul(g.Exp(c.Y(0)), sum))];
    }

    // y = xhat * scale + bias, xhat = (x - mean) * inv_std over the normalized axes:
    //   dx = inv_std * (gs - mean(gs) - xhat * mean(gs * xhat)), gs = dy * scale; dscale = dy * xhat; dbias = dy
    /// <summary>LayerNormalization via its saved Mean and InvStdDev outputs (no LayerNormalizationGrad).</summary>
    public static Value?[] LayerNormalization(GradientContext c)
    {
        var g = c.G;
        Value x = c.X(0), scale = c.X(1), dy = c.Dy;
        if (c.Node.Outputs.Count < 3) throw c.Unsupported("the node must expose its Mean and InvStdDev outputs");
        int axis = x.Shape.NormalizeAxis((int)c.Node.GetInt("axis", -1));
        var normAxes = Enumerable.Range(axis, x.Rank - axis).Select(i => (long)i).ToArray();
        Value mean = StatAs(c, c.Y(1), x), invStd = StatAs(c, c.Y(2), x);
        var xhat = g.Mul(g.Sub(x, mean), invStd);                                  // (..., C)
        Value? dx = null;
        if (c.Needs(0))
        {
            var gs = g.Mul(dy, scale);                                               // (..., C)
            var meanGs = g.ReduceMean(gs, normAxes, keepDims: true);                 // (..., 1)
            var meanGsX = g.ReduceMean(g.Mul(gs, xhat), normAxes, keepDims: true);   // (..., 1)
            dx = g.Mul(invStd, g.Sub(g.Sub(gs, meanGs), g.Mul(xhat, meanGsX)));
        }
        var dScale = c.Needs(1) ? g.Mul(dy, xhat) : null;                            // summed to (C) by the engine
        return c.InputCount > 2 ? [dx, dScale, c.Needs(2) ? dy : null] : [dx, dScale];
    }

    private static Value StatAs(GradientContext c, Value stat, Value like) => stat.Type == like.Type ? stat : c.G.Cast(stat, like.Type);

    // y = x * mask / (1 - ratio) in training mode, x otherwise: dx = dy * mask / (1 - ratio)
    /// <summary>Dropout via its mask output (no DropoutGrad); identity when training_mode is false or absent.</summary>
    public static Value?[] Dropout(GradientContext c)
    {
        bool training = c.InputCount > 2 && c.Node.Inputs[2] is not null && ((bool[])c.ConstantInput(2, "training_mode").Data)[0];
        var nulls = Enumerable.Repeat<Value?>(null, c.InputCount - 1);
        if (!training) return [c.Dy, .. nulls];
        var ratioData = c.InputCount > 1 && c.Node.Inputs[1] is not null ? c.ConstantInput(1, "ratio") : null;
        double ratio = ratioData is null ? 0.5 : Convert.ToDouble(ratioData.Data.GetValue(0));
        if (c.Node.Outputs.Count < 2) throw c.Unsupported("the node must expose its mask output");
        var keep = c.G.Cast(c.Y(1), c.Dy.Type);
        return [c.G.Mul(c.G.Mul(c.Dy, keep), c.Scalar(1 / (1 - ratio), c.Dy)), .. nulls];
    }

    // loss = -sum_i w_i log p_i[label_i] / (sum w) with w_i = (label_i != ignore_index):
    //   dscores = (softmax(scores) - onehot(label)) * w / sum(w) * dloss      (reduction "mean")
    /// <summary>SoftmaxCrossEntropyLoss (mean/sum/none, ignore_index, no class weights) via its log_prob output.</summary>
    public static Value?[] SoftmaxCrossEntropyLoss(GradientContext c)
    {
        var g = c.G;
        if (c.InputCount > 2 && c.Node.Inputs[2] is not null) throw c.Unsupported("class weights");
        if (c.Node.Outputs.Count < 2) throw c.Unsupported("the node must expose its log_prob output");
        Value scores = c.X(0), labels = c.X(1), logProb = c.Y(1), dLoss = c.Dy;
        Value mask = c.Node.Attributes.ContainsKey("ignore_index")
            ? g.Not(g.Equal(labels, g.Scalar(c.Node.GetInt("ignore_index", -100), DataType.Int64)))
            : g.Equal(labels, labels);                                              // (N, d...) all true
        var safe = g.Where(mask, labels, g.Scalar(0, DataType.Int64));
        var w = g.Cast(mask, scores.Type);                                          // (N, d...)
        var reduction = c.Node.GetString("reduction", "mean");
        if (reduction == "mean") w = g.Div(w, g.ReduceSum(w, [], keepDims: false));
        w = g.Mul(w, dLoss);                                                         // scalar or per-element dloss
        var wide = g.Unsqueeze(w, 1);                                               // (N, 1, d...)
        var softmaxPart = g.Mul(g.Exp(logProb), wide);                              // softmax · w
        if (scores.Rank == 2)                                                        // subtract w at the label: no dense one-hot
            return [g.ScatterElements(softmaxPart, g.Unsqueeze(safe, 1), g.Neg(wide), axis: 1, reduction: "add"), null];
        var classes = scores.Shape[1].IsStatic ? scores.Shape[1].Value : throw c.Unsupported($"non-static class count {scores.Shape[1]}");
        var oneHot = MoveLastAxisTo1(g, g.OneHot(safe, classes, scores.Type));      // (N, C, d...)
        return [g.Sub(softmaxPart, g.Mul(oneHot, wide)), null];
    }

    private static Value MoveLastAxisTo1(Graph g, Value x)
    {
        if (x.Rank == 2) return x;
        var perm = new List<long> { 0, x.Rank - 1 };
        for (int i = 1; i < x.Rank - 1; i++) perm.Add(i);
        return g.Transpose(x, [.. perm]);
    }
}
