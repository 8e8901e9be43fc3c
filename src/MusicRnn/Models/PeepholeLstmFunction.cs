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
/// Proved against the autograd loop to float64 rounding by the tests.
/// </remarks>
internal sealed class PeepholeLstmFunction : autograd.MultiTensorFunction<PeepholeLstmFunction>
{
    public override string Name => nameof(PeepholeLstmFunction);

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, h0, c0, u, b) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4]);
        var (pi, pf, po) = ((Tensor)vars[5], (Tensor)vars[6], (Tensor)vars[7]);
        using var _ = no_grad();
        var steps = (int)x.shape[0];
        var hs = new Tensor[steps];
        var cs = new Tensor[steps];
        var gates = new Tensor[steps];
        var (h, c) = (h0, c0);
        for (var t = 0; t < steps; t++)
        {
            // [B, 4H] → pre-activations in gate order (i, f, g, o)
            var a = (x[t] + nn.functional.linear(h, u, b)).chunk(4, -1);
            var i = (a[0] + pi * c).sigmoid();
            var f = (a[1] + pf * c).sigmoid();
            var g = a[2].tanh();
            c = f * c + i * g;
            var o = (a[3] + po * c).sigmoid();
            h = o * c.tanh();
            gates[t] = cat([i, f, g, o], -1);
            (hs[t], cs[t]) = (h, c);
        }
        var hAll = stack(hs, 0);
        var cAll = stack(cs, 0);
        ctx.save_for_backward([h0, c0, u, pi, pf, po, hAll, cAll, stack(gates, 0)]);
        return [hAll, c];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ctx.get_saved_variables();
        var (h0, c0, u, pi, pf, po) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5]);
        var (hAll, cAll, gates) = (saved[6], saved[7], saved[8]);
        // The engine may call this on its own thread: a local scope frees the intermediates,
        // and only the returned gradients leave it.
        using var scope = NewDisposeScope();
        var steps = (int)hAll.shape[0];
        var (batch, hidden) = (h0.shape[0], h0.shape[1]);
        var dH = Defined(grad_outputs[0]) ? grad_outputs[0] : zeros_like(hAll);
        var dc = Defined(grad_outputs[1]) ? grad_outputs[1] : zeros_like(c0);

        // [T, B, H] views of the states each step started from.
        var hPrev = cat([h0.unsqueeze(0), hAll.narrow(0, 0, steps - 1)], 0);
        var cPrev = cat([c0.unsqueeze(0), cAll.narrow(0, 0, steps - 1)], 0);
        var tanhC = cAll.tanh();
        var gate = gates.chunk(4, -1);
        var (iAll, fAll, gAll, oAll) = (gate[0], gate[1], gate[2], gate[3]);

        var deltas = new Tensor[steps];
        var dh = zeros_like(h0);
        for (var t = steps - 1; t >= 0; t--)
        {
            var (i, f, g, o, tc) = (iAll[t], fAll[t], gAll[t], oAll[t], tanhC[t]);
            dh = dH[t] + dh;
            var dao = dh * tc * o * (1 - o);
            dc = dc + dh * o * (1 - tc * tc) + dao * po;
            var dai = dc * g * i * (1 - i);
            var daf = dc * cPrev[t] * f * (1 - f);
            var dag = dc * i * (1 - g * g);
            deltas[t] = cat([dai, daf, dag, dao], -1);
            // [B, 4H] · [4H, H] → [B, H]
            dh = deltas[t].matmul(u);
            dc = dc * f + dai * pi + daf * pf;
        }

        // Weight gradients of the whole window, one matmul each: [4H, T·B] · [T·B, H].
        var dA = stack(deltas, 0);
        var flat = dA.reshape(steps * batch, 4 * hidden);
        var dU = flat.t().matmul(hPrev.reshape(steps * batch, hidden));
        var dB = flat.sum(new long[] { 0 });
        var dAGates = dA.chunk(4, -1);
        long[] window = [0, 1];
        var dPi = (dAGates[0] * cPrev).sum(window);
        var dPf = (dAGates[1] * cPrev).sum(window);
        var dPo = (dAGates[3] * cAll).sum(window);
        List<Tensor> result = [dA, dh, dc, dU, dB, dPi, dPf, dPo];
        foreach (var r in result) r.MoveToOuterDisposeScope();
        return result;
    }

    private static bool Defined(Tensor? t) => t is not null && t.IsInvalid is false && t.numel() > 0;
}
