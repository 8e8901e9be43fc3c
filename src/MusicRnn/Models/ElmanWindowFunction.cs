using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of an Elman-style layer (the sigmoid RNN of <see cref="RnnCell"/>, the
/// Clockwork RNN of <see cref="ClockworkCell"/>) as one autograd function: the forward loop
/// builds no graph, the backward loop runs the deltas in reverse, and the weight gradients
/// of the window are single matmuls over all steps.
/// </summary>
/// <remarks>
/// Inputs: projection X [T, B, H] (W x_t + b_W), h_0 [B, H], U [H, H] (for the CW-RNN already
/// multiplied by its mask, so autograd keeps masked entries at zero gradient), b_U [H], the
/// activation, and optionally which units tick at each step, [T, H] booleans, with a per-step
/// flag for steps where none does. With a_t = X_t + U h_{t-1} + b_U:
/// <code>
/// h_t = active ? φ(a_t) : h_{t-1}
/// δa_t = active ? δh_t ⊙ φ'(a_t) : 0,   φ' = 1 − h_t² (tanh) or h_t (1 − h_t) (σ)
/// δh_{t-1} = ∂L/∂h_{t-1} + U^T δa_t + (inactive ? δh_t : 0)
/// δU = Σ_t δa_t^T h_{t-1},  δb_U = Σ_t δa_t,  δX_t = δa_t
/// </code>
/// Proved against the autograd loop to float64 rounding by the tests.
/// </remarks>
internal sealed class ElmanWindowFunction : autograd.MultiTensorFunction<ElmanWindowFunction>
{
    public override string Name => nameof(ElmanWindowFunction);

    /// <summary>Runs the window; <paramref name="active"/> null means every unit ticks at every step.</summary>
    public static Tensor Run(Tensor projection, Tensor h0, Tensor u, Tensor b, Activation activation, Tensor? active, bool[]? idle) =>
        apply(projection, h0, u, b, activation, active!, idle!)[0];

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, h0, u, b) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3]);
        var (activation, active, idle) = ((Activation)vars[4], vars[5] as Tensor, vars[6] as bool[]);
        using var _ = no_grad();
        if (active is null && idle is null)
        {
            // Every unit ticks at every step: a_t = (X_t + b_U) + h_{t-1} U^T is one addmm_ into
            // a copy of X, and φ runs in place there, so the buffer ends up holding h_t.
            var hBuffer = x + b;
            var slots = hBuffer.unbind(0);
            var recurrent = SplitProduct.ForCurrentThreads(u);
            var previous = h0;
            foreach (var slot in slots)
            {
                recurrent.AddForward(slot, previous);
                previous = activation == Activation.Tanh ? slot.tanh_() : slot.sigmoid_();
            }
            ctx.save_for_backward([h0, u, hBuffer]);
            ctx.save_data("activation", activation);
            return [hBuffer];
        }
        var hs = new Tensor[x.shape[0]];
        var h = h0;
        for (var t = 0; t < hs.Length; t++)
        {
            if (idle is not null && idle[t])
            {
                hs[t] = h;
                continue;
            }
            var a = x[t] + nn.functional.linear(h, u, b);
            var candidate = activation == Activation.Tanh ? a.tanh() : a.sigmoid();
            h = active is null ? candidate : where(active[t], candidate, h);
            hs[t] = h;
        }
        var hAll = stack(hs, 0);
        // Tensors go through save_for_backward, which keeps them alive past the caller's dispose scope.
        ctx.save_for_backward(active is null ? [h0, u, hAll] : [h0, u, hAll, active]);
        ctx.save_data("activation", activation);
        if (idle is not null) ctx.save_data("idle", idle);
        return [hAll];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ctx.get_saved_variables();
        var (h0, u, hAll) = (saved[0], saved[1], saved[2]);
        var activation = (Activation)ctx.get_data("activation");
        var active = saved.Count > 3 ? saved[3] : null;
        var idle = ctx.get_data("idle") as bool[];
        // The engine may call this on its own thread: a local scope frees the intermediates.
        using var scope = NewDisposeScope();
        var (steps, batch, hidden) = ((int)hAll.shape[0], hAll.shape[1], hAll.shape[2]);
        var dH = grad_outputs[0];
        // φ'(a_t) from h_t, right wherever a unit ticked (elsewhere δa is zero anyway): [T, B, H].
        var slope = activation == Activation.Tanh ? 1 - hAll * hAll : hAll * (1 - hAll);

        var deltas = new Tensor[steps];
        var dh = zeros_like(h0);
        if (active is null && idle is null)
        {
            // Two calls per step: δa_t = δh_t ⊙ φ', then δh_{t-1} = ∂L/∂h_{t-1} + δa_t U in one addmm.
            var dHSteps = dH.unbind(0);
            var slopeSteps = slope.unbind(0);
            var recurrent = SplitProduct.ForCurrentThreads(u);
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
                dh = dH[t] + dh;
                if (idle is not null && idle[t])
                {
                    deltas[t] = zeros_like(h0);
                    continue;
                }
                var da = active is null ? dh * slope[t] : where(active[t], dh * slope[t], 0.0);
                deltas[t] = da;
                // [B, H] · [H, H] → [B, H], plus the idle units' pass-through.
                var back = da.matmul(u);
                dh = active is null ? back : back + where(active[t], 0.0, dh);
            }
        }

        // Weight gradients of the whole window, one matmul each: [H, T·B] · [T·B, H].
        var dA = stack(deltas, 0);
        var hPrev = cat([h0.unsqueeze(0), hAll.narrow(0, 0, steps - 1)], 0);
        var flat = dA.reshape(steps * batch, hidden);
        var dU = flat.t().matmul(hPrev.reshape(steps * batch, hidden));
        var dB = flat.sum(new long[] { 0 });
        List<Tensor> result = [dA, dh, dU, dB];
        foreach (var r in result) r.MoveToOuterDisposeScope();
        return [.. result, null!, null!, null!];
    }
}
