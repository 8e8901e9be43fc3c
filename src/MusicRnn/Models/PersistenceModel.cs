using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// The persistence baseline ŷ_t = x_t: "the next frame is this one". No parameters. A
/// model whose error does not beat it has learned nothing.
/// </summary>
internal sealed class PersistenceModel : FrameModel
{
    public PersistenceModel(ModelSpec spec, Kernel kernel = Kernel.Fastest) : base("persistence", spec, kernel)
    {
        if (spec.OutputSize != spec.InputSize)
            throw InputException.ForOption("output size", $"the persistence baseline predicts its input, so it needs as many output as input features ({spec.InputSize}), got {spec.OutputSize}");
        RegisterComponents();
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) => new([], 0);

    // An alias, not the input itself: the caller may dispose the output without losing its input.
    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state) =>
        (input.alias(), new ModelState([], (state?.Clock ?? 0) + input.shape[0]));
}
