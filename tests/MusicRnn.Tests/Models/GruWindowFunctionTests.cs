using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class GruWindowFunctionTests
{
    [Theory]
    [InlineData(1, GruReset.Before)]
    [InlineData(9, GruReset.Before)]
    [InlineData(1, GruReset.After)]
    [InlineData(9, GruReset.After)]
    public void Should_match_the_autograd_loop_to_float64_rounding(int steps, GruReset reset)
    {
        // Given a 2-layer GRU (reset before or after) on the hand-written window function and
        // the same weights on the autograd loop
        manual_seed(6);
        var spec = new ModelSpec { Arch = Architecture.Gru, GruReset = reset, InputSize = 3, OutputSize = 2, HiddenSize = 5, Layers = 2 };
        Func<Kernel, RecurrentCell> cell = w => new GruCell(reset, w);
        var (function, loop, input, start, weigh) = WindowAndLoop(spec, cell, steps, 4, 12);

        // When both run and back-propagate a loss on outputs and final states
        // Then outputs, states, and the gradients of every parameter, the input and the initial state agree
        AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: 1);
    }
}
