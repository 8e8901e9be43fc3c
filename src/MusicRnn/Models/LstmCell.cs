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
/// libtorch's <c>nn.LSTM</c>, which <see cref="ModelFactory"/> runs fused (or, on the CPU, as
/// the peephole-free <see cref="PeepholeLstmFunction"/> where that is faster); with them the
/// window runs as one <see cref="PeepholeLstmFunction"/>. The autograd loop here is the reference
/// both are proved against.
/// </remarks>
internal sealed class LstmCell : RecurrentCell
{
    private readonly bool windowFunction;

    /// <param name="windowFunction">Run the window as one <see cref="PeepholeLstmFunction"/>
    /// (hand-written backward) instead of an autograd loop over steps.</param>
    public LstmCell(bool windowFunction = true)
    {
        this.windowFunction = windowFunction;
    }

    public override int Gates => 4;

    public override int StateSize => 2;

    public override (Tensor Output, Tensor[] State) Run(Tensor inputProjection, IReadOnlyList<Tensor> state, LayerWeights weights, long clock)
    {
        if (windowFunction)
        {
            var outputs = weights.Peepholes is var (pi0, pf0, po0)
                ? PeepholeLstmFunction.apply(inputProjection, state[0], state[1], weights.WeightHh, weights.BiasHh, pi0, pf0, po0)
                : PeepholeLstmFunction.Plain(inputProjection, state[0], state[1], weights.WeightHh, weights.BiasHh);
            return (outputs[0], [outputs[0][-1], outputs[1]]);
        }
        var (h, c) = (state[0], state[1]);
        var steps = new Tensor[inputProjection.shape[0]];
        for (var t = 0; t < steps.Length; t++)
        {
            // [B, 4H] → four [B, H] pre-activations in PyTorch's gate order.
            var a = (inputProjection[t] + nn.functional.linear(h, weights.WeightHh, weights.BiasHh)).chunk(4, -1);
            var (ai, af, ag, ao) = (a[0], a[1], a[2], a[3]);
            if (weights.Peepholes is var (pi, pf, _))
            {
                ai = ai + pi * c;
                af = af + pf * c;
            }
            var i = ai.sigmoid();
            var f = af.sigmoid();
            var g = ag.tanh();
            c = f * c + i * g;
            if (weights.Peepholes is var (_, _, po)) ao = ao + po * c;
            var o = ao.sigmoid();
            h = o * c.tanh();
            steps[t] = h;
        }
        return (stack(steps, 0), [h, c]);
    }
}
