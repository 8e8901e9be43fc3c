using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of a GRU layer (<see cref="GruCell"/>, reset before or after the recurrent
/// product) as one autograd function: the forward loop builds no graph, the backward loop runs
/// the deltas in reverse, and the weight gradients of the window are single matmuls.
/// </summary>
/// <remarks>
/// Inputs: projection X [T, B, 3H] (W x_t + b_W, blocks r, z, n), h_0 [B, H], U [3H, H],
/// b_U [3H], and where the reset acts. Output: h_t for every step [T, B, H].
/// Equations as in <see cref="GruCell"/> (Cho et al. 2014; Chung et al. 2014). Reset before (Cho),
/// with q_t = r_t ⊙ h_{t-1}:
/// <code>
/// δn = δh_t ⊙ (1 − z),  δz = δh_t ⊙ (h_{t-1} − n),  δa_n = δn ⊙ (1 − n²)
/// δq = U_n^T δa_n,  δa_r = δq ⊙ h_{t-1} ⊙ r(1 − r),  δa_z = δz ⊙ z(1 − z)
/// δh_{t-1} = ∂L/∂h_{t-1} + δh_t ⊙ z + δq ⊙ r + U_{rz}^T [δa_r; δa_z]
/// δU_{rz} = Σ_t [δa_r; δa_z]^T h_{t-1},  δU_n = Σ_t δa_n^T q_t,  δb_U = Σ_t δa_t,  δX_t = δa_t
/// </code>
/// Reset after (libtorch's <c>nn.GRU</c>), with m_t = U_n h_{t-1} + b_Un:
/// <code>
/// δa_n = δh_t ⊙ (1 − z)(1 − n²),  δm = δa_n ⊙ r,  δa_r = δa_n ⊙ m ⊙ r(1 − r),  δa_z as above
/// δh_{t-1} = ∂L/∂h_{t-1} + δh_t ⊙ z + U^T [δa_r; δa_z; δm]
/// δU = Σ_t [δa_r; δa_z; δm]^T h_{t-1},  δb_U = Σ_t [δa_r; δa_z; δm],  δX_t = [δa_r; δa_z; δa_n]
/// </code>
/// Per-step overhead dominates at batch 1, so each step is a few in-place calls on slots of
/// preallocated buffers, and the backward's factors that do not depend on the carried delta
/// are computed for the whole window at once. Proved against the autograd loop to float64
/// rounding by the tests.
/// </remarks>
internal sealed class GruWindowFunction : WindowFunction<GruWindowFunction, GruWindowFunction.Inputs, GruWindowFunction.Saved>
{
    /// <param name="Projection">X, [T, B, 3H].</param>
    /// <param name="H0">h_0, [B, H].</param>
    /// <param name="U">U, [3H, H].</param>
    /// <param name="B">b_U, [3H].</param>
    /// <param name="Reset">Where the reset gate acts.</param>
    internal sealed record Inputs(Tensor Projection, Tensor H0, Tensor U, Tensor B, GruReset Reset) : WindowInputs
    {
        public override IReadOnlyList<Tensor?> Tensors => [Projection, H0, U, B];
    }

    /// <summary>
    /// What the backward needs: h_0, U, h_t for every step, the gates r, z, n [T, B, 3H], and
    /// Extra: reset before, q_t = r_t ⊙ h_{t-1} [T, B, H]; after, U h_{t-1} + b_U [T, B, 3H].
    /// </summary>
    internal sealed record Saved(Tensor H0, Tensor U, Tensor HAll, Tensor Gates, Tensor Extra, GruReset Reset) : WindowSaved<Saved>
    {
        public override IReadOnlyList<Tensor?> Tensors => [H0, U, HAll, Gates, Extra];

        public override Saved Restore(IReadOnlyList<Tensor?> tensors) =>
            this with { H0 = tensors[0]!, U = tensors[1]!, HAll = tensors[2]!, Gates = tensors[3]!, Extra = tensors[4]! };
    }

    public override string Name => nameof(GruWindowFunction);

    /// <summary>Runs the window; returns h_t for every step, [T, B, H].</summary>
    public static Tensor Apply(Inputs inputs) => Run(inputs)[0];

    protected override (List<Tensor> Outputs, Saved Saved) Forward(Inputs inputs, KernelScalars scalars)
    {
        var (x, h0, u, b) = (inputs.Projection, inputs.H0, inputs.U, inputs.B);
        var one = scalars.One;
        var (steps, batch, hidden) = (x.shape[0], h0.shape[0], h0.shape[1]);
        var before = inputs.Reset == GruReset.Before;
        // Pre-activations [T, B, 3H], turned into the gates r, z, n in place step by step.
        // Reset after: b_U is added with U h below, since b_Un belongs inside r ⊙ (U_n h + b_Un).
        var gates = before ? x.add(b, one) : x.clone();
        var gates3 = gates.view(steps, batch, 3, hidden);
        var (rz, r, z, n) = (gates.narrow(2, 0, 2 * hidden).unbind(0), gates3.select(2, 0).unbind(0), gates3.select(2, 1).unbind(0), gates3.select(2, 2).unbind(0));
        var hAll = empty(steps, batch, hidden, dtype: x.dtype, device: x.device);
        var hs = hAll.unbind(0);
        // Reset before: q_t = r ⊙ h_{t-1}. Reset after: U h_{t-1} + b_U, all three blocks, [T, B, 3H].
        var extra = before ? empty_like(hAll) : b.expand(steps, batch, 3 * hidden).clone();
        var extraSteps = extra.unbind(0);
        var extraN = before ? null : extra.narrow(2, 2 * hidden, hidden).unbind(0);
        var extraRz = before ? null : extra.narrow(2, 0, 2 * hidden).unbind(0);
        var (uRz, uN, uAll) = Products(u, hidden, one);
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            if (before)
            {
                // [B, 2H] += [B, H] · [H, 2H], then n from U_n (r ⊙ h).
                uRz.AddForward(rz[t], h);
                rz[t].sigmoid_();
                var q = extraSteps[t].copy_(h).mul_(r[t]);
                uN.AddForward(n[t], q);
                n[t].tanh_();
            }
            else
            {
                // One product for all three blocks: [B, 3H] += [B, H] · [H, 3H].
                uAll.AddForward(extraSteps[t], h);
                rz[t].add_(extraRz![t], one).sigmoid_();
                n[t].addcmul_(r[t], extraN![t], one).tanh_();
            }
            // h_t = (1 − z) n + z h_{t-1} = n + z (h_{t-1} − n)
            h = hs[t].copy_(h).sub_(n[t]).mul_(z[t]).add_(n[t], one);
        }
        return ([hAll], new Saved(h0, u, hAll, gates, extra, inputs.Reset));
    }

    protected override List<Tensor?> Backward(Saved saved, IReadOnlyList<Tensor> gradOutputs, KernelScalars scalars)
    {
        var (h0, u, hAll, gates, extra) = (saved.H0, saved.U, saved.HAll, saved.Gates, saved.Extra);
        var one = scalars.One;
        var before = saved.Reset == GruReset.Before;
        var (steps, batch, hidden) = ((int)hAll.shape[0], hAll.shape[1], hAll.shape[2]);
        var (uRz, uN, uAll) = Products(u, hidden, one);
        var dH = gradOutputs[0];
        // [T, B, H] each: the states each step started from, and the gates.
        var hPrev = WindowGradients.PreviousStates(h0, hAll);
        var gates3 = gates.view(steps, batch, 3, hidden);
        var (rAll, zAll, nAll) = (gates3.select(2, 0), gates3.select(2, 1), gates3.select(2, 2));

        // Factors independent of the carried δh, for the whole window at once; 1 − x is
        // negative().add(1, 1), what TorchSharp's 1 - x runs.
        var oneMinusZ = zAll.negative().add(one, one);
        var nFactor = oneMinusZ.mul(nAll.mul(nAll).negative().add(one, one));
        var zFactor = hPrev.sub(nAll).mul(zAll).mul(zAll.negative().add(one, one));
        // δa_r = (δq or δa_n) ⊙ rFactor: h_{t-1} r(1 − r) before, m r(1 − r) after.
        var rFactor = (before ? hPrev : extra.narrow(2, 2 * hidden, hidden)).mul(rAll).mul(rAll.negative().add(one, one));

        // δa for every step, [T, B, 3H]; after the reset its n block holds δm (what U sees),
        // and δa_n (what X sees) is kept apart.
        var dA = empty_like(gates);
        var dA3 = dA.view(steps, batch, 3, hidden);
        var dAn = before ? null : empty_like(hAll);
        var (dSlot, dRz, dR, dZ, dN) = (dA.unbind(0), dA.narrow(2, 0, 2 * hidden).unbind(0), dA3.select(2, 0).unbind(0), dA3.select(2, 1).unbind(0), dA3.select(2, 2).unbind(0));
        var dAnSteps = dAn?.unbind(0);
        var (dHSteps, nF, zF, rF, rSteps, zSteps) = (dH.unbind(0), nFactor.unbind(0), zFactor.unbind(0), rFactor.unbind(0), rAll.unbind(0), zAll.unbind(0));
        var dh = dHSteps[steps - 1];
        for (var t = steps - 1; t >= 0; t--)
        {
            dZ[t].copy_(dh).mul_(zF[t]);
            Tensor next;
            if (before)
            {
                var dan = dN[t].copy_(dh).mul_(nF[t]);
                // [B, H] · [H, H] → [B, H]: the gradient reaching q = r ⊙ h_{t-1}.
                var dq = uN.Backward(dan, null);
                dR[t].copy_(dq).mul_(rF[t]);
                next = uRz.Backward(dRz[t], t > 0 ? dHSteps[t - 1] : null).addcmul_(dq, rSteps[t], one);
            }
            else
            {
                var dan = dAnSteps![t].copy_(dh).mul_(nF[t]);
                dR[t].copy_(dan).mul_(rF[t]);
                dN[t].copy_(dan).mul_(rSteps[t]);
                // [B, 3H] · [3H, H] → [B, H]
                next = uAll.Backward(dSlot[t], t > 0 ? dHSteps[t - 1] : null);
            }
            dh = next.addcmul_(dh, zSteps[t], one);
        }

        // Weight gradients of the whole window, one matmul each.
        Tensor dU, dX;
        if (before)
        {
            dU = cat([WindowGradients.Weight(dA.narrow(2, 0, 2 * hidden), hPrev), WindowGradients.Weight(dA.narrow(2, 2 * hidden, hidden), extra)], 0);
            dX = dA;
        }
        else
        {
            dU = WindowGradients.Weight(dA, hPrev);
            dX = cat([dA.narrow(2, 0, 2 * hidden), dAn!], 2);
        }
        return [dX, dh, dU, WindowGradients.Bias(dA)];
    }

    /// <summary>U's recurrent products: the r and z rows [2H, H], the n rows [H, H], and all of U [3H, H].</summary>
    private static (SplitProduct Rz, SplitProduct N, SplitProduct All) Products(Tensor u, long hidden, TorchSharp.Scalar one) =>
        (SplitProduct.ForCurrentThreads(u.narrow(0, 0, 2 * hidden), one),
         SplitProduct.ForCurrentThreads(u.narrow(0, 2 * hidden, hidden), one),
         SplitProduct.ForCurrentThreads(u, one));
}
