using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of the peephole LSTM (<see cref="LstmCell"/>'s equations) as one autograd
/// function: the forward loop builds no graph, the backward loop computes the deltas in
/// reverse, and the weight gradients of the window are single matmuls over all steps. The
/// default architecture (with peepholes) has no fused libtorch kernel, so this is its fast path.
/// </summary>
/// <remarks>
/// Inputs: projection X [T, B, 4H] (W x_t + b_W), h_0 and c_0 [B, H], U [4H, H], b_U [4H],
/// p_i, p_f, p_o [H]. Outputs: h_t for every step [T, B, H] and c_T [B, H].
/// Equations as in <see cref="LstmCell"/> (Hochreiter &amp; Schmidhuber 1997; Gers, Schmidhuber
/// &amp; Cummins 2000; Gers, Schraudolph &amp; Schmidhuber 2002). Back-propagation through time,
/// with δa the gradient of a gate's pre-activation:
/// <code>
/// δh_t = ∂L/∂h_t + U^T δa_{t+1}
/// δa_o = δh_t ⊙ tanh(c_t) ⊙ o(1 − o)
/// δc_t = δc_{t+1}·f_{t+1} + p_i ⊙ δa_i,{t+1} + p_f ⊙ δa_f,{t+1}   (carried)
///        + δh_t ⊙ o ⊙ (1 − tanh² c_t) + p_o ⊙ δa_o
/// δa_i = δc_t ⊙ g ⊙ i(1 − i),  δa_f = δc_t ⊙ c_{t-1} ⊙ f(1 − f),  δa_g = δc_t ⊙ i ⊙ (1 − g²)
/// δU = Σ_t δa_t^T h_{t-1},  δb_U = Σ_t δa_t,  δp_i = Σ_t δa_i ⊙ c_{t-1},  δp_o = Σ_t δa_o ⊙ c_t
/// </code>
/// Without peepholes (inputs X, h_0, c_0, U, b_U only) it computes the plain LSTM, libtorch's
/// <c>nn.LSTM</c>. Per-step overhead dominates at batch 1, so each step is a handful of in-place
/// calls on slots of preallocated buffers (the pre-activation buffer becomes the gate
/// activations), and the factors of the backward that do not depend on the carried deltas
/// are computed for the whole window at once.
/// Proved against the autograd loop to float64 rounding by the tests.
/// </remarks>
internal sealed class PeepholeLstmFunction : WindowFunction<PeepholeLstmFunction, PeepholeLstmFunction.Inputs, PeepholeLstmFunction.Saved>
{
    /// <param name="Projection">X, [T, B, 4H].</param>
    /// <param name="H0">h_0, [B, H].</param>
    /// <param name="C0">c_0, [B, H].</param>
    /// <param name="U">U, [4H, H].</param>
    /// <param name="B">b_U, [4H].</param>
    /// <param name="Peepholes">p_i, p_f, p_o, each [H]; null for the plain LSTM.</param>
    internal sealed record Inputs(Tensor Projection, Tensor H0, Tensor C0, Tensor U, Tensor B, (Tensor I, Tensor F, Tensor O)? Peepholes) : WindowInputs
    {
        public override IReadOnlyList<Tensor?> Tensors => [Projection, H0, C0, U, B, Peepholes?.I, Peepholes?.F, Peepholes?.O];
    }

    /// <summary>
    /// What the backward needs: the start state, U, h_t and c_t for every step, the gate
    /// activations [T, B, 4H], tanh(c_t) for every step, and the peepholes (null without).
    /// </summary>
    internal sealed record Saved(Tensor H0, Tensor C0, Tensor U, Tensor HAll, Tensor CAll, Tensor Gates, Tensor TanhC,
        Tensor? Pi, Tensor? Pf, Tensor? Po) : WindowSaved<Saved>
    {
        public override IReadOnlyList<Tensor?> Tensors => [H0, C0, U, HAll, CAll, Gates, TanhC, Pi, Pf, Po];

        public override Saved Restore(IReadOnlyList<Tensor?> tensors) => this with
        {
            H0 = tensors[0]!, C0 = tensors[1]!, U = tensors[2]!, HAll = tensors[3]!, CAll = tensors[4]!,
            Gates = tensors[5]!, TanhC = tensors[6]!, Pi = tensors[7], Pf = tensors[8], Po = tensors[9],
        };
    }

    public override string Name => nameof(PeepholeLstmFunction);

    /// <summary>Runs the window: h_t for every step [T, B, H] and c_T [B, H].</summary>
    public static (Tensor H, Tensor C) Apply(Inputs inputs)
    {
        var outputs = Run(inputs);
        return (outputs[0], outputs[1]);
    }

    protected override (List<Tensor> Outputs, Saved Saved) Forward(Inputs inputs, KernelScalars scalars)
    {
        var (x, h0, c0, u, b) = (inputs.Projection, inputs.H0, inputs.C0, inputs.U, inputs.B);
        var one = scalars.One;
        var (steps, batch, hidden) = (x.shape[0], h0.shape[0], h0.shape[1]);
        // Pre-activations X + b_U, [T, B, 4H]; each step adds U h_{t-1} and turns its slot into
        // the gate activations (i, f, g, o) in place. As [T, B, 4, H] the gates are views.
        var gates = x.add(b, one);
        var gates4 = gates.view(steps, batch, 4, hidden);
        var cAll = empty(steps, batch, hidden, dtype: x.dtype, device: x.device);
        var tanhC = empty_like(cAll);
        var hAll = empty_like(cAll);
        var (slot, inForget, i, f, g, o) = (gates.unbind(0), gates4.narrow(2, 0, 2).unbind(0),
            gates4.select(2, 0).unbind(0), gates4.select(2, 1).unbind(0), gates4.select(2, 2).unbind(0), gates4.select(2, 3).unbind(0));
        var (cs, tcs, hs) = (cAll.unbind(0), tanhC.unbind(0), hAll.unbind(0));
        // [2, H]: p_i and p_f side by side, to meet the [B, 2, H] view of the i and f slots.
        var pIf = inputs.Peepholes is var (pi, pf, _) ? stack([pi, pf], 0) : null;
        var po = inputs.Peepholes?.O;
        var recurrent = SplitProduct.ForCurrentThreads(u, one);
        var (h, c) = (h0, c0);
        for (var t = 0; t < steps; t++)
        {
            // [B, 4H] += [B, H] · [H, 4H]
            recurrent.AddForward(slot[t], h);
            if (pIf is not null) inForget[t].addcmul_(c.unsqueeze(1), pIf, one);
            inForget[t].sigmoid_();
            g[t].tanh_();
            // c_t = f ⊙ c_{t-1} + i ⊙ g
            var cNext = cs[t].copy_(c).mul_(f[t]).addcmul_(i[t], g[t], one);
            if (po is not null) o[t].addcmul_(cNext, po, one);
            o[t].sigmoid_();
            h = hs[t].copy_(tcs[t].copy_(cNext).tanh_()).mul_(o[t]);
            c = cNext;
        }
        return ([hAll, c], new Saved(h0, c0, u, hAll, cAll, gates, tanhC, inputs.Peepholes?.I, inputs.Peepholes?.F, po));
    }

    protected override List<Tensor?> Backward(Saved saved, IReadOnlyList<Tensor> gradOutputs, KernelScalars scalars)
    {
        var (h0, c0, u, hAll, cAll, gates, tanhC) = (saved.H0, saved.C0, saved.U, saved.HAll, saved.CAll, saved.Gates, saved.TanhC);
        var (pi, pf, po) = (saved.Pi, saved.Pf, saved.Po);
        var one = scalars.One;
        var steps = (int)hAll.shape[0];
        var (batch, hidden) = (h0.shape[0], h0.shape[1]);
        var dH = Defined(gradOutputs[0]) ? gradOutputs[0] : zeros_like(hAll);
        var dc = Defined(gradOutputs[1]) ? gradOutputs[1].clone() : zeros_like(c0);

        // [T, B, H] views of the states each step started from, and the gates.
        var hPrev = WindowGradients.PreviousStates(h0, hAll);
        var cPrev = WindowGradients.PreviousStates(c0, cAll);
        var gates4 = gates.view(steps, batch, 4, hidden);
        var (iAll, fAll, gAll, oAll) = (gates4.select(2, 0), gates4.select(2, 1), gates4.select(2, 2), gates4.select(2, 3));

        // The factors that do not depend on the carried deltas, for the whole window at once:
        // δa_i = δc ⊙ g i(1−i), δa_f = δc ⊙ c_{t−1} f(1−f), δa_g = δc ⊙ i(1−g²) as [T, B, 3, H];
        // δa_o = δh ⊙ tanh c_t o(1−o); δc gains δh ⊙ o(1 − tanh² c_t). 1 − x is
        // negative().add(1, 1), what TorchSharp's 1 - x runs.
        Tensor OneMinus(Tensor x) => x.negative().add(one, one);
        var ifgFactor = stack([gAll.mul(iAll).mul(OneMinus(iAll)), cPrev.mul(fAll).mul(OneMinus(fAll)), iAll.mul(OneMinus(gAll.mul(gAll)))], 2);
        var oFactor = tanhC.mul(oAll).mul(OneMinus(oAll));
        var cFactor = oAll.mul(OneMinus(tanhC.mul(tanhC)));

        // δa for every step, [T, B, 4H], filled slot by slot.
        var dA = empty_like(gates);
        var dA4 = dA.view(steps, batch, 4, hidden);
        var (dSlot, dIfg, dI, dF, dO) = (dA.unbind(0), dA4.narrow(2, 0, 3).unbind(0), dA4.select(2, 0).unbind(0), dA4.select(2, 1).unbind(0), dA4.select(2, 3).unbind(0));
        var (dHSteps, ifgSteps, oSteps, cSteps, fSteps) = (dH.unbind(0), ifgFactor.unbind(0), oFactor.unbind(0), cFactor.unbind(0), fAll.unbind(0));
        // δc is carried in one buffer; its [B, 1, H] view meets the [B, 3, H] gate slots.
        var dcWide = dc.unsqueeze(1);
        var recurrent = SplitProduct.ForCurrentThreads(u, one);
        var dh = dHSteps[steps - 1];
        for (var t = steps - 1; t >= 0; t--)
        {
            dO[t].copy_(dh).mul_(oSteps[t]);
            dc.addcmul_(dh, cSteps[t], one);
            if (po is not null) dc.addcmul_(dO[t], po, one);
            dIfg[t].copy_(dcWide).mul_(ifgSteps[t]);
            // δh_{t−1} = ∂L/∂h_{t−1} + δa_t U: [B, 4H] · [4H, H] → [B, H]
            dh = recurrent.Backward(dSlot[t], t > 0 ? dHSteps[t - 1] : null);
            // δc_{t−1} = δc ⊙ f + p_i ⊙ δa_i + p_f ⊙ δa_f
            dc.mul_(fSteps[t]);
            if (pi is not null)
                dc.addcmul_(dI[t], pi, one).addcmul_(dF[t], pf!, one);
        }

        // Weight gradients of the whole window, one matmul each.
        List<Tensor?> result = [dA, dh, dc, WindowGradients.Weight(dA, hPrev), WindowGradients.Bias(dA)];
        if (pi is not null)
        {
            long[] window = [0, 1];
            result.Add(dA4.select(2, 0).mul(cPrev).sum(window));
            result.Add(dA4.select(2, 1).mul(cPrev).sum(window));
            result.Add(dA4.select(2, 3).mul(cAll).sum(window));
        }
        return result;
    }

    private static bool Defined(Tensor? t) => t is not null && t.IsInvalid is false && t.numel() > 0;
}
