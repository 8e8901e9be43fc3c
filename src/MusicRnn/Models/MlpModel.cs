using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A multi-layer perceptron on one frame (the essay's §2.2): <c>spec.Layers</c> hidden
/// layers h = φ(W h_below + b) of <c>spec.HiddenSize</c> units, then a linear head. No memory.
/// </summary>
internal sealed class MlpModel : FrameModel
{
    private readonly ModuleList<Linear> ff;
    private readonly Linear head;

    public MlpModel(ModelSpec spec, Kernel kernel = Kernel.Fastest) : base("mlp", spec, kernel)
    {
        // libtorch's Linear default initialisation throughout.
        ff = nn.ModuleList(Enumerable.Range(0, spec.Layers)
            .Select(k => nn.Linear(k == 0 ? spec.InputSize : spec.HiddenSize, spec.HiddenSize))
            .ToArray());
        head = nn.Linear(spec.HiddenSize, spec.OutputSize);
        RegisterComponents();
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) => new([], 0);

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        var h = input;
        foreach (var layer in ff)
        {
            var a = layer.forward(h);
            h = Spec.Activation == Activation.Tanh ? a.tanh() : a.sigmoid();
        }
        // [T, B, H] → [T, B, O]
        return (head.forward(h), new ModelState([], (state?.Clock ?? 0) + input.shape[0]));
    }
}
