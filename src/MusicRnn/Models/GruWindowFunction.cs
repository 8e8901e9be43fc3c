using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of Cho's GRU (reset before the recurrent product, <see cref="GruCell"/>)
/// as one autograd function: the forward loop builds no graph, the backward loop runs the
/// deltas in reverse, and the weight gradients of the window are single matmuls. The
/// variant has no fused libtorch kernel, so this is its fast path.
/// </summary>
/// <remarks>
/// Inputs: projection X [T, B, 3H] (W x_t + b_W, blocks r, z, n), h_0 [B, H], U [3H, H],
/// b_U [3H]. Output: h_t for every step [T, B, H]. With q_t = r_t ⊙ h_{t-1}:
/// <code>
/// δn = δh_t ⊙ (1 − z),  δz = δh_t ⊙ (h_{t-1} − n),  δa_n = δn ⊙ (1 − n²)
/// δq = U_n^T δa_n,  δa_r = δq ⊙ h_{t-1} ⊙ r(1 − r),  δa_z = δz ⊙ z(1 − z)
/// δh_{t-1} = ∂L/∂h_{t-1} + δh_t ⊙ z + δq ⊙ r + U_{rz}^T [δa_r; δa_z]
/// δU_{rz} = Σ_t [δa_r; δa_z]^T h_{t-1},  δU_n = Σ_t δa_n^T q_t,  δb_U = Σ_t δa_t,  δX_t = δa_t
/// </code>
/// Proved against the autograd loop to float64 rounding by the tests.
/// </remarks>
internal sealed class GruWindowFunction : autograd.MultiTensorFunction<GruWindowFunction>
{
    public override string Name => nameof(GruWindowFunction);

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, h0, u, b) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3]);
        using var _ = no_grad();
        var hidden = h0.shape[1];
        var (uRz, bRz) = (u.narrow(0, 0, 2 * hidden), b.narrow(0, 0, 2 * hidden));
        var (uN, bN) = (u.narrow(0, 2 * hidden, hidden), b.narrow(0, 2 * hidden, hidden));
        var steps = (int)x.shape[0];
        var hs = new Tensor[steps];
        var gates = new Tensor[steps];
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            var xt = x[t];
            // [B, 2H] → r and z, each [B, H].
            var rz = (xt.narrow(-1, 0, 2 * hidden) + nn.functional.linear(h, uRz, bRz)).sigmoid();
            var r = rz.narrow(-1, 0, hidden);
            var z = rz.narrow(-1, hidden, hidden);
            var n = (xt.narrow(-1, 2 * hidden, hidden) + nn.functional.linear(r * h, uN, bN)).tanh();
            h = (1 - z) * n + z * h;
            gates[t] = cat([rz, n], -1);
            hs[t] = h;
        }
        var hAll = stack(hs, 0);
        ctx.save_for_backward([h0, u, hAll, stack(gates, 0)]);
        return [hAll];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ctx.get_saved_variables();
        var (h0, u, hAll, gates) = (saved[0], saved[1], saved[2], saved[3]);
        // The engine may call this on its own thread: a local scope frees the intermediates.
        using var scope = NewDisposeScope();
        var (steps, batch, hidden) = ((int)hAll.shape[0], hAll.shape[1], hAll.shape[2]);
        var uRz = u.narrow(0, 0, 2 * hidden);
        var uN = u.narrow(0, 2 * hidden, hidden);
        var dH = grad_outputs[0];
        // [T, B, H] each: the states each step started from, and the gates.
        var hPrev = cat([h0.unsqueeze(0), hAll.narrow(0, 0, steps - 1)], 0);
        var (rAll, zAll, nAll) = (gates.narrow(-1, 0, hidden), gates.narrow(-1, hidden, hidden), gates.narrow(-1, 2 * hidden, hidden));

        var deltas = new Tensor[steps];
        var dh = zeros_like(h0);
        for (var t = steps - 1; t >= 0; t--)
        {
            var (r, z, n, hp) = (rAll[t], zAll[t], nAll[t], hPrev[t]);
            dh = dH[t] + dh;
            var dan = dh * (1 - z) * (1 - n * n);
            var daz = dh * (hp - n) * z * (1 - z);
            // [B, H] · [H, H] → [B, H]: the gradient reaching q = r ⊙ h_{t-1}.
            var dq = dan.matmul(uN);
            var dar = dq * hp * r * (1 - r);
            var darz = cat([dar, daz], -1);
            deltas[t] = cat([darz, dan], -1);
            dh = dh * z + dq * r + darz.matmul(uRz);
        }

        // Weight gradients of the whole window, one matmul each: [G·H, T·B] · [T·B, H].
        var dA = stack(deltas, 0);
        var flatRz = dA.narrow(-1, 0, 2 * hidden).reshape(steps * batch, 2 * hidden);
        var flatN = dA.narrow(-1, 2 * hidden, hidden).reshape(steps * batch, hidden);
        var dURz = flatRz.t().matmul(hPrev.reshape(steps * batch, hidden));
        var dUN = flatN.t().matmul((rAll * hPrev).reshape(steps * batch, hidden));
        var dU = cat([dURz, dUN], 0);
        var dB = dA.reshape(steps * batch, 3 * hidden).sum(new long[] { 0 });
        List<Tensor> result = [dA, dh, dU, dB];
        foreach (var r in result) r.MoveToOuterDisposeScope();
        return result;
    }
}
