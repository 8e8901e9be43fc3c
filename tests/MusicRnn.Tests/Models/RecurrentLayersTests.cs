using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class RecurrentLayersTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Should_start_the_summed_forget_gate_bias_at_plus_one(bool peepholes)
    {
        // Given a freshly built 2-layer LSTM with 5 units (fused when plain)
        manual_seed(3);
        var model = ModelFactory.Create(new ModelSpec { Arch = Architecture.Lstm, InputSize = 3, OutputSize = 3, HiddenSize = 5, Layers = 2, Peepholes = peepholes });

        for (var k = 0; k < 2; k++)
        {
            // When the two bias vectors are summed gate by gate (blocks i, f, g, o of 5)
            var bias = Param(model, $"rnn.bias_ih_l{k}").data<float>().ToArray()
                .Zip(Param(model, $"rnn.bias_hh_l{k}").data<float>().ToArray(), (a, b) => a + b).ToArray();

            // Then the forget block totals exactly +1, and the other gates are small random values
            Assert.All(bias[5..10], b => Assert.Equal(1f, b));
            Assert.All(bias[..5].Concat(bias[10..]), b => Assert.InRange(Math.Abs(b), 0, 2 / Math.Sqrt(5)));
            Assert.True(bias[..5].Distinct().Count() > 1);
        }
    }

    [Fact]
    public void Should_draw_weights_within_one_over_root_hidden_and_peepholes_within_a_tenth()
    {
        // Given a freshly built peephole GRU and LSTM of 16 units
        manual_seed(8);
        var gru = ModelFactory.Create(new ModelSpec { Arch = Architecture.Gru, InputSize = 4, OutputSize = 4, HiddenSize = 16 });
        var lstm = ModelFactory.Create(new ModelSpec { Arch = Architecture.Lstm, InputSize = 4, OutputSize = 4, HiddenSize = 16 });

        // When their recurrent parameters are read
        var weights = gru.named_parameters().Concat(lstm.named_parameters()).Where(p => p.name.StartsWith("rnn.", StringComparison.Ordinal));

        // Then matrices and biases lie within ±1/√16 = ±0.25, peepholes within ±0.1 (Gers et al.)
        foreach (var (name, p) in weights)
        {
            var bound = name.Contains("peephole", StringComparison.Ordinal) ? 0.1 : 0.25;
            Assert.True(p.abs().max().item<float>() <= bound || name.StartsWith("rnn.bias_ih", StringComparison.Ordinal), name);
        }
    }

    [Fact]
    public void Should_start_the_clockwork_rnn_block_upper_triangular_with_gaussian_weights()
    {
        // Given a freshly built CW-RNN of 4 modules of 16 units
        manual_seed(2);
        var model = ModelFactory.Create(new ModelSpec { Arch = Architecture.CwRnn, InputSize = 8, OutputSize = 8, HiddenSize = 64, Modules = 4 });

        // When weight_hh is read in [out, in] layout
        var u = Param(model, "rnn.weight_hh_l0").data<float>().ToArray();
        var allowed = Enumerable.Range(0, 64 * 64).Where(i => i % 64 / 16 >= i / 64 / 16).Select(i => (double)u[i]).ToArray();

        // Then entries where a slower module would hear a faster one are exactly 0, and the
        // rest have Koutník et al.'s standard deviation 0.1
        Assert.All(Enumerable.Range(0, 64 * 64).Where(i => i % 64 / 16 < i / 64 / 16), i => Assert.Equal(0f, u[i]));
        var std = Math.Sqrt(allowed.Sum(x => x * x) / allowed.Length);
        Assert.InRange(std, 0.09, 0.11);
    }

    [Theory]
    [InlineData(Architecture.Rnn, Kernel.Fastest)]
    [InlineData(Architecture.Rnn, Kernel.Reference)]
    [InlineData(Architecture.CwRnn, Kernel.Fastest)]
    public void Should_start_the_identity_init_from_the_identity_recurrence_and_zero_biases(Architecture arch, Kernel kernel)
    {
        // Given a freshly built identity-initialised 2-layer network of 32 units (4 CW-RNN modules)
        manual_seed(5);
        var spec = new ModelSpec { Arch = arch, InputSize = 64, OutputSize = 2, HiddenSize = 32, Layers = 2, Modules = 4, Init = RecurrentInit.Identity };
        var model = ModelFactory.Create(spec, kernel);

        for (var k = 0; k < 2; k++)
        {
            // When its recurrent parameters are read
            var u = Param(model, $"rnn.weight_hh_l{k}").data<float>().ToArray();
            var w = Param(model, $"rnn.weight_ih_l{k}").data<float>().Select(x => (double)x).ToArray();
            var biases = Param(model, $"rnn.bias_ih_l{k}").data<float>().ToArray().Concat(Param(model, $"rnn.bias_hh_l{k}").data<float>().ToArray());

            // Then U is exactly I, both biases are exactly 0, and W has the standard deviation 0.1
            Assert.All(Enumerable.Range(0, 32 * 32), i => Assert.Equal(i / 32 == i % 32 ? 1f : 0f, u[i]));
            Assert.All(biases, b => Assert.Equal(0f, b));
            Assert.InRange(Math.Sqrt(w.Sum(x => x * x) / w.Length), 0.09, 0.11);
        }
    }

    [Theory]
    [InlineData(Architecture.Lstm, true)]
    [InlineData(Architecture.Lstm, false)]
    [InlineData(Architecture.Gru, false)]
    public void Should_spread_the_chrono_memory_gate_biases_over_log_1_to_log_t_minus_1(Architecture arch, bool peepholes)
    {
        // Given a freshly built chrono-initialised 2-layer network of 200 units over T_max = 320 steps
        manual_seed(6);
        const int h = 200;
        var spec = new ModelSpec { Arch = arch, InputSize = 1, OutputSize = 1, HiddenSize = h, Layers = 2, Peepholes = peepholes, Init = RecurrentInit.Chrono, ChronoSteps = 320 };
        var model = ModelFactory.Create(spec);

        for (var k = 0; k < 2; k++)
        {
            // When the two bias vectors are summed gate by gate
            var bias = Param(model, $"rnn.bias_ih_l{k}").data<float>().ToArray()
                .Zip(Param(model, $"rnn.bias_hh_l{k}").data<float>().ToArray(), (a, b) => a + b).ToArray();
            var memory = bias[h..(2 * h)];

            // Then the memory gate's (LSTM f, GRU z) spans e^b are uniform on [1, 319] (200 draws: a mean
            // within 4 standard errors of 160, both ends reached), the LSTM's input gate is its
            // negative, and the other gates keep the default ±2/√H
            var spans = memory.Select(b => Math.Exp(b)).ToArray();
            Assert.All(spans, t => Assert.InRange(t, 1 - 1e-4, 319 * (1 + 1e-5)));
            Assert.InRange(spans.Average(), 160 - 4 * 6.5, 160 + 4 * 6.5);
            Assert.True(spans.Min() < 40 && spans.Max() > 280, $"{spans.Min()} … {spans.Max()}");
            var rest = arch == Architecture.Lstm ? bias[(2 * h)..] : bias[..h].Concat(bias[(2 * h)..]).ToArray();
            Assert.All(rest, b => Assert.InRange(Math.Abs(b), 0, 2 / Math.Sqrt(h)));
            if (arch == Architecture.Lstm) Assert.Equal(memory.Select(b => -b), bias[..h]);
        }
    }
}
