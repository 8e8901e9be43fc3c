using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// Logistic regression on one frame (the essay's §2.1): ŷ_t = σ(W x_t + b). It predicts
/// in (0, 1), so it belongs with <c>minmax</c> features. No memory: the state is empty.
/// </summary>
internal sealed class LogisticRegressionModel : FrameModel
{
    private readonly Linear head;

    public LogisticRegressionModel(ModelSpec spec, Kernel kernel = Kernel.Fastest) : base("logreg", spec, kernel)
    {
        // libtorch's Linear default initialisation, uniform ±1/√I.
        head = nn.Linear(spec.InputSize, spec.OutputSize);
        RegisterComponents();
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) => new([], 0);

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state) =>
        // Linear acts on the last dimension: [T, B, I] → [T, B, O].
        (head.forward(input).sigmoid(), new ModelState([], (state?.Clock ?? 0) + input.shape[0]));
}
