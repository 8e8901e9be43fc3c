using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MusicRnn.Models;

namespace MusicRnn.Generation.Steps;

/// <summary>One step of the LSTM with forget gate and optional peepholes (<see cref="LstmCell"/>).</summary>
/// <remarks>
/// Hochreiter &amp; Schmidhuber (1997); Gers, Schmidhuber &amp; Cummins (2000); peepholes: Gers,
/// Schraudolph &amp; Schmidhuber (2002). Gate blocks (i, f, g, o) as PyTorch stacks them.
/// <code>
/// i = σ(W_i x + U_i h + p_i ⊙ c + b_i),   f = σ(W_f x + U_f h + p_f ⊙ c + b_f)
/// g = tanh(W_g x + U_g h + b_g),          c' = f ⊙ c + i ⊙ g
/// o = σ(W_o x + U_o h + p_o ⊙ c' + b_o),  h' = o ⊙ tanh(c')
/// </code>
/// State: h then c.
/// </remarks>
internal sealed class LstmStep(LayerCopy weights) : CellStep(weights, 4)
{
    private float[] squashed = [];

    public override int StateSize => 2;

    public override void Step(ReadOnlySpan<float> x, float[][] state, long clock, int batch)
    {
        int width = 4 * Hidden;
        var (hs, cs) = (state[0], state[1]);
        var wx = Project(x, batch);
        var uh = Recur(hs.AsSpan(0, batch * Hidden), batch);
        TensorPrimitives.Add(wx, uh, wx);
        var tanhC = Scratch(ref squashed, Hidden);
        for (int b = 0; b < batch; b++)
        {
            var a = wx.Slice(b * width, width);
            var i = a[..Hidden];
            var f = a.Slice(Hidden, Hidden);
            var g = a.Slice(2 * Hidden, Hidden);
            var o = a.Slice(3 * Hidden, Hidden);
            var c = cs.AsSpan(b * Hidden, Hidden);
            if (Weights.Peepholes is var (pi, pf, _))
            {
                TensorPrimitives.MultiplyAdd(pi, c, i, i);
                TensorPrimitives.MultiplyAdd(pf, c, f, f);
            }
            TensorPrimitives.Sigmoid(i, i);
            TensorPrimitives.Sigmoid(f, f);
            TensorPrimitives.Tanh(g, g);
            TensorPrimitives.Multiply(f, c, c);
            TensorPrimitives.MultiplyAdd(i, g, c, c);
            if (Weights.Peepholes is var (_, _, po)) TensorPrimitives.MultiplyAdd(po, c, o, o);
            TensorPrimitives.Sigmoid(o, o);
            TensorPrimitives.Tanh(c, tanhC);
            TensorPrimitives.Multiply(o, tanhC, hs.AsSpan(b * Hidden, Hidden));
        }
    }
}
