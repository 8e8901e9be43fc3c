using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of a Clockwork RNN layer as one autograd function that does only the work
/// of the modules that tick: each module's input projection over the steps where it fires,
/// and at each step only the active rows of the recurrent product.
/// </summary>
/// <remarks>
/// It needs periods where each divides the next (T_i | T_j for i &lt; j, as with the default
/// 2^i): then a module ticks only when every faster one does, so the active units at step t
/// are a prefix [0, m_t·k) of the hidden layer and every product is a contiguous slice. With
/// periods 2^i about two modules tick per step whatever their number, so a 16-module layer
/// does about 1/8 of a vanilla RNN's work. <see cref="ClockworkCell"/> falls back to the
/// general <see cref="ElmanWindowFunction"/> for other period lists.
/// <para>
/// Inputs: x [T, B, I], W [H, I], b_W [H], h_0 [B, H], U [H, H] (already multiplied by the
/// block-upper-triangular mask, so autograd keeps masked entries at zero gradient), b_U [H].
/// With P_t the active prefix and a_t = W_P x_t + b_W,P + U_P h_{t-1} + b_U,P:
/// </para>
/// <code>
/// h_t[P_t] = φ(a_t),  h_t[rest] = h_{t-1}[rest]
/// δa_t = δh_t[P_t] ⊙ φ'(a_t)
/// δh_{t-1} = ∂L/∂h_{t-1} + U_P^T δa_t + (δh_t outside P_t)
/// per module i over its firing steps S_i:  δW_i = Σ_{S_i} δa_i^T x_t,  δU_i = Σ_{S_i} δa_i^T h_{t-1},
/// δx_t = Σ_{i active} W_i^T δa_i,  δb_W = δb_U = Σ_t δa_t
/// </code>
/// Proved against the autograd loop of <see cref="ClockworkCell"/> to float64 rounding by the tests.
/// </remarks>
internal sealed class ClockworkWindowFunction : autograd.MultiTensorFunction<ClockworkWindowFunction>
{
    public override string Name => nameof(ClockworkWindowFunction);

    /// <summary>True when every period divides the next, the condition for active prefixes.</summary>
    public static bool Applies(IReadOnlyList<int> periods)
    {
        for (var i = 1; i < periods.Count; i++)
            if (periods[i] % periods[i - 1] != 0) return false;
        return true;
    }

    /// <summary>Runs the window; returns h_t for every step, [T, B, H].</summary>
    public static Tensor Run(Tensor x, Tensor weightIh, Tensor biasIh, Tensor h0, Tensor u, Tensor biasHh, Activation activation, int[] periods, long clock) =>
        apply(x, weightIh, biasIh, h0, u, biasHh, activation, periods, clock)[0];

    /// <summary>The steps of a window where module with period <paramref name="period"/> fires: first, count.</summary>
    private static (long First, long Count) Firing(long steps, int period, long clock)
    {
        var first = (period - (clock % period)) % period;
        return first < steps ? (first, ((steps - 1 - first) / period) + 1) : (first, 0);
    }

    /// <summary>A [count, ...] view of the steps first, first + period, ... of <paramref name="t"/>.</summary>
    private static Tensor Steps(Tensor t, (long First, long Count) firing, int period) =>
        t.slice(0, firing.First, firing.First + ((firing.Count - 1) * period) + 1, period);

    /// <summary>
    /// Runs of consecutive modules that fire at exactly the same steps of the window, as (first
    /// module, modules, firing, period). Slow modules fire at most once in a window shorter than
    /// their periods, all at the same step, so with periods 2^i and windows of 100 the 16 modules
    /// make 8 groups: half the small per-module products, whose cost is their call overhead.
    /// </summary>
    private static List<(int First, int Count, (long First, long Count) Firing, int Period)> ModuleGroups(long steps, int[] periods, long clock)
    {
        var groups = new List<(int First, int Count, (long First, long Count) Firing, int Period)>();
        for (var i = 0; i < periods.Length; i++)
        {
            var firing = Firing(steps, periods[i], clock);
            if (firing.Count == 0) continue;
            var joins = groups.Count > 0 && groups[^1].First + groups[^1].Count == i && groups[^1].Firing == firing
                && (firing.Count == 1 || groups[^1].Period == periods[i]);
            if (joins) groups[^1] = groups[^1] with { Count = groups[^1].Count + 1 };
            else groups.Add((i, 1, firing, periods[i]));
        }
        return groups;
    }

    /// <summary>Each group's rows of the hidden state (modules of <paramref name="k"/> units), firing and period.</summary>
    private static IEnumerable<((long Start, long Length) Rows, (long First, long Count) Firing, int Period)> Rows(
        List<(int First, int Count, (long First, long Count) Firing, int Period)> groups, long k) =>
        groups.Select(g => ((g.First * k, g.Count * k), g.Firing, g.Period));

    /// <summary>How many modules (a prefix) tick at each step of the window.</summary>
    private static int[] ActivePrefix(int steps, int[] periods, long clock)
    {
        var m = new int[steps];
        for (var t = 0; t < steps; t++)
            while (m[t] < periods.Length && (clock + t) % periods[m[t]] == 0) m[t]++;
        return m;
    }

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, w, bw, h0, u, bu) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4], (Tensor)vars[5]);
        var (activation, periods, clock) = ((Activation)vars[6], (int[])vars[7], (long)vars[8]);
        using var _ = no_grad();
        var (steps, batch, hidden) = (x.shape[0], h0.shape[0], h0.shape[1]);
        var k = hidden / periods.Length;
        var prefix = ActivePrefix((int)steps, periods, clock);

        // Each module's input projection, only over the steps where it fires, into [T, B, H]
        // (the slots of idle modules stay unused).
        var projection = empty(steps, batch, hidden, dtype: x.dtype, device: x.device);
        var groups = ModuleGroups(steps, periods, clock);
        foreach (var (rows, firing, period) in Rows(groups, k))
        {
            // [n, B, I] → [n, B, rows]
            var xi = Steps(x, firing, period);
            Steps(projection, firing, period).narrow(2, rows.Start, rows.Length)
                .copy_(nn.functional.linear(xi, w.narrow(0, rows.Start, rows.Length), bw.narrow(0, rows.Start, rows.Length)));
        }

        // b_U once for the whole window, so each step is one addmm_ into its own slot.
        projection.add_(bu);

        // Per-step overhead dominates at these sizes, so the views each step needs are made
        // up front: one per step (unbind) and one per possible prefix of U.
        var hAll = empty(steps, batch, hidden, dtype: x.dtype, device: x.device);
        var hSteps = hAll.unbind(0);
        var pSteps = projection.unbind(0);
        // [m·k, H] for every prefix m: the active rows of U.
        var uPrefix = Prefixes(u, periods.Length, k);
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            var ht = hSteps[t];
            ht.copy_(h);
            var m = prefix[t];
            if (m > 0)
            {
                // [B, m·k] += [B, H] · [H, m·k]: only the active rows of U.
                var a = pSteps[t].narrow(1, 0, m * k);
                uPrefix[m]!.AddForward(a, h);
                ht.narrow(1, 0, m * k).copy_(activation == Activation.Tanh ? a.tanh_() : a.sigmoid_());
            }
            h = ht;
        }
        ctx.save_for_backward([x, w, h0, u, hAll]);
        ctx.save_data("activation", activation);
        ctx.save_data("periods", periods);
        ctx.save_data("clock", clock);
        return [hAll];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ctx.get_saved_variables();
        var (x, w, h0, u, hAll) = (saved[0], saved[1], saved[2], saved[3], saved[4]);
        var activation = (Activation)ctx.get_data("activation");
        var periods = (int[])ctx.get_data("periods");
        var clock = (long)ctx.get_data("clock");
        // The engine may call this on its own thread: a local scope frees the intermediates.
        using var scope = NewDisposeScope();
        var (steps, batch, hidden, inputs) = (hAll.shape[0], hAll.shape[1], hAll.shape[2], x.shape[2]);
        var k = hidden / periods.Length;
        var prefix = ActivePrefix((int)steps, periods, clock);
        var dH = grad_outputs[0];
        // φ'(a_t) from h_t, right wherever a unit ticked: [T, B, H].
        var slope = activation == Activation.Tanh ? 1 - hAll * hAll : hAll * (1 - hAll);

        // δa_t in [T, B, H], zero where a unit was idle; δh carried in one buffer whose
        // prefix views are made once, as are the per-step views (per-step overhead dominates).
        var dA = zeros_like(hAll);
        var dh = zeros_like(h0);
        var daSteps = dA.unbind(0);
        var dHSteps = dH.unbind(0);
        var slopeSteps = slope.unbind(0);
        var dhPrefix = Enumerable.Range(0, periods.Length + 1).Select(m => m == 0 ? null : dh.narrow(1, 0, m * k)).ToArray();
        var uPrefix = Prefixes(u, periods.Length, k);
        for (var t = (int)steps - 1; t >= 0; t--)
        {
            dh.add_(dHSteps[t]);
            var m = prefix[t];
            if (m == 0) continue;
            var da = daSteps[t].narrow(1, 0, m * k);
            da.copy_(dhPrefix[m]!).mul_(slopeSteps[t].narrow(1, 0, m * k));
            // Active units were overwritten, so only the idle ones pass δh straight through;
            // [B, m·k] · [m·k, H] → [B, H] adds what reaches h_{t-1} through U.
            dhPrefix[m]!.zero_();
            uPrefix[m]!.AddBackward(dh, da);
        }

        // Per group of modules firing together, one matmul over the steps where it fired, for each weight gradient.
        var hPrev = cat([h0.unsqueeze(0), hAll.narrow(0, 0, steps - 1)], 0);
        var dW = zeros_like(w);
        var dBw = zeros(hidden, dtype: w.dtype, device: w.device);
        var dU = zeros_like(u);
        var dX = zeros_like(x);
        foreach (var (rows, firing, period) in Rows(ModuleGroups(steps, periods, clock), k))
        {
            var samples = firing.Count * batch;
            // [n·B, rows]: the group's deltas where it fired.
            var dAi = Steps(dA, firing, period).narrow(2, rows.Start, rows.Length).reshape(samples, rows.Length);
            var wi = w.narrow(0, rows.Start, rows.Length);
            dW.narrow(0, rows.Start, rows.Length).copy_(dAi.t().matmul(Steps(x, firing, period).reshape(samples, inputs)));
            dBw.narrow(0, rows.Start, rows.Length).copy_(dAi.sum(new long[] { 0 }));
            // [rows, n·B] · [n·B, H]: the gradient of every entry of these rows of U, as the
            // forward used them. The caller passes U already multiplied by the connectivity mask,
            // so autograd zeroes the entries a module does not hear on the way to weight_hh.
            dU.narrow(0, rows.Start, rows.Length).copy_(dAi.t().matmul(Steps(hPrev, firing, period).reshape(samples, hidden)));
            // [n·B, rows] · [rows, I] → the input gradient at the firing steps.
            Steps(dX, firing, period).add_(dAi.matmul(wi).reshape(firing.Count, batch, inputs));
        }
        var dBu = dA.sum(new long[] { 0, 1 });
        List<Tensor> result = [dX, dW, dBw, dh, dU, dBu];
        foreach (var r in result) r.MoveToOuterDisposeScope();
        return [.. result, null!, null!, null!];
    }

    /// <summary>For every prefix m of the modules (index 0 unused), the product with U's first m·k rows: what the active modules compute.</summary>
    private static SplitProduct?[] Prefixes(Tensor u, int modules, long k) =>
        [.. Enumerable.Range(0, modules + 1).Select(m => m == 0 ? null : SplitProduct.ForCurrentThreads(u.narrow(0, 0, m * k)))];
}
