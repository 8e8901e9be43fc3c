using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;

namespace MusicRnn.Tests.Models;

public sealed class RnnCellTests
{
    private static readonly double[][] Frames = [[0.5], [-1.0], [2.0]];

    [Theory]
    [InlineData(Activation.Tanh)]     // libtorch's fused kernel
    [InlineData(Activation.Sigmoid)]  // the explicit cell
    public void Should_match_hand_computed_outputs_for_three_steps(Activation activation)
    {
        // Given a one-unit RNN with fixed weights
        var model = Build(new ModelSpec { Arch = Architecture.Rnn, InputSize = 1, OutputSize = 1, HiddenSize = 1, Activation = activation });
        Set(model, "rnn.weight_ih_l0", 0.7);
        Set(model, "rnn.weight_hh_l0", -0.4);
        Set(model, "rnn.bias_ih_l0", 0.1);
        Set(model, "rnn.bias_hh_l0", 0.05);
        Set(model, "head.weight", 1.5);
        Set(model, "head.bias", -0.2);

        // When it runs three steps from a zero state
        var y = Run(model, Frames);

        // Then each output is 1.5 h_t − 0.2 with h_t = φ(0.7 x_t + 0.1 − 0.4 h_{t−1} + 0.05)
        var h = 0.0;
        for (var t = 0; t < 3; t++)
        {
            var a = 0.7 * Frames[t][0] + 0.1 - 0.4 * h + 0.05;
            h = activation == Activation.Tanh ? Math.Tanh(a) : Sigmoid(a);
            Assert.Equal(1.5 * h - 0.2, y[t][0], 12);
        }
    }
}
