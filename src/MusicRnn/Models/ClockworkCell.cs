using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>Clockwork RNN layer: modules of units that update at their own periods.</summary>
/// <remarks>
/// Koutník, Greff, Gomez &amp; Schmidhuber (2014), A Clockwork RNN, ICML.
/// The H units form g modules of k units; module i has period T_i. At step t (counted
/// since the state was reset, so the clock continues across windows):
/// <code>
/// active (t mod T_i = 0): h_t^(i) = φ(W^(i) x_t + b^(i) + Σ_{j ≥ i} U^(i,j) h_{t-1}^(j))
/// inactive:               h_t^(i) = h_{t-1}^(i)
/// </code>
/// A module hears only itself and slower modules, so U ([out, in]) is block-upper-triangular.
/// The mask is multiplied into U in every forward pass: masked entries get a zero gradient,
/// so no optimizer step can break the structure (the essay's code masked only at
/// initialisation). The stored weight_hh keeps its masked entries at exactly 0 as well,
/// which <see cref="RecurrentLayers.ResetParameters"/> ensures. With periods that divide each
/// other (the default) the window runs as one <see cref="ClockworkWindowFunction"/>, doing
/// only the active modules' work; otherwise as one <see cref="ElmanWindowFunction"/> with a
/// per-step mask of the units that tick. The autograd loop here (<see cref="Kernel.Reference"/>)
/// is the reference both are proved against.
/// </remarks>
internal sealed class ClockworkCell : RecurrentCell
{
    private readonly Activation activation;
    private readonly int[] periods;
    private readonly ClockworkWorkspace workspace;

    /// <param name="activation">φ.</param>
    /// <param name="periods">T_i for each module.</param>
    /// <param name="kernel"><see cref="Kernel.Reference"/> runs the autograd loop over steps; every
    /// other kernel a window function with a hand-written backward: the
    /// <see cref="ClockworkWindowFunction"/> where every period divides the next, else the
    /// <see cref="ElmanWindowFunction"/>.</param>
    public ClockworkCell(Activation activation, IReadOnlyList<int> periods, Kernel kernel = Kernel.Fastest) : base(kernel)
    {
        this.activation = activation;
        this.periods = [.. periods];
        workspace = new ClockworkWorkspace(this.periods.Length);
    }

    public override int Gates => 1;

    /// <summary>The connectivity mask [H, H] in [out, in] layout: 1 where module(in) ≥ module(out).</summary>
    public static Tensor Mask(int hidden, int modules, Device device, ScalarType dtype)
    {
        using var start = 0.ToScalar();
        using var stop = hidden.ToScalar();
        using var step = 1.ToScalar();
        using var k = (hidden / modules).ToScalar();
        var module = arange(start, stop, step, device: device).div(k, rounding_mode: RoundingMode.floor);
        // [H, 1] ≤ [1, H] → [H, H]: row = receiving unit, column = sending unit.
        return module.unsqueeze(1).le(module.unsqueeze(0)).to(dtype);
    }

    /// <summary>
    /// With periods where each divides the next (the default 2^i), runs the window as one
    /// <see cref="ClockworkWindowFunction"/>, which projects the input of each module only at
    /// the steps where it fires; otherwise projects the whole window and runs the general path.
    /// </summary>
    public override (Tensor Output, Tensor[] State) Run(Tensor input, Tensor weightIh, Tensor biasIh, IReadOnlyList<Tensor> state, LayerWeights weights, long clock)
    {
        if (!UsesWindowFunction || !ClockworkWindowFunction.Applies(periods))
            return base.Run(input, weightIh, biasIh, state, weights, clock);
        var h = state[0];
        var u = weights.WeightHh.mul(CachedMask((int)h.shape[1], h.device, h.dtype));
        var output = ClockworkWindowFunction.Apply(new(input, weightIh, biasIh, h, u, weights.BiasHh, activation, periods, clock, workspace));
        return (output, [output[-1]]);
    }

    public override (Tensor Output, Tensor[] State) Run(Tensor inputProjection, IReadOnlyList<Tensor> state, LayerWeights weights, long clock)
    {
        var h = state[0];
        var hidden = (int)h.shape[1];
        var k = hidden / periods.Length;
        var u = weights.WeightHh.mul(Mask(hidden, periods.Length, h.device, h.dtype));
        if (UsesWindowFunction)
        {
            var count = (int)inputProjection.shape[0];
            var idle = Enumerable.Range(0, count).Select(t => !periods.Any(p => (clock + t) % p == 0)).ToArray();
            // [T, H]: which units tick at each step of the window.
            var active = stack(Enumerable.Range(0, count).Select(t => ActiveUnits(clock + t, k, h.device)), 0);
            var output = ElmanWindowFunction.Apply(new(inputProjection, h, u, weights.BiasHh, activation, active, idle));
            return (output, [output[-1]]);
        }
        using var scalars = new KernelScalars();
        var steps = new Tensor[inputProjection.shape[0]];
        for (var t = 0; t < steps.Length; t++)
        {
            if (!periods.Any(p => (clock + t) % p == 0))
            {
                // Every module idle (possible with a custom period list): nothing to compute.
                steps[t] = h;
                continue;
            }
            var active = ActiveUnits(clock + t, k, h.device);
            var candidate = Phi(inputProjection[t].add(nn.functional.linear(h, u, weights.BiasHh), scalars.One), activation);
            // where() rather than a blend, so an idle module passes its state (and gradient) through untouched.
            h = where(active, candidate, h);
            steps[t] = h;
        }
        return (stack(steps, 0), [h]);
    }

    private Tensor? mask;

    /// <summary>
    /// The mask, built once per size, device and type rather than at every window: at the large
    /// hidden sizes building it costs about as much as the active modules' whole recurrent work.
    /// </summary>
    private Tensor CachedMask(int hidden, Device device, ScalarType dtype)
    {
        if (mask is null || mask.shape[0] != hidden || mask.device_type != device.type || mask.device_index != device.index || mask.dtype != dtype)
        {
            mask?.Dispose();
            mask = Mask(hidden, periods.Length, device, dtype).DetachFromDisposeScope();
        }
        return mask;
    }

    /// <summary>Units whose module ticks at step <paramref name="t"/>, as a [H] boolean tensor.</summary>
    private Tensor ActiveUnits(long t, int unitsPerModule, Device device)
    {
        var flags = new bool[periods.Length * unitsPerModule];
        for (var i = 0; i < periods.Length; i++)
            if (t % periods[i] == 0) Array.Fill(flags, true, i * unitsPerModule, unitsPerModule);
        return tensor(flags, device: device);
    }
}
