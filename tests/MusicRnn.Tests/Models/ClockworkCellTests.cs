using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class ClockworkCellTests
{
    [Fact]
    public void Should_match_hand_computed_outputs_for_three_steps_ignoring_masked_weights()
    {
        // Given a CW-RNN of two one-unit modules (periods 1 and 2) whose stored weight_hh has
        // a nonzero entry (9.0) where the slow module would hear the fast one
        var model = Build(new ModelSpec { Arch = Architecture.CwRnn, InputSize = 1, OutputSize = 1, HiddenSize = 2, Modules = 2 });
        Set(model, "rnn.weight_ih_l0", 0.7, -0.4);
        Set(model, "rnn.weight_hh_l0", 0.3, 0.5, 9.0, -0.6);
        Set(model, "rnn.bias_ih_l0", 0.1, -0.2);
        Set(model, "rnn.bias_hh_l0", 0.05, 0.02);
        Set(model, "head.weight", 1.0, -2.0);
        Set(model, "head.bias", 0.3);
        double[][] frames = [[0.5], [-1.0], [2.0]];

        // When it runs three steps from a zero state
        var y = Run(model, frames);

        // Then the fast unit updates every step, the slow one at t = 0 and 2 and only from itself
        double h0 = 0, h1 = 0;
        for (var t = 0; t < 3; t++)
        {
            var x = frames[t][0];
            var fast = Math.Tanh(0.7 * x + 0.1 + 0.3 * h0 + 0.5 * h1 + 0.05);
            var slow = t % 2 == 0 ? Math.Tanh(-0.4 * x - 0.2 - 0.6 * h1 + 0.02) : h1;
            (h0, h1) = (fast, slow);
            Assert.Equal(h0 - 2.0 * h1 + 0.3, y[t][0], 12);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(new[] { 3, 1, 2 })]
    public void Should_update_each_module_exactly_when_its_clock_ticks_across_windows(int[]? periods)
    {
        // Given a CW-RNN of 3 modules of 2 units whose head is the identity, so outputs are h_t
        var spec = new ModelSpec { Arch = Architecture.CwRnn, InputSize = 2, OutputSize = 6, HiddenSize = 6, Modules = 3, Periods = periods };
        var model = Build(spec);
        Set(model, "head.weight", [.. Enumerable.Range(0, 36).Select(i => i / 6 == i % 6 ? 1.0 : 0.0)]);
        Set(model, "head.bias", new double[6]);
        var generator = new Generator(7);
        using var first = Random(generator, ScalarType.Float64, 5, 1, 2);
        using var second = Random(generator, ScalarType.Float64, 6, 1, 2);

        // When it runs 5 steps, then 6 more carrying the state (and with it the clock)
        using var _ = no_grad();
        var (y1, state) = model.forward(first, null);
        var (y2, _) = model.forward(second, state);
        var h = cat([zeros(1, 1, 6, dtype: ScalarType.Float64), y1, y2], 0).squeeze(1).data<double>().ToArray();

        // Then module i's units change at global step t iff t mod T_i = 0
        for (var t = 0; t < 11; t++)
            for (var i = 0; i < 3; i++)
            {
                var changed = h[(t + 1) * 6 + 2 * i] != h[t * 6 + 2 * i] || h[(t + 1) * 6 + 2 * i + 1] != h[t * 6 + 2 * i + 1];
                Assert.True(changed == (t % spec.PeriodOf(i) == 0), $"module {i} at step {t}: changed = {changed}");
            }
    }

    [Fact]
    public void Should_keep_masked_weights_zero_after_training()
    {
        // Given a 2-layer CW-RNN (4 modules of 2 units) and RMSProp on random data
        manual_seed(11);
        var model = ModelFactory.Create(new ModelSpec { Arch = Architecture.CwRnn, InputSize = 3, OutputSize = 3, HiddenSize = 8, Modules = 4, Layers = 2 });
        var before = Enumerable.Range(0, 2).Select(k => Param(model, $"rnn.weight_hh_l{k}").detach().clone()).ToArray();
        var optimizer = optim.RMSProp(model.parameters(), lr: 0.01);
        var generator = new Generator(5);

        // When it takes 100 optimizer steps
        for (var step = 0; step < 100; step++)
        {
            using var scope = NewDisposeScope();
            var input = Random(generator, ScalarType.Float32, 10, 2, 3);
            var target = Random(generator, ScalarType.Float32, 10, 2, 3);
            optimizer.zero_grad();
            var (output, _) = model.forward(input, null);
            nn.functional.mse_loss(output, target).backward();
            optimizer.step();
        }

        // Then every entry where a faster module would feed a slower one is still exactly 0,
        // while the allowed entries did learn
        for (var k = 0; k < 2; k++)
        {
            var w = Param(model, $"rnn.weight_hh_l{k}").data<float>().ToArray();
            var w0 = before[k].data<float>().ToArray();
            for (var row = 0; row < 8; row++)
                for (var col = 0; col < 8; col++)
                {
                    if (col / 2 < row / 2) Assert.Equal(0f, w[row * 8 + col]);
                    else Assert.NotEqual(w0[row * 8 + col], w[row * 8 + col]);
                }
        }
    }

    [Fact]
    public void Should_give_slow_modules_no_gradient_from_faster_modules_earlier_state()
    {
        // Given a CW-RNN of 3 modules of 2 units (periods 1, 2, 4) and an initial state that requires grad
        var model = Build(new ModelSpec { Arch = Architecture.CwRnn, InputSize = 2, OutputSize = 2, HiddenSize = 6, Modules = 3 });
        var generator = new Generator(3);
        using var h0 = Random(generator, ScalarType.Float64, 1, 6).requires_grad_();
        using var input = Random(generator, ScalarType.Float64, 9, 1, 2);

        // When the slowest module's final state is differentiated with respect to h0
        var (_, state) = model.forward(input, new ModelState([h0], 0));
        state.Tensors[0].narrow(1, 4, 2).sum().backward();

        // Then the faster modules' initial units get exactly zero, the slow module's own do not
        var grad = h0.grad!.data<double>().ToArray();
        Assert.All(grad[..4], g => Assert.Equal(0.0, g));
        Assert.All(grad[4..], g => Assert.NotEqual(0.0, g));
    }
}
