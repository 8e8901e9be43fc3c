using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;

namespace MusicRnn.Tests.Models;

public sealed class GruCellTests
{
    private static readonly double[][] Frames = [[0.5], [-1.0], [2.0]];

    [Theory]
    [InlineData(GruReset.Before)]  // Cho's, the explicit cell
    [InlineData(GruReset.After)]   // cuDNN's, libtorch's fused kernel
    public void Should_match_hand_computed_outputs_for_three_steps(GruReset reset)
    {
        // Given a one-unit GRU with fixed weights, gate order (r, z, n); b_Un ≠ 0 tells the variants apart
        var model = Build(new ModelSpec { Arch = Architecture.Gru, InputSize = 1, OutputSize = 1, HiddenSize = 1, GruReset = reset });
        double[] w = [0.6, -0.3, 0.9], u = [0.1, 0.4, -0.7], bw = [0.05, 0.3, -0.1], bu = [-0.02, 0.1, 0.35];
        Set(model, "rnn.weight_ih_l0", w);
        Set(model, "rnn.weight_hh_l0", u);
        Set(model, "rnn.bias_ih_l0", bw);
        Set(model, "rnn.bias_hh_l0", bu);
        Set(model, "head.weight", 0.9);
        Set(model, "head.bias", 0.1);

        // When it runs three steps from a zero state
        var y = Run(model, Frames);

        // Then the outputs follow Cho's (or cuDNN's) equations worked out by hand
        var h = 0.0;
        for (var t = 0; t < 3; t++)
        {
            var x = Frames[t][0];
            var r = Sigmoid(w[0] * x + bw[0] + u[0] * h + bu[0]);
            var z = Sigmoid(w[1] * x + bw[1] + u[1] * h + bu[1]);
            var n = reset == GruReset.Before
                ? Math.Tanh(w[2] * x + bw[2] + u[2] * (r * h) + bu[2])
                : Math.Tanh(w[2] * x + bw[2] + r * (u[2] * h + bu[2]));
            h = (1 - z) * n + z * h;
            Assert.Equal(0.9 * h + 0.1, y[t][0], 12);
        }
    }
}
