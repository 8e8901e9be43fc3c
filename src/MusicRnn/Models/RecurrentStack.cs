using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A stack of recurrent layers and how to run it (docs/ARCHITECTURE.md, "Models"): the module that
/// holds its parameters — libtorch's fused LSTM/GRU/RNN where its equations are ours, else
/// <see cref="RecurrentLayers"/> — and, for a fused module on the CPU, the faster cell that runs
/// on its parameters. A model registers <see cref="Module"/> under the name its parameters should
/// carry (<c>rnn</c> in a frame model, <c>frame_rnn</c> in a sample-level one) and calls
/// <see cref="Run"/>; this object itself is no module, so it adds nothing to the names.
/// </summary>
/// <remarks>State layout: per layer, bottom first, h (GRU, RNN, CW-RNN) or h then c (LSTM), each [B, H].</remarks>
internal sealed class RecurrentStack
{
    private readonly RecurrentCell? cpuCell;

    /// <param name="spec">Architecture, input and hidden sizes and depth of the stack.</param>
    /// <param name="module">A <see cref="RecurrentLayers"/> or a fused libtorch LSTM/GRU/RNN with <c>spec.Layers</c> layers.</param>
    /// <param name="cpuCell">For a fused <paramref name="module"/>: a cell computing the same
    /// equations that is faster than libtorch's kernel on the CPU, run there on the fused
    /// module's own parameters; null to run libtorch's kernel everywhere.</param>
    public RecurrentStack(ModelSpec spec, nn.Module module, RecurrentCell? cpuCell)
    {
        Spec = spec;
        Module = module;
        this.cpuCell = cpuCell;
    }

    /// <summary>The stack's architecture and sizes.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The module holding the stack's parameters under PyTorch's flat names (weight_ih_l0, …).</summary>
    public nn.Module Module { get; }

    /// <summary>State tensors per layer: h and c for the LSTM, h for the others.</summary>
    public int StateSize => Architectures.Of(Spec.Arch).StateTensors;

    /// <summary>The zero state for <paramref name="batch"/> streams.</summary>
    public ModelState InitialState(long batch, Device device, ScalarType dtype) =>
        new(Enumerable.Range(0, Spec.Layers * StateSize)
            .Select(_ => zeros(batch, Spec.HiddenSize, dtype: dtype, device: device))
            .ToArray(), 0);

    /// <summary>Runs the stack over a window: the top layer's h_t [T, B, H] and the state after it.</summary>
    /// <param name="input">The window's inputs, [T, B, I].</param>
    /// <param name="state">The stack's state at the window's start (its clock counts the stack's steps).</param>
    /// <param name="singleSteps">The caller steps one frame at a time without gradients (a sampler):
    /// libtorch's fused kernel then beats the window function, whose setup is paid per call.</param>
    public (Tensor Hidden, ModelState State) Run(Tensor input, ModelState state, bool singleSteps = false) => Module switch
    {
        RecurrentLayers layers => layers.forward(input, state),
        // On the CPU the window function beats libtorch's kernel for these (measured by
        // musicrnn perf); the fused module keeps the names and runs on CUDA.
        _ when cpuCell is not null && input.device.type == DeviceType.CPU && !singleSteps =>
            RecurrentLayers.RunStack(Module, cpuCell, Spec.Layers, false, input, state),
        LSTM lstm => Fused(lstm, input, state),
        GRU gru => Fused(input, state, gru.forward),
        RNN simple => Fused(input, state, simple.forward),
        _ => throw new InvalidOperationException($"unknown recurrent module {Module.GetType().Name}"),
    };

    // libtorch wants the state stacked by layer, [L, B, H]; ModelState keeps it per layer.
    private static (Tensor, ModelState) Fused(LSTM lstm, Tensor input, ModelState state)
    {
        var h0 = stack(state.Tensors.Where((_, i) => i % 2 == 0), 0);
        var c0 = stack(state.Tensors.Where((_, i) => i % 2 == 1), 0);
        var (output, hn, cn) = lstm.forward(input, (h0, c0));
        var h = hn.unbind(0);
        var c = cn.unbind(0);
        var next = h.Zip(c).SelectMany(hc => new[] { hc.First, hc.Second }).ToArray();
        return (output, new ModelState(next, state.Clock + input.shape[0]));
    }

    private static (Tensor, ModelState) Fused(Tensor input, ModelState state, Func<Tensor, Tensor, (Tensor, Tensor)> module)
    {
        var (output, hn) = module(input, stack(state.Tensors, 0));
        return (output, new ModelState(hn.unbind(0), state.Clock + input.shape[0]));
    }
}
