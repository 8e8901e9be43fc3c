using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of an Elman-style layer (the RNN of <see cref="RnnCell"/>; the Clockwork RNN of
/// <see cref="ClockworkCell"/> with periods that do not divide each other) as one autograd
/// function: the forward loop builds no graph, the backward loop runs the deltas in reverse, and
/// the weight gradients of the window are single matmuls over all steps.
/// </summary>
/// <remarks>
/// Inputs: projection X [T, B, H] (W x_t + b_W), h_0 [B, H], U [H, H] (for the CW-RNN already
/// multiplied by its mask, so autograd keeps masked entries at zero gradient), b_U [H], the
/// activation, and optionally which units tick at each step, [T, H] booleans, with a per-step
/// flag for steps where none does. With a_t = X_t + U h_{t-1} + b_U (Elman 1990, Finding
/// structure in time; Koutník et al. 2014, A Clockwork RNN):
/// <code>
/// h_t = active ? φ(a_t) : h_{t-1}
/// δa_t = active ? δh_t ⊙ φ'(a_t) : 0,   φ' = 1 − h_t² (tanh) or h_t (1 − h_t) (σ)
/// δh_{t-1} = ∂L/∂h_{t-1} + U^T δa_t + (inactive ? δh_t : 0)
/// δU = Σ_t δa_t^T h_{t-1},  δb_U = Σ_t δa_t,  δX_t = δa_t
/// </code>
/// Proved against the autograd loop to float64 rounding by the tests.
/// </remarks>
internal sealed class ElmanWindowFunction : WindowFunction<ElmanWindowFunction, ElmanWindowFunction.Inputs, ElmanWindowFunction.Saved>
{
    /// <param name="Projection">X, [T, B, H].</param>
    /// <param name="H0">h_0, [B, H].</param>
    /// <param name="U">U, [H, H].</param>
    /// <param name="B">b_U, [H].</param>
    /// <param name="Activation">φ.</param>
    /// <param name="Active">Which units tick at each step, [T, H]; null when every unit ticks at every step.</param>
    /// <param name="Idle">Per step, whether no unit ticks; null when every step has some.</param>
    internal sealed record Inputs(Tensor Projection, Tensor H0, Tensor U, Tensor B, Activation Activation, Tensor? Active, bool[]? Idle) : WindowInputs
    {
        public override IReadOnlyList<Tensor?> Tensors => [Projection, H0, U, B, Active];

        /// <summary>Every unit ticks at every step: the plain RNN.</summary>
        public bool Plain => Active is null && Idle is null;
    }

    internal sealed record Saved(Tensor H0, Tensor U, Tensor HAll, Tensor? Active, Activation Activation, bool[]? Idle) : WindowSaved<Saved>
    {
        public override IReadOnlyList<Tensor?> Tensors => [H0, U, HAll, Active];

        public override Saved Restore(IReadOnlyList<Tensor?> tensors) =>
            this with { H0 = tensors[0]!, U = tensors[1]!, HAll = tensors[2]!, Active = tensors[3] };
    }

    public override string Name => nameof(ElmanWindowFunction);

    /// <summary>Runs the window; returns h_t for every step, [T, B, H].</summary>
    public static Tensor Apply(Inputs inputs) => Run(inputs)[0];

    protected override (List<Tensor> Outputs, Saved Saved) Forward(Inputs inputs, KernelScalars scalars)
    {
        var (x, h0, u, b, activation) = (inputs.Projection, inputs.H0, inputs.U, inputs.B, inputs.Activation);
        if (inputs.Plain)
        {
            // Every unit ticks at every step: a_t = (X_t + b_U) + h_{t-1} U^T is one addmm_ into
            // a copy of X, and φ runs in place there, so the buffer ends up holding h_t.
            var hBuffer = x.add(b, scalars.One);
            var recurrent = SplitProduct.ForCurrentThreads(u, scalars.One);
            var previous = h0;
            foreach (var slot in hBuffer.unbind(0))
            {
                recurrent.AddForward(slot, previous);
                previous = activation == Activation.Tanh ? slot.tanh_() : slot.sigmoid_();
            }
            return ([hBuffer], new Saved(h0, u, hBuffer, null, activation, null));
        }
        var (active, idle) = (inputs.Active, inputs.Idle);
        var hs = new Tensor[x.shape[0]];
        var h = h0;
        for (var t = 0; t < hs.Length; t++)
        {
            if (idle is not null && idle[t])
            {
                hs[t] = h;
                continue;
            }
            var a = x[t].add(nn.functional.linear(h, u, b), scalars.One);
            var candidate = activation == Activation.Tanh ? a.tanh() : a.sigmoid();
            h = active is null ? candidate : where(active[t], candidate, h);
            hs[t] = h;
        }
        var hAll = stack(hs, 0);
        return ([hAll], new Saved(h0, u, hAll, active, activation, idle));
    }

    protected override List<Tensor?> Backward(Saved saved, IReadOnlyList<Tensor> gradOutputs, KernelScalars scalars)
    {
        var (h0, u, hAll, active, idle) = (saved.H0, saved.U, saved.HAll, saved.Active, saved.Idle);
        var steps = (int)hAll.shape[0];
        var dH = gradOutputs[0];
        // φ'(a_t) from h_t, right wherever a unit ticked (elsewhere δa is zero anyway): [T, B, H].
        var slope = saved.Activation == Activation.Tanh
            ? hAll.mul(hAll).negative().add(scalars.One, scalars.One)
            : hAll.mul(hAll.negative().add(scalars.One, scalars.One));

        var deltas = new Tensor[steps];
        var dh = zeros_like(h0);
        if (active is null && idle is null)
        {
            // Two calls per step: δa_t = δh_t ⊙ φ', then δh_{t-1} = ∂L/∂h_{t-1} + δa_t U in one addmm.
            var dHSteps = dH.unbind(0);
            var slopeSteps = slope.unbind(0);
            var recurrent = SplitProduct.ForCurrentThreads(u, scalars.One);
            dh = dHSteps[steps - 1];
            for (var t = steps - 1; t >= 0; t--)
            {
                deltas[t] = dh.mul(slopeSteps[t]);
                dh = recurrent.Backward(deltas[t], t > 0 ? dHSteps[t - 1] : null);
            }
        }
        else
        {
            for (var t = steps - 1; t >= 0; t--)
            {
                dh = dH[t].add(dh, scalars.One);
                if (idle is not null && idle[t])
                {
                    deltas[t] = zeros_like(h0);
                    continue;
                }
                var da = active is null ? dh.mul(slope[t]) : where(active[t], dh.mul(slope[t]), 0.0);
                deltas[t] = da;
                // [B, H] · [H, H] → [B, H], plus the idle units' pass-through.
                var back = da.matmul(u);
                dh = active is null ? back : back.add(where(active[t], 0.0, dh), scalars.One);
            }
        }

        // Weight gradients of the whole window, one matmul each.
        var dA = stack(deltas, 0);
        return [dA, dh, WindowGradients.Weight(dA, WindowGradients.PreviousStates(h0, hAll)), WindowGradients.Bias(dA)];
    }
}
