using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MusicRnn.Models;

namespace MusicRnn.Generation.Steps;

/// <summary>One step of Elman's layer (<see cref="RnnCell"/>).</summary>
/// <remarks>
/// Elman (1990), Finding structure in time.
/// <code>
/// h_t = φ(W x_t + b_W + U h_{t-1} + b_U)
/// </code>
/// </remarks>
internal sealed class RnnStep(LayerCopy weights, Activation activation) : CellStep(weights, 1)
{
    public override void Step(ReadOnlySpan<float> x, float[][] state, long clock, int batch)
    {
        var h = state[0].AsSpan(0, batch * Hidden);
        var wx = Project(x, batch);
        var uh = Recur(h, batch);
        TensorPrimitives.Add(wx, uh, h);
        Phi(h, activation);
    }
}
