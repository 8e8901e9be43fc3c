using MusicRnn.Models;
using MusicRnn.Performance;

namespace MusicRnn.Tests.Performance;

public sealed class FlopCountTests
{
    [Fact]
    public void Should_count_gates_times_hidden_times_input_plus_hidden_plus_head_and_elementwise_per_step()
    {
        // Given a 1-layer LSTM with peepholes, I = 3, H = 5, O = 2
        var spec = new ModelSpec { Arch = Architecture.Lstm, InputSize = 3, HiddenSize = 5, OutputSize = 2, Peepholes = true };

        // When its forward multiply-adds are counted for 7 steps of 4 sequences
        var macs = FlopCount.ForwardMacs(spec, 7, 4);

        // Then each step of each sequence costs 4·5·(3 + 5) + 2·5 + 16·5 by hand
        Assert.Equal(7 * 4 * ((4 * 5 * 8) + 10 + 80), macs);
        Assert.Equal(2 * 3 * macs, FlopCount.ForwardBackwardFlops(spec, 7, 4));
    }

    [Fact]
    public void Should_count_only_the_clockwork_modules_that_tick()
    {
        // Given a CW-RNN of 2 modules of 2 units with periods 1 and 2, I = 3, O = 1
        var spec = new ModelSpec { Arch = Architecture.CwRnn, InputSize = 3, HiddenSize = 4, OutputSize = 1, Modules = 2 };

        // When 4 steps are counted from clock 1 (module 1 ticks at steps 1 and 3)
        var macs = FlopCount.ForwardMacs(spec, 4, 1, clock: 1);

        // Then the active units are 2+4+2+4 = 12, each costing I + H, plus elementwise and head
        Assert.Equal((12 * (3 + 4)) + (4 * 2 * 4) + (4 * 1 * 4), macs);
    }

    [Fact]
    public void Should_give_a_16_module_clockwork_rnn_about_an_eighth_of_the_vanilla_rnn_matmul_work()
    {
        // Given a vanilla RNN and a 16-module CW-RNN of equal size, without head
        var rnn = new ModelSpec { Arch = Architecture.Rnn, InputSize = 1024, HiddenSize = 1024, OutputSize = 1 };
        var cw = rnn with { Arch = Architecture.CwRnn, Modules = 16 };

        // When a 100-step window is counted
        var ratio = FlopCount.ForwardMacs(cw, 100, 1) / FlopCount.ForwardMacs(rnn, 100, 1);

        // Then the CW-RNN's share is near Σ 2^-i / 16 ≈ 1/8 (with the elementwise work on top)
        Assert.InRange(ratio, 0.1, 0.16);
    }
}
