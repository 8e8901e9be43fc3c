using MusicRnn.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

/// <summary>Small helpers the model tests share: setting weights by name, running scalar nets.</summary>
internal static class ModelTestKit
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Builds <paramref name="spec"/> in float64 on <paramref name="kernel"/>.</summary>
    public static FrameModel Build(ModelSpec spec, Kernel kernel = Kernel.Fastest)
    {
        var model = ModelFactory.Create(spec, kernel);
        model.to(ScalarType.Float64);
        return model;
    }

    public static Parameter Param(FrameModel model, string name) =>
        model.named_parameters().Single(p => p.name == name).parameter;

    /// <summary>Overwrites the parameter <paramref name="name"/> with <paramref name="values"/> (row-major).</summary>
    public static void Set(FrameModel model, string name, params double[] values)
    {
        var p = Param(model, name);
        using var _ = no_grad();
        using var source = tensor(values, dtype: p.dtype).reshape(p.shape);
        p.copy_(source);
    }

    /// <summary>Runs a batch-1 window and returns the outputs [T][O] as plain numbers.</summary>
    public static double[][] Run(FrameModel model, double[][] frames)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(frames.SelectMany(f => f).ToArray(), ScalarType.Float64).reshape(frames.Length, 1, frames[0].Length);
        var (output, _) = model.forward(input, null);
        var flat = output.data<double>().ToArray();
        var o = (int)output.shape[2];
        return Enumerable.Range(0, frames.Length).Select(t => flat.AsSpan(t * o, o).ToArray()).ToArray();
    }

    /// <summary>A seeded uniform [-1, 1) tensor.</summary>
    public static Tensor Random(Generator generator, ScalarType dtype, params long[] shape) =>
        rand(shape, dtype: dtype, generator: generator) * 2 - 1;

    /// <summary>
    /// The same float64 weights twice, on <paramref name="cell"/>(Window)'s window function and on
    /// <paramref name="cell"/>(Reference)'s autograd loop over steps, with a seeded random input
    /// [steps, batch, I], start state, and loss weights [steps, batch, O] for
    /// <see cref="AssertSameWindowAndGradients"/>.
    /// </summary>
    public static (FrameModel Function, FrameModel Loop, Tensor Input, Tensor[] Start, Tensor Weigh) WindowAndLoop(
        ModelSpec spec, Func<Kernel, RecurrentCell> cell, long steps, long batch, ulong seed)
    {
        var function = new RecurrentModel(spec, new RecurrentStack(spec, new RecurrentLayers(spec, cell(Kernel.Window)), null), Kernel.Window);
        var loop = new RecurrentModel(spec, new RecurrentStack(spec, new RecurrentLayers(spec, cell(Kernel.Reference)), null), Kernel.Reference);
        function.to(ScalarType.Float64);
        loop.to(ScalarType.Float64);
        loop.load_state_dict(function.state_dict());
        var generator = new Generator(seed);
        var input = Random(generator, ScalarType.Float64, steps, batch, spec.InputSize);
        var start = function.InitialState(batch, CPU, ScalarType.Float64).Tensors.Select(t => Random(generator, ScalarType.Float64, t.shape)).ToArray();
        var weigh = Random(generator, ScalarType.Float64, steps, batch, spec.OutputSize);
        return (function, loop, input, start, weigh);
    }

    /// <summary>
    /// Runs a window function and its autograd loop from the same input and start state, back-propagates
    /// the same loss (the outputs weighted by <paramref name="weigh"/>, plus every final state's squares
    /// when <paramref name="lossOnFinalState"/>), and asserts that outputs, final states and the gradients
    /// of every parameter, the input and the start state agree to 1e-12 (float64).
    /// </summary>
    public static void AssertSameWindowAndGradients(FrameModel function, FrameModel loop, Tensor input, Tensor[] start,
        Tensor weigh, long clock, bool lossOnFinalState = true)
    {
        (Tensor Output, Tensor[] State, Tensor[] Grads) Run(FrameModel model)
        {
            var x = input.detach().clone().requires_grad_();
            var h = start.Select(s => s.detach().clone().requires_grad_()).ToArray();
            var (output, state) = model.forward(x, new ModelState(h, clock));
            var loss = (output * weigh).sum();
            if (lossOnFinalState) loss = state.Tensors.Aggregate(loss, (sum, s) => sum + s.square().sum());
            loss.backward();
            var grads = model.parameters().Select(p => p.grad!).Append(x.grad!).Concat(h.Select(s => s.grad!)).ToArray();
            return (output, [.. state.Tensors], grads);
        }
        var a = Run(function);
        var b = Run(loop);

        Assert.True(a.Output.allclose(b.Output, rtol: 0, atol: 1e-12));
        for (var i = 0; i < a.State.Length; i++) Assert.True(a.State[i].allclose(b.State[i], rtol: 0, atol: 1e-12), $"state {i}");
        for (var i = 0; i < a.Grads.Length; i++)
            Assert.True(a.Grads[i].allclose(b.Grads[i], rtol: 0, atol: 1e-12), $"gradient {i}: max difference {(a.Grads[i] - b.Grads[i]).abs().max().item<double>():E2}");
    }
}
