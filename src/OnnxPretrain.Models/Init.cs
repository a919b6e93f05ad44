using System.Security.Cryptography;
using System.Text;
using OnnxPretrain.Onnx;

namespace OnnxPretrain.Models;

/// <summary>
/// Seeded parameter initialisation as in BERT (Devlin et al. 2019, TF reference code): weights from a normal with
/// std <c>initializer_range</c> truncated at 2 std, biases 0, LayerNorm weight 1 / bias 0. Each parameter's stream
/// is seeded by (seed, parameter name), so values do not depend on construction order and the training and eval
/// builds get identical weights.
/// </summary>
public static class Init
{
    /// <summary>A (rows, cols, ...) tensor from N(0, std²) truncated to [-2 std, 2 std].</summary>
    public static TensorData TruncatedNormal(long seed, string name, float std, params long[] shape)
    {
        var rng = new Random(StreamSeed(seed, name));
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var data = new float[n];
        for (long i = 0; i < n; i++)
        {
            double z;
            do z = Gaussian(rng); while (Math.Abs(z) > 2);
            data[i] = (float)(z * std);
        }
        return TensorData.Create(data, shape);
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static TensorData Constant(float value, params long[] shape)
    {
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        Array.Fill(data, value);
        return TensorData.Create(data, shape);
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static int StreamSeed(long seed, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{name}"));
        return BitConverter.ToInt32(hash, 0);
    }
}
