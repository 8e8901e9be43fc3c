using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MusicRnn.Models;

namespace MusicRnn.Generation.Steps;

/// <summary>One step of the gated recurrent unit (<see cref="GruCell"/>), reset before or after the product.</summary>
/// <remarks>
/// Cho et al. (2014); Chung et al. (2014). Gate blocks (r, z, n) as PyTorch stacks them.
/// <code>
/// r = σ(W_r x + b_Wr + U_r h + b_Ur),   z = σ(W_z x + b_Wz + U_z h + b_Uz)
/// Before (Cho): n = tanh(W_n x + b_Wn + U_n (r ⊙ h) + b_Un)
/// After (cuDNN): n = tanh(W_n x + b_Wn + r ⊙ (U_n h + b_Un))
/// h' = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
/// </code>
/// Before, U_n waits for r, so the r and z rows of U are multiplied first and the n rows after.
/// </remarks>
internal sealed class GruStep(LayerCopy weights, GruReset reset) : CellStep(weights, 3)
{
    private float[] gated = [], resetH = [];

    public override void Step(ReadOnlySpan<float> x, float[][] state, long clock, int batch)
    {
        int width = 3 * Hidden;
        var hs = state[0];
        var wx = Project(x, batch);
        var uh = reset == GruReset.After ? Recur(hs.AsSpan(0, batch * Hidden), batch) : RecurGates(hs, batch);
        for (int b = 0; b < batch; b++)
        {
            var h = hs.AsSpan(b * Hidden, Hidden);
            var gx = wx.Slice(b * width, width);
            var gh = uh.Slice(b * width, width);
            var r = gx[..Hidden];
            var z = gx.Slice(Hidden, Hidden);
            var n = gx.Slice(2 * Hidden, Hidden);
            TensorPrimitives.Add(r, gh[..Hidden], r);
            TensorPrimitives.Sigmoid(r, r);
            TensorPrimitives.Add(z, gh.Slice(Hidden, Hidden), z);
            TensorPrimitives.Sigmoid(z, z);
            if (reset == GruReset.After)
                TensorPrimitives.MultiplyAdd(r, gh.Slice(2 * Hidden, Hidden), n, n);
            else
            {
                var rh = Scratch(ref resetH, Hidden);
                TensorPrimitives.Multiply(r, h, rh);
                var un = gh.Slice(2 * Hidden, Hidden);
                MatVec.Apply(Weights.WeightHh.AsSpan(2 * Hidden * Hidden), Weights.BiasHh.AsSpan(2 * Hidden), Hidden, Hidden, rh, Hidden, un, Hidden, 1);
                TensorPrimitives.Add(n, un, n);
            }
            TensorPrimitives.Tanh(n, n);
            // h' = n + z (h − n), into h.
            TensorPrimitives.Subtract(h, n, h);
            TensorPrimitives.MultiplyAdd(z, h, n, h);
        }
    }

    /// <summary>Reset before: U_r h + b_Ur and U_z h + b_Uz only, in the first 2H of each stream's G·H.</summary>
    private Span<float> RecurGates(float[] h, int batch)
    {
        int width = 3 * Hidden;
        var recurrent = Scratch(ref gated, batch * width);
        MatVec.Apply(Weights.WeightHh, Weights.BiasHh, 2 * Hidden, Hidden, h, Hidden, recurrent, width, batch);
        return recurrent;
    }
}
