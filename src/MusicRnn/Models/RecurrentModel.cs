using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A stack of recurrent layers (<c>rnn</c>) and a linear head (<c>head</c>) mapping the top
/// h_t to the predicted frame: ŷ_t = W_y h_t + b_y. The stack is either libtorch's fused
/// module (where its equations are ours: plain LSTM, GRU with reset after, tanh RNN) or
/// <see cref="RecurrentLayers"/>; both name their parameters as PyTorch does.
/// </summary>
/// <remarks>
/// State layout: per layer, bottom first, h (GRU, RNN, CW-RNN) or h then c (LSTM), each [B, H].
/// </remarks>
internal sealed class RecurrentModel : FrameModel
{
    private readonly nn.Module rnn;
    private readonly Linear head;
    private readonly RecurrentCell? cpuCell;

    /// <param name="spec">The validated spec.</param>
    /// <param name="rnn">A <see cref="RecurrentLayers"/> or a fused libtorch LSTM/GRU/RNN with <c>spec.Layers</c> layers.</param>
    /// <param name="kernel">The kernel <paramref name="rnn"/> and <paramref name="cpuCell"/> implement.</param>
    /// <param name="cpuCell">For a fused <paramref name="rnn"/>: a cell computing the same
    /// equations that is faster than libtorch's kernel on the CPU, run there on the fused
    /// module's own parameters; null to run libtorch's kernel everywhere.</param>
    public RecurrentModel(ModelSpec spec, nn.Module rnn, Kernel kernel, RecurrentCell? cpuCell = null) : base(spec.Arch.ToString(), spec, kernel)
    {
        this.rnn = rnn;
        this.cpuCell = cpuCell;
        head = nn.Linear(spec.HiddenSize, spec.OutputSize);
        RegisterComponents();
    }

    private int StateSize => Spec.Arch == Architecture.Lstm ? 2 : 1;

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) =>
        new(Enumerable.Range(0, Spec.Layers * StateSize)
            .Select(_ => zeros(batch, Spec.HiddenSize, dtype: dtype, device: device))
            .ToArray(), 0);

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        state ??= InitialState(input.shape[1], input.device, input.dtype);
        var (hidden, next) = rnn switch
        {
            RecurrentLayers layers => layers.forward(input, state),
            // On the CPU the window function beats libtorch's kernel for these (measured by
            // musicrnn perf); the fused module keeps the names and runs on CUDA.
            _ when cpuCell is not null && input.device.type == DeviceType.CPU =>
                RecurrentLayers.RunStack(rnn, cpuCell, Spec.Layers, false, input, state),
            LSTM lstm => Fused(lstm, input, state),
            GRU gru => Fused(input, state, gru.forward),
            RNN simple => Fused(input, state, simple.forward),
            _ => throw new InvalidOperationException($"unknown recurrent module {rnn.GetType().Name}"),
        };
        // [T, B, H] → [T, B, O]
        return (head.forward(hidden), next);
    }

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
