using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MusicRnn.Models;

namespace MusicRnn.Generation.Steps;

/// <summary>One step of the Clockwork RNN (<see cref="ClockworkCell"/>): only the modules whose period divides the clock.</summary>
/// <remarks>
/// Koutník, Greff, Gomez &amp; Schmidhuber (2014), A Clockwork RNN. With g modules of k units:
/// <code>
/// t mod T_i = 0:  h'^(i) = φ(W^(i) x + b^(i) + Σ_{j ≥ i} U^(i,j) h^(j))
/// otherwise:      h'^(i) = h^(i)
/// </code>
/// U arrives with its faster → slower entries masked to zero (as forward multiplies them), so a
/// module's full row of U is its sum over j ≥ i. An idle module's rows are never read.
/// </remarks>
internal sealed class ClockworkStep(LayerCopy weights, Activation activation, IReadOnlyList<int> periods) : CellStep(weights, 1)
{
    private readonly int unitsPerModule = weights.Hidden / periods.Count;
    private float[] candidate = [], recurrent = [];

    public override void Step(ReadOnlySpan<float> x, float[][] state, long clock, int batch)
    {
        var h = state[0];
        var next = Scratch(ref candidate, batch * Hidden);
        var uh = Scratch(ref recurrent, batch * Hidden);
        int input = Weights.Input, k = unitsPerModule;
        for (int module = 0; module < periods.Count; module++)
        {
            if (clock % periods[module] != 0) continue;
            int start = module * k;
            // Both products of the module's rows, read against every stream's old h.
            MatVec.Apply(Weights.WeightIh.AsSpan(start * input), Weights.BiasIh.AsSpan(start), k, input, x, input, next[start..], Hidden, batch);
            MatVec.Apply(Weights.WeightHh.AsSpan(start * Hidden), Weights.BiasHh.AsSpan(start), k, Hidden, h, Hidden, uh[start..], Hidden, batch);
        }
        // The old h is read by every active module above, so the new values go in only now.
        for (int module = 0; module < periods.Count; module++)
        {
            if (clock % periods[module] != 0) continue;
            for (int b = 0; b < batch; b++)
            {
                var active = next.Slice((b * Hidden) + (module * k), k);
                TensorPrimitives.Add(active, uh.Slice((b * Hidden) + (module * k), k), active);
                Phi(active, activation);
                active.CopyTo(h.AsSpan((b * Hidden) + (module * k), k));
            }
        }
    }
}
