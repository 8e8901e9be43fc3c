using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>Elman's vanilla recurrent layer.</summary>
/// <remarks>
/// Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179–211.
/// <code>
/// h_t = φ(W x_t + b_W + U h_{t-1} + b_U),   φ = tanh or σ
/// </code>
/// With φ = tanh this is libtorch's <c>nn.RNN</c>; <see cref="Kernel.Fastest"/> runs it on this
/// cell's <see cref="ElmanWindowFunction"/> on the CPU (faster there than libtorch's kernel) and
/// on libtorch's fused module elsewhere. With φ = σ the window always runs as one
/// <see cref="ElmanWindowFunction"/>. The autograd loop here (<see cref="Kernel.Reference"/>) is
/// the reference both are proved against.
/// </remarks>
internal sealed class RnnCell : RecurrentCell
{
    private readonly Activation activation;

    /// <param name="activation">φ.</param>
    /// <param name="kernel"><see cref="Kernel.Reference"/> runs the autograd loop over steps;
    /// every other kernel the <see cref="ElmanWindowFunction"/> (hand-written backward).</param>
    public RnnCell(Activation activation, Kernel kernel = Kernel.Fastest) : base(kernel)
    {
        this.activation = activation;
    }

    public override int Gates => 1;

    public override (Tensor Output, Tensor[] State) Run(Tensor inputProjection, IReadOnlyList<Tensor> state, LayerWeights weights, long clock)
    {
        if (UsesWindowFunction)
        {
            var output = ElmanWindowFunction.Apply(new(inputProjection, state[0], weights.WeightHh, weights.BiasHh, activation, null, null));
            return (output, [output[-1]]);
        }
        using var scalars = new KernelScalars();
        var h = state[0];
        var steps = new Tensor[inputProjection.shape[0]];
        for (var t = 0; t < steps.Length; t++)
        {
            h = Phi(inputProjection[t].add(nn.functional.linear(h, weights.WeightHh, weights.BiasHh), scalars.One), activation);
            steps[t] = h;
        }
        return (stack(steps, 0), [h]);
    }
}
