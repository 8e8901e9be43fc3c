using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;

namespace MusicRnn.Tests.Models;

public sealed class LstmCellTests
{
    private static readonly double[][] Frames = [[0.5], [-1.0], [2.0]];

    [Theory]
    [InlineData(true)]   // the explicit peephole cell
    [InlineData(false)]  // libtorch's fused kernel
    public void Should_match_hand_computed_outputs_for_three_steps(bool peepholes)
    {
        // Given a one-unit LSTM with fixed weights, gate order (i, f, g, o)
        var model = Build(new ModelSpec { Arch = Architecture.Lstm, InputSize = 1, OutputSize = 1, HiddenSize = 1, Peepholes = peepholes });
        double[] w = [0.6, -0.3, 0.9, 0.2], u = [0.1, 0.4, -0.7, 0.5], bw = [0.05, 0.3, -0.1, 0.2], bu = [-0.02, 0.1, 0.15, -0.05];
        Set(model, "rnn.weight_ih_l0", w);
        Set(model, "rnn.weight_hh_l0", u);
        Set(model, "rnn.bias_ih_l0", bw);
        Set(model, "rnn.bias_hh_l0", bu);
        double pi = 0, pf = 0, po = 0;
        if (peepholes)
        {
            (pi, pf, po) = (0.8, -0.6, 1.1);
            Set(model, "rnn.peephole_i_l0", pi);
            Set(model, "rnn.peephole_f_l0", pf);
            Set(model, "rnn.peephole_o_l0", po);
        }
        Set(model, "head.weight", -1.3);
        Set(model, "head.bias", 0.4);

        // When it runs three steps from a zero state
        var y = Run(model, Frames);

        // Then the outputs follow Gers et al.'s equations worked out unit by unit
        double h = 0, c = 0;
        for (var t = 0; t < 3; t++)
        {
            var x = Frames[t][0];
            double Pre(int gate) => w[gate] * x + bw[gate] + u[gate] * h + bu[gate];
            var i = Sigmoid(Pre(0) + pi * c);
            var f = Sigmoid(Pre(1) + pf * c);
            var g = Math.Tanh(Pre(2));
            c = f * c + i * g;
            var o = Sigmoid(Pre(3) + po * c);
            h = o * Math.Tanh(c);
            Assert.Equal(-1.3 * h + 0.4, y[t][0], 12);
        }
    }

    [Fact]
    public void Should_let_the_output_gate_peek_at_the_new_cell()
    {
        // Given a peephole LSTM whose only nonzero weights are the output peephole (2.0) and
        // the candidate bias (1.0): from a zero state, i = σ(0) = ½ and c_1 = ½ tanh(1) ≠ c_0 = 0
        var model = Build(new ModelSpec { Arch = Architecture.Lstm, InputSize = 1, OutputSize = 1, HiddenSize = 1 });
        Set(model, "rnn.weight_ih_l0", 0, 0, 0, 0);
        Set(model, "rnn.weight_hh_l0", 0, 0, 0, 0);
        Set(model, "rnn.bias_ih_l0", 0, 0, 1, 0);
        Set(model, "rnn.bias_hh_l0", 0, 0, 0, 0);
        Set(model, "rnn.peephole_i_l0", 0);
        Set(model, "rnn.peephole_f_l0", 0);
        Set(model, "rnn.peephole_o_l0", 2);
        Set(model, "head.weight", 1);
        Set(model, "head.bias", 0);

        // When it takes one step
        var h = Run(model, [[0.0]])[0][0];

        // Then o = σ(2 c_1), not σ(2 c_0) = ½
        var c1 = 0.5 * Math.Tanh(1);
        Assert.Equal(Sigmoid(2 * c1) * Math.Tanh(c1), h, 12);
        Assert.NotEqual(0.5 * Math.Tanh(c1), h, 6);
    }
}
