using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A frame model: a stack of recurrent layers (<c>rnn</c>, a <see cref="RecurrentStack"/>) and a
/// linear head (<c>head</c>) mapping the top h_t to the predicted frame: ŷ_t = W_y h_t + b_y.
/// Both name their parameters as PyTorch does.
/// </summary>
internal sealed class RecurrentModel : FrameModel
{
    private readonly nn.Module rnn;
    private readonly Linear head;
    private readonly RecurrentStack stack;

    /// <param name="spec">The validated spec.</param>
    /// <param name="stack">The recurrent layers; their module is registered here as <c>rnn</c>.</param>
    /// <param name="kernel">The kernel the stack implements.</param>
    public RecurrentModel(ModelSpec spec, RecurrentStack stack, Kernel kernel) : base(spec.Arch.ToString(), spec, kernel)
    {
        this.stack = stack;
        rnn = stack.Module;
        head = nn.Linear(spec.HiddenSize, spec.OutputSize);
        RegisterComponents();
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) => stack.InitialState(batch, device, dtype);

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        var (hidden, next) = stack.Run(input, state ?? InitialState(input.shape[1], input.device, input.dtype));
        // [T, B, H] → [T, B, O]
        return (head.forward(hidden), next);
    }
}
