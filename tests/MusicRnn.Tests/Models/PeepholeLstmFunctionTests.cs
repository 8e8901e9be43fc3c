using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class PeepholeLstmFunctionTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Should_match_the_autograd_loop_to_float64_rounding(bool lossUsesFinalCell, bool peepholes)
    {
        // Given a 2-layer LSTM (with or without peepholes) on the hand-written window function
        // and the same weights on the autograd loop over steps
        manual_seed(6);
        var spec = new ModelSpec { Arch = Architecture.Lstm, Peepholes = peepholes, InputSize = 3, OutputSize = 2, HiddenSize = 5, Layers = 2 };
        var (function, loop, input, start, weigh) = WindowAndLoop(spec, w => new LstmCell(w), 9, 4, 12);

        // When both run and back-propagate a loss on the outputs (and, in one case, on every final state)
        // Then outputs, states, and the gradients of every parameter, the input and the initial state agree
        AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: 0, lossOnFinalState: lossUsesFinalCell);
    }
}
