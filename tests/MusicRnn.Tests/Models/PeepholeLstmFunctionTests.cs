using MusicRnn.Models;
using TorchSharp;
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
        FrameModel Model(bool windowFunction) => new RecurrentModel(spec, new RecurrentLayers(spec, new LstmCell(windowFunction)));
        var function = Model(true);
        var loop = Model(false);
        function.to(ScalarType.Float64);
        loop.to(ScalarType.Float64);
        loop.load_state_dict(function.state_dict());
        var generator = new Generator(12);
        var input = Random(generator, ScalarType.Float64, 9, 4, 3);
        var start = function.InitialState(4, CPU, ScalarType.Float64).Tensors.Select(t => Random(generator, ScalarType.Float64, t.shape)).ToArray();
        var weigh = Random(generator, ScalarType.Float64, 9, 4, 2);

        // When both run and back-propagate a loss on the outputs (and, in one case, on every final state)
        // Then outputs, states, and the gradients of every parameter, the input and the initial state agree
        AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: 0, lossOnFinalState: lossUsesFinalCell);
    }
}
