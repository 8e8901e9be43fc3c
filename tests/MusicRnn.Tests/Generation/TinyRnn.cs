using MusicRnn.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Generation;

/// <summary>
/// A small Elman network written step by step, so the generation tests do not depend on the
/// model library: h_t = tanh(W x_t + U h_{t-1} + b), ŷ_t = V h_t + c. Seeded weights.
/// </summary>
internal sealed class TinyRnn : FrameModel
{
    private readonly Linear input;
    private readonly Linear recurrent;
    private readonly Linear head;

    public TinyRnn(int features, int hidden = 16, long seed = 1)
        : base(nameof(TinyRnn), new ModelSpec { Arch = Architecture.Rnn, InputSize = features, OutputSize = features, HiddenSize = hidden })
    {
        random.manual_seed(seed);
        input = nn.Linear(features, hidden);
        recurrent = nn.Linear(hidden, hidden, hasBias: false);
        head = nn.Linear(hidden, features);
        RegisterComponents();
    }

    public override (Tensor Output, ModelState State) forward(Tensor x, ModelState? state)
    {
        var h = state?.Tensors[0] ?? zeros(x.shape[1], Spec.HiddenSize, dtype: x.dtype, device: x.device);
        var outputs = new Tensor[x.shape[0]];
        for (var t = 0; t < x.shape[0]; t++)
        {
            h = tanh(input.forward(x[t]) + recurrent.forward(h));
            outputs[t] = head.forward(h);
        }
        return (stack(outputs, dim: 0), new ModelState([h], (state?.Clock ?? 0) + x.shape[0]));
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) =>
        new([zeros(batch, Spec.HiddenSize, dtype: dtype, device: device)], 0);
}
