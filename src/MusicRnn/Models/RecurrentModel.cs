using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A frame model: a stack of recurrent layers (<c>rnn</c>, a <see cref="RecurrentStack"/>) and a
/// linear head (<c>head</c>) reading the top h_t, ŷ_t = W_y h_t + b_y; with a residual readout
/// (<see cref="ModelSpec.Readout"/>) ŷ_t = x_t + W_y h_t + b_y, and with the bypass also + A x_t
/// (<c>bypass</c>, no bias). All name their parameters as PyTorch does.
/// </summary>
/// <remarks>
/// The residual readouts start with W_y, b_y (and A) at zero, so the untrained model predicts the
/// frame it was given, the persistence baseline, and the first gradients already move it from there
/// (∂L/∂W_y = Σ (ŷ − y) h_tᵀ does not depend on W_y). The recurrent weights get no gradient through
/// a zero head on the very first update; the head is non-zero after it.
/// </remarks>
internal sealed class RecurrentModel : FrameModel
{
    private readonly nn.Module rnn;
    private readonly Linear head;
    private readonly Linear? bypass;
    private readonly RecurrentStack stack;

    /// <param name="spec">The validated spec.</param>
    /// <param name="stack">The recurrent layers; their module is registered here as <c>rnn</c>.</param>
    /// <param name="kernel">The kernel the stack implements.</param>
    public RecurrentModel(ModelSpec spec, RecurrentStack stack, Kernel kernel) : base(spec.Arch.ToString(), spec, kernel)
    {
        this.stack = stack;
        rnn = stack.Module;
        head = nn.Linear(spec.HiddenSize, spec.OutputSize);
        if (spec.Readout == Readout.Bypass) bypass = nn.Linear(spec.InputSize, spec.OutputSize, hasBias: false);
        if (spec.Readout != Readout.Plain)
        {
            using var grad = no_grad();
            head.weight!.zero_();
            head.bias!.zero_();
            bypass?.weight!.zero_();
        }
        RegisterComponents();
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) => stack.InitialState(batch, device, dtype);

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        var (hidden, next) = stack.Run(input, state ?? InitialState(input.shape[1], input.device, input.dtype));
        // [T, B, H] → [T, B, O]
        var output = head.forward(hidden);
        if (Spec.Readout == Readout.Plain) return (output, next);
        using var one = 1.ToScalar();
        output = output.add(input, one);
        return (bypass is null ? output : output.add(bypass.forward(input), one), next);
    }
}
