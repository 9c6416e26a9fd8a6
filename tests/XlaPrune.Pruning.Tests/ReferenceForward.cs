using XlaPrune.Models;

namespace XlaPrune.Pruning.Tests;

/// <summary>
/// A plain-loop eval-mode VGG-16 forward for small specs, independent of TorchSharp and HLO, so
/// surgery can be checked on its own. Sums run in a fixed index order, so adding a channel that is
/// exactly zero leaves every result bit-identical.
/// </summary>
internal static class ReferenceForward
{
    public static float[] Logits(Vgg16Spec spec, ModelWeights w, float[] image)
    {
        var x = image;
        int channels = spec.InputChannels, size = spec.ImageSize;
        foreach (var c in spec.Convs)
        {
            x = Conv3x3(x, channels, size, w[$"{c.Name}.weight"].Data, c.OutChannels);
            BatchNormRelu(x, c.OutChannels, size * size, w, c.BatchNormName);
            channels = c.OutChannels;
            if (c.MaxPoolAfter)
            {
                x = MaxPool(x, channels, size);
                size /= 2;
            }
        }

        foreach (var l in spec.Linears)
        {
            var weight = w[$"{l.Name}.weight"].Data;
            var bias = w[$"{l.Name}.bias"].Data;
            var y = new float[l.OutFeatures];
            for (var o = 0; o < l.OutFeatures; o++)
            {
                var s = bias[o];
                for (var i = 0; i < l.InFeatures; i++)
                {
                    s += weight[(o * l.InFeatures) + i] * x[i];
                }

                y[o] = l.ReluAfter ? Math.Max(0f, s) : s;
            }

            x = y;
        }

        return x;
    }

    private static float[] Conv3x3(float[] x, int cin, int n, float[] w, int cout)
    {
        var y = new float[cout * n * n];
        for (var o = 0; o < cout; o++)
        {
            for (var r = 0; r < n; r++)
            {
                for (var q = 0; q < n; q++)
                {
                    var s = 0f;
                    for (var i = 0; i < cin; i++)
                    {
                        for (var kr = 0; kr < 3; kr++)
                        {
                            for (var kq = 0; kq < 3; kq++)
                            {
                                int rr = r + kr - 1, qq = q + kq - 1;
                                if (rr >= 0 && rr < n && qq >= 0 && qq < n)
                                {
                                    s += w[(((o * cin) + i) * 9) + (kr * 3) + kq] * x[(((i * n) + rr) * n) + qq];
                                }
                            }
                        }
                    }

                    y[(((o * n) + r) * n) + q] = s;
                }
            }
        }

        return y;
    }

    private static void BatchNormRelu(float[] x, int channels, int area, ModelWeights w, string bn)
    {
        var (g, b, m, v) = (w[$"{bn}.weight"].Data, w[$"{bn}.bias"].Data, w[$"{bn}.running_mean"].Data, w[$"{bn}.running_var"].Data);
        for (var c = 0; c < channels; c++)
        {
            var scale = g[c] / MathF.Sqrt(v[c] + 1e-5f);
            for (var i = 0; i < area; i++)
            {
                var k = (c * area) + i;
                x[k] = Math.Max(0f, ((x[k] - m[c]) * scale) + b[c]);
            }
        }
    }

    private static float[] MaxPool(float[] x, int channels, int n)
    {
        var h = n / 2;
        var y = new float[channels * h * h];
        for (var c = 0; c < channels; c++)
        {
            for (var r = 0; r < h; r++)
            {
                for (var q = 0; q < h; q++)
                {
                    var at = (((c * n) + (2 * r)) * n) + (2 * q);
                    y[(((c * h) + r) * h) + q] = Math.Max(Math.Max(x[at], x[at + 1]), Math.Max(x[at + n], x[at + n + 1]));
                }
            }
        }

        return y;
    }
}
