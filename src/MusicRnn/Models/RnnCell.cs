using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>Elman's vanilla recurrent layer.</summary>
/// <remarks>
/// Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179–211.
/// <code>
/// h_t = φ(W x_t + b_W + U h_{t-1} + b_U),   φ = tanh or σ
/// </code>
/// With φ = tanh this is libtorch's <c>nn.RNN</c>, which <see cref="ModelFactory"/> runs
/// fused; otherwise the window runs as one <see cref="ElmanWindowFunction"/>. The autograd
/// loop here is the reference both are proved against.
/// </remarks>
internal sealed class RnnCell : RecurrentCell
{
    private readonly Activation activation;
    private readonly bool windowFunction;

    /// <param name="activation">φ.</param>
    /// <param name="windowFunction">Run the window as one <see cref="ElmanWindowFunction"/>
    /// (hand-written backward) instead of an autograd loop over steps.</param>
    public RnnCell(Activation activation, bool windowFunction = true)
    {
        this.activation = activation;
        this.windowFunction = windowFunction;
    }

    public override int Gates => 1;

    public override (Tensor Output, Tensor[] State) Run(Tensor inputProjection, IReadOnlyList<Tensor> state, LayerWeights weights, long clock)
    {
        if (windowFunction)
        {
            var output = ElmanWindowFunction.Run(inputProjection, state[0], weights.WeightHh, weights.BiasHh, activation, null, null);
            return (output, [output[-1]]);
        }
        var h = state[0];
        var steps = new Tensor[inputProjection.shape[0]];
        for (var t = 0; t < steps.Length; t++)
        {
            h = Phi(inputProjection[t] + nn.functional.linear(h, weights.WeightHh, weights.BiasHh), activation);
            steps[t] = h;
        }
        return (stack(steps, 0), [h]);
    }
}
