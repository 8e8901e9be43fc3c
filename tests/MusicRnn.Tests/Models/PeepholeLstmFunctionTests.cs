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
        (Tensor Output, Tensor[] State, Tensor[] Grads) Run(FrameModel model)
        {
            var x = input.detach().clone().requires_grad_();
            var h = start.Select(s => s.detach().clone().requires_grad_()).ToArray();
            var (output, state) = model.forward(x, new ModelState(h, 0));
            var loss = (output * weigh).sum();
            if (lossUsesFinalCell) loss = state.Tensors.Aggregate(loss, (sum, s) => sum + s.square().sum());
            loss.backward();
            var grads = model.parameters().Select(p => p.grad!).Append(x.grad!).Concat(h.Select(s => s.grad!)).ToArray();
            return (output, [.. state.Tensors], grads);
        }
        var a = Run(function);
        var b = Run(loop);

        // Then outputs, states, and the gradients of every parameter, the input and the initial state agree
        Assert.True(a.Output.allclose(b.Output, rtol: 0, atol: 1e-12));
        for (var i = 0; i < a.State.Length; i++) Assert.True(a.State[i].allclose(b.State[i], rtol: 0, atol: 1e-12), $"state {i}");
        for (var i = 0; i < a.Grads.Length; i++)
            Assert.True(a.Grads[i].allclose(b.Grads[i], rtol: 0, atol: 1e-12), $"gradient {i}: max difference {(a.Grads[i] - b.Grads[i]).abs().max().item<double>():E2}");
    }
}
