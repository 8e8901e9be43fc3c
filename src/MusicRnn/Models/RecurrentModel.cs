using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A frame model: a stack of recurrent layers (<c>rnn</c>, a <see cref="RecurrentStack"/>) and a
/// linear head (<c>head</c>) reading the top h_t, ŷ_t = W_y h_t + b_y; with the residual readout
/// (<see cref="ModelSpec.Readout"/>) ŷ_t = x_t + W_y h_t + b_y, and with the scaled one
/// ŷ_t = s ⊙ x_t + W_y h_t + b_y (<c>skip</c>, s [O]). All name their parameters as PyTorch does.
/// </summary>
/// <remarks>
/// The residual readouts start with W_y and b_y at zero (and s at 1), so the untrained model
/// predicts the frame it was given, the persistence baseline, and the first gradients already move
/// it from there (∂L/∂W_y = Σ (ŷ − y) h_tᵀ does not depend on W_y). Through a zero head the
/// recurrent weights get no gradient on the very first update; the head is non-zero after it.
/// </remarks>
internal sealed class RecurrentModel : FrameModel
{
    private readonly nn.Module rnn;
    private readonly Linear head;
    private readonly Parameter? skip;
    private readonly RecurrentStack stack;

    /// <param name="spec">The validated spec.</param>
    /// <param name="stack">The recurrent layers; their module is registered here as <c>rnn</c>.</param>
    /// <param name="kernel">The kernel the stack implements.</param>
    public RecurrentModel(ModelSpec spec, RecurrentStack stack, Kernel kernel) : base(spec.Arch.ToString(), spec, kernel)
    {
        this.stack = stack;
        rnn = stack.Module;
        // Made (and drawn from the generator) as for the plain head, so the recurrent weights and
        // every later draw are the same whatever the readout.
        head = nn.Linear(spec.HiddenSize, spec.OutputSize);
        if (spec.Readout != Readout.Plain)
        {
            using var grad = no_grad();
            head.weight!.zero_();
            head.bias!.zero_();
        }
        if (spec.Readout == Readout.Scaled) skip = new Parameter(ones(spec.OutputSize));
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
        // [T, B, I] ⊙ [O] broadcasts over steps and streams (I = O).
        return (skip is null ? output.add(input, one) : output.addcmul(input, skip, one), next);
    }
}
