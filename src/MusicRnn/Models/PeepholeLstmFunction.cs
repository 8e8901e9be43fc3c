using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of the peephole LSTM (<see cref="LstmCell"/>'s equations) as one autograd
/// function: the forward loop builds no graph, the backward loop computes the deltas in
/// reverse, and the weight gradients of the window are single matmuls over all steps. The
/// default architecture has no fused libtorch kernel, so this is its fast path.
/// </summary>
/// <remarks>
/// Inputs: projection X [T, B, 4H] (W x_t + b_W), h_0 and c_0 [B, H], U [4H, H], b_U [4H],
/// p_i, p_f, p_o [H]. Outputs: h_t for every step [T, B, H] and c_T [B, H].
/// Back-propagation through time, with δa the gradient of a gate's pre-activation:
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
internal sealed class PeepholeLstmFunction : autograd.MultiTensorFunction<PeepholeLstmFunction>
{
    public override string Name => nameof(PeepholeLstmFunction);

    /// <summary>Runs a window of the plain LSTM (no peepholes): h_t for every step [T, B, H] and c_T [B, H].</summary>
    public static List<Tensor> Plain(Tensor x, Tensor h0, Tensor c0, Tensor u, Tensor b) => apply(x, h0, c0, u, b);

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, h0, c0, u, b) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4]);
        var peepholes = vars.Length > 5;
        using var _ = no_grad();
        var (steps, batch, hidden) = (x.shape[0], h0.shape[0], h0.shape[1]);
        // Pre-activations X + b_U, [T, B, 4H]; each step adds U h_{t-1} and turns its slot into
        // the gate activations (i, f, g, o) in place. As [T, B, 4, H] the gates are views.
        var gates = x + b;
        var gates4 = gates.view(steps, batch, 4, hidden);
        var cAll = empty(steps, batch, hidden, dtype: x.dtype, device: x.device);
        var tanhC = empty_like(cAll);
        var hAll = empty_like(cAll);
        var (slot, inForget, i, f, g, o) = (gates.unbind(0), gates4.narrow(2, 0, 2).unbind(0),
            gates4.select(2, 0).unbind(0), gates4.select(2, 1).unbind(0), gates4.select(2, 2).unbind(0), gates4.select(2, 3).unbind(0));
        var (cs, tcs, hs) = (cAll.unbind(0), tanhC.unbind(0), hAll.unbind(0));
        // [2, H]: p_i and p_f side by side, to meet the [B, 2, H] view of the i and f slots.
        var pIf = peepholes ? stack([(Tensor)vars[5], (Tensor)vars[6]], 0) : null;
        var po = peepholes ? (Tensor)vars[7] : null;
        var recurrent = SplitProduct.ForCurrentThreads(u);
        var (h, c) = (h0, c0);
        for (var t = 0; t < steps; t++)
        {
            // [B, 4H] += [B, H] · [H, 4H]
            recurrent.AddForward(slot[t], h);
            if (pIf is not null) inForget[t].addcmul_(c.unsqueeze(1), pIf, 1);
            inForget[t].sigmoid_();
            g[t].tanh_();
            // c_t = f ⊙ c_{t-1} + i ⊙ g
            var cNext = cs[t].copy_(c).mul_(f[t]).addcmul_(i[t], g[t], 1);
            if (po is not null) o[t].addcmul_(cNext, po, 1);
            o[t].sigmoid_();
            h = hs[t].copy_(tcs[t].copy_(cNext).tanh_()).mul_(o[t]);
            c = cNext;
        }
        ctx.save_for_backward(peepholes
            ? [h0, c0, u, hAll, cAll, gates, tanhC, (Tensor)vars[5], (Tensor)vars[6], po!]
            : [h0, c0, u, hAll, cAll, gates, tanhC]);
        return [hAll, c];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ctx.get_saved_variables();
        var (h0, c0, u, hAll, cAll, gates, tanhC) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], saved[6]);
        var peepholes = saved.Count > 7;
        var (pi, pf, po) = peepholes ? (saved[7], saved[8], saved[9]) : (null, null, null);
        // The engine may call this on its own thread: a local scope frees the intermediates,
        // and only the returned gradients leave it.
        using var scope = NewDisposeScope();
        var steps = (int)hAll.shape[0];
        var (batch, hidden) = (h0.shape[0], h0.shape[1]);
        var dH = Defined(grad_outputs[0]) ? grad_outputs[0] : zeros_like(hAll);
        var dc = Defined(grad_outputs[1]) ? grad_outputs[1].clone() : zeros_like(c0);

        // [T, B, H] views of the states each step started from, and the gates.
        var hPrev = cat([h0.unsqueeze(0), hAll.narrow(0, 0, steps - 1)], 0);
        var cPrev = cat([c0.unsqueeze(0), cAll.narrow(0, 0, steps - 1)], 0);
        var gates4 = gates.view(steps, batch, 4, hidden);
        var (iAll, fAll, gAll, oAll) = (gates4.select(2, 0), gates4.select(2, 1), gates4.select(2, 2), gates4.select(2, 3));

        // The factors that do not depend on the carried deltas, for the whole window at once:
        // δa_i = δc ⊙ g i(1−i), δa_f = δc ⊙ c_{t−1} f(1−f), δa_g = δc ⊙ i(1−g²) as [T, B, 3, H];
        // δa_o = δh ⊙ tanh c_t o(1−o); δc gains δh ⊙ o(1 − tanh² c_t).
        var ifgFactor = stack([gAll * iAll * (1 - iAll), cPrev * fAll * (1 - fAll), iAll * (1 - gAll * gAll)], 2);
        var oFactor = tanhC * oAll * (1 - oAll);
        var cFactor = oAll * (1 - tanhC * tanhC);

        // δa for every step, [T, B, 4H], filled slot by slot.
        var dA = empty_like(gates);
        var dA4 = dA.view(steps, batch, 4, hidden);
        var (dSlot, dIfg, dI, dF, dO) = (dA.unbind(0), dA4.narrow(2, 0, 3).unbind(0), dA4.select(2, 0).unbind(0), dA4.select(2, 1).unbind(0), dA4.select(2, 3).unbind(0));
        var (dHSteps, ifgSteps, oSteps, cSteps, fSteps) = (dH.unbind(0), ifgFactor.unbind(0), oFactor.unbind(0), cFactor.unbind(0), fAll.unbind(0));
        // δc is carried in one buffer; its [B, 1, H] view meets the [B, 3, H] gate slots.
        var dcWide = dc.unsqueeze(1);
        var recurrent = SplitProduct.ForCurrentThreads(u);
        var dh = dHSteps[steps - 1];
        for (var t = steps - 1; t >= 0; t--)
        {
            dO[t].copy_(dh).mul_(oSteps[t]);
            dc.addcmul_(dh, cSteps[t], 1);
            if (po is not null) dc.addcmul_(dO[t], po, 1);
            dIfg[t].copy_(dcWide).mul_(ifgSteps[t]);
            // δh_{t−1} = ∂L/∂h_{t−1} + δa_t U: [B, 4H] · [4H, H] → [B, H]
            dh = recurrent.Backward(dSlot[t], t > 0 ? dHSteps[t - 1] : null);
            // δc_{t−1} = δc ⊙ f + p_i ⊙ δa_i + p_f ⊙ δa_f
            dc.mul_(fSteps[t]);
            if (pi is not null)
                dc.addcmul_(dI[t], pi, 1).addcmul_(dF[t], pf!, 1);
        }

        // Weight gradients of the whole window, one matmul each: [4H, T·B] · [T·B, H].
        var flat = dA.reshape(steps * batch, 4 * hidden);
        var dU = flat.t().matmul(hPrev.reshape(steps * batch, hidden));
        var dB = flat.sum(new long[] { 0 });
        List<Tensor> result = [dA, dh, dc, dU, dB];
        if (peepholes)
        {
            long[] window = [0, 1];
            result.Add((dA4.select(2, 0) * cPrev).sum(window));
            result.Add((dA4.select(2, 1) * cPrev).sum(window));
            result.Add((dA4.select(2, 3) * cAll).sum(window));
        }
        foreach (var r in result) r.MoveToOuterDisposeScope();
        return result;
    }

    private static bool Defined(Tensor? t) => t is not null && t.IsInvalid is false && t.numel() > 0;
}
