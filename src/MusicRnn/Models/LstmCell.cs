using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>LSTM layer with forget gate and (optional) diagonal peepholes.</summary>
/// <remarks>
/// Hochreiter &amp; Schmidhuber (1997), Long short-term memory; forget gate: Gers, Schmidhuber
/// &amp; Cummins (1999/2000), Learning to forget; peepholes: Gers, Schraudolph &amp;
/// Schmidhuber (2002), Learning precise timing with LSTM recurrent networks, JMLR 3.
/// <code>
/// i_t = σ(W_i x_t + U_i h_{t-1} + p_i ⊙ c_{t-1} + b_i)
/// f_t = σ(W_f x_t + U_f h_{t-1} + p_f ⊙ c_{t-1} + b_f)
/// g_t = tanh(W_g x_t + U_g h_{t-1} + b_g)
/// c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
/// o_t = σ(W_o x_t + U_o h_{t-1} + p_o ⊙ c_t + b_o)      (the output gate sees the NEW cell)
/// h_t = o_t ⊙ tanh(c_t)
/// </code>
/// Gate blocks are stacked (i, f, g, o) as in PyTorch. Without peepholes the equations are
/// libtorch's <c>nn.LSTM</c>, which <see cref="Kernel.Fastest"/> runs fused on every device (its
/// kernel is as fast as the peephole-free <see cref="PeepholeLstmFunction"/>, which
/// <see cref="Kernel.Window"/> runs instead); with peepholes the window runs as one
/// <see cref="PeepholeLstmFunction"/>. The autograd loop here (<see cref="Kernel.Reference"/>) is
/// the reference both are proved against.
/// </remarks>
internal sealed class LstmCell : RecurrentCell
{
    /// <param name="kernel"><see cref="Kernel.Reference"/> runs the autograd loop over steps;
    /// every other kernel the <see cref="PeepholeLstmFunction"/> (hand-written backward).</param>
    public LstmCell(Kernel kernel = Kernel.Fastest) : base(kernel)
    {
    }

    public override int Gates => 4;

    public override int StateSize => 2;

    public override (Tensor Output, Tensor[] State) Run(Tensor inputProjection, IReadOnlyList<Tensor> state, LayerWeights weights, long clock)
    {
        if (UsesWindowFunction)
        {
            var (hs, cT) = PeepholeLstmFunction.Apply(new(inputProjection, state[0], state[1], weights.WeightHh, weights.BiasHh, weights.Peepholes));
            return (hs, [hs[-1], cT]);
        }
        using var scalars = new KernelScalars();
        var one = scalars.One;
        var (h, c) = (state[0], state[1]);
        var steps = new Tensor[inputProjection.shape[0]];
        for (var t = 0; t < steps.Length; t++)
        {
            // [B, 4H] → four [B, H] pre-activations in PyTorch's gate order.
            var a = inputProjection[t].add(nn.functional.linear(h, weights.WeightHh, weights.BiasHh), one).chunk(4, -1);
            var (ai, af, ag, ao) = (a[0], a[1], a[2], a[3]);
            if (weights.Peepholes is var (pi, pf, _))
            {
                ai = ai.add(pi.mul(c), one);
                af = af.add(pf.mul(c), one);
            }
            var i = ai.sigmoid();
            var f = af.sigmoid();
            var g = ag.tanh();
            c = f.mul(c).add(i.mul(g), one);
            if (weights.Peepholes is var (_, _, po)) ao = ao.add(po.mul(c), one);
            var o = ao.sigmoid();
            h = o.mul(c.tanh());
            steps[t] = h;
        }
        return (stack(steps, 0), [h, c]);
    }
}
