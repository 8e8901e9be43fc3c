using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class ElmanWindowFunctionTests
{
    [Theory]
    [InlineData("rnn-sigmoid")]
    [InlineData("rnn-tanh")]
    [InlineData("cw-rnn")]
    [InlineData("cw-rnn-idle-steps")]
    public void Should_match_the_autograd_loop_to_float64_rounding(string name)
    {
        // Given a 2-layer layer stack on the hand-written window function and the same weights
        // on the autograd loop (the CW-RNN starting mid-cycle, once with periods that leave
        // whole steps idle)
        manual_seed(6);
        var spec = new ModelSpec { InputSize = 3, OutputSize = 2, HiddenSize = 6, Layers = 2, Modules = 3 };
        (spec, Func<Kernel, RecurrentCell> cell) = name switch
        {
            "rnn-sigmoid" => (spec with { Arch = Architecture.Rnn, Activation = Activation.Sigmoid }, w => new RnnCell(Activation.Sigmoid, w)),
            "rnn-tanh" => (spec with { Arch = Architecture.Rnn }, w => new RnnCell(Activation.Tanh, w)),
            "cw-rnn" => (spec with { Arch = Architecture.CwRnn }, w => new ClockworkCell(Activation.Tanh, [1, 2, 4], w)),
            _ => (spec with { Arch = Architecture.CwRnn, Periods = [2, 3, 5] }, (Func<Kernel, RecurrentCell>)(w => new ClockworkCell(Activation.Tanh, [2, 3, 5], w))),
        };
        var (function, loop, input, start, weigh) = WindowAndLoop(spec, cell, 9, 4, 12);

        // When both run and back-propagate a loss on outputs and final states
        // Then outputs, states, and the gradients of every parameter, the input and the initial state agree
        AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: 1);
    }
}
