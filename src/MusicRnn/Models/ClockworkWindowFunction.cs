using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A whole window of a Clockwork RNN layer as one autograd function that does only the work
/// of the modules that tick: each module's input projection over the steps where it fires,
/// and at each step only the active rows of the recurrent product.
/// </summary>
/// <remarks>
/// Koutník, Greff, Gomez &amp; Schmidhuber (2014), A Clockwork RNN, ICML; equations as in
/// <see cref="ClockworkCell"/>. It needs periods where each divides the next (T_i | T_j for i &lt; j, as with the default
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
/// At batch 1 a step costs its products plus TorchSharp's per-call overhead, so the loops make
/// no tensor and no view: the window runs in the cell's <see cref="ClockworkWorkspace"/>. Slot t
/// holds the input part of a_t and becomes h_t in place (the states are copied out at the
/// end); backward, slot t holds δh_t and each step adds what passes back into slot t − 1.
/// Proved against the autograd loop of <see cref="ClockworkCell"/> to float64 rounding by the tests.
/// </remarks>
internal sealed class ClockworkWindowFunction : WindowFunction<ClockworkWindowFunction, ClockworkWindowFunction.Inputs, ClockworkWindowFunction.Saved>
{
    /// <param name="X">The layer's inputs x_t, [T, B, I].</param>
    /// <param name="W">W, [H, I].</param>
    /// <param name="BW">b_W, [H].</param>
    /// <param name="H0">h_0, [B, H].</param>
    /// <param name="U">U, [H, H], already masked.</param>
    /// <param name="BU">b_U, [H].</param>
    /// <param name="Activation">φ.</param>
    /// <param name="Periods">T_i for each module, each dividing the next.</param>
    /// <param name="Clock">Steps since the state was reset, at the window's first step.</param>
    /// <param name="Workspace">The calling cell's buffers.</param>
    internal sealed record Inputs(Tensor X, Tensor W, Tensor BW, Tensor H0, Tensor U, Tensor BU,
        Activation Activation, int[] Periods, long Clock, ClockworkWorkspace Workspace) : WindowInputs
    {
        public override IReadOnlyList<Tensor?> Tensors => [X, W, BW, H0, U, BU];
    }

    internal sealed record Saved(Tensor X, Tensor W, Tensor H0, Tensor U, Tensor HAll,
        Activation Activation, int[] Periods, long Clock, ClockworkWorkspace Workspace) : WindowSaved<Saved>
    {
        public override IReadOnlyList<Tensor?> Tensors => [X, W, H0, U, HAll];

        public override Saved Restore(IReadOnlyList<Tensor?> tensors) =>
            this with { X = tensors[0]!, W = tensors[1]!, H0 = tensors[2]!, U = tensors[3]!, HAll = tensors[4]! };
    }

    public override string Name => nameof(ClockworkWindowFunction);

    /// <summary>True when every period divides the next, the condition for active prefixes.</summary>
    public static bool Applies(IReadOnlyList<int> periods)
    {
        for (var i = 1; i < periods.Count; i++)
            if (periods[i] % periods[i - 1] != 0) return false;
        return true;
    }

    /// <summary>Runs the window in the calling cell's workspace; returns h_t for every step, [T, B, H].</summary>
    public static Tensor Apply(Inputs inputs) => Run(inputs)[0];

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

    protected override (List<Tensor> Outputs, Saved Saved) Forward(Inputs inputs, KernelScalars scalars)
    {
        var (x, w, bw, h0, u, bu) = (inputs.X, inputs.W, inputs.BW, inputs.H0, inputs.U, inputs.BU);
        var (activation, periods, clock, workspace) = (inputs.Activation, inputs.Periods, inputs.Clock, inputs.Workspace);
        var one = scalars.One;
        var (steps, batch, hidden) = (x.shape[0], h0.shape[0], h0.shape[1]);
        var (modules, k) = (periods.Length, hidden / periods.Length);
        var prefix = ActivePrefix((int)steps, periods, clock);
        // Slot t of the window's buffer first holds the input part of a_t, then becomes h_t.
        var slots = workspace.For(steps, batch, hidden, x).First;

        // The biases, then each module's input projection added over the steps where it fires
        // (slots of idle modules are filled from h_{t-1} in the loop and never read before).
        slots.All.copy_(bw.add(bu, one));
        foreach (var (rows, firing, period) in Rows(ModuleGroups(steps, periods, clock), k))
        {
            // [n·B, I] · [I, rows] into the group's [n, B, rows] slots.
            var xi = Steps(x, firing, period).reshape(firing.Count * batch, x.shape[2]);
            var wi = SplitProduct.ForCurrentThreads(w.narrow(0, rows.Start, rows.Length), one);
            OnSteps(Steps(slots.All, firing, period).narrow(2, rows.Start, rows.Length), slot => wi.AddForward(slot, xi), one);
        }

        // [m·k, H] for every prefix m some step uses: the active rows of U.
        var uPrefix = Prefixes(u, k, prefix, one);
        for (var t = 0; t < steps; t++)
        {
            var m = prefix[t];
            var hPrev = t == 0 ? h0 : slots.Step(t - 1);
            if (m > 0)
            {
                // [B, m·k] += [B, H] · [H, m·k]: only the active rows of U.
                var a = slots.Prefix(t, m);
                uPrefix[m]!.AddForward(a, hPrev);
                if (activation == Activation.Tanh) a.tanh_();
                else a.sigmoid_();
            }
            // Idle modules keep their state.
            if (m < modules) slots.Suffix(t, m).copy_(t == 0 ? h0.narrow(1, m * k, hidden - (m * k)) : slots.Suffix(t - 1, m));
        }
        var hAll = slots.All.clone();
        return ([hAll], new Saved(x, w, h0, u, hAll, activation, periods, clock, workspace));
    }

    protected override List<Tensor?> Backward(Saved saved, IReadOnlyList<Tensor> gradOutputs, KernelScalars scalars)
    {
        var (x, w, h0, u, hAll) = (saved.X, saved.W, saved.H0, saved.U, saved.HAll);
        var (activation, periods, clock, workspace) = (saved.Activation, saved.Periods, saved.Clock, saved.Workspace);
        var (one, minusOne) = (scalars.One, scalars.MinusOne);
        var (steps, batch, hidden) = (hAll.shape[0], hAll.shape[1], hAll.shape[2]);
        var (modules, k) = (periods.Length, hidden / periods.Length);
        var prefix = ActivePrefix((int)steps, periods, clock);
        var (upstream, deltas) = workspace.For(steps, batch, hidden, hAll);

        // Slot t of upstream holds δh_t: ∂L/∂h_t, to which step t + 1 adds what it passes back.
        upstream.All.copy_(gradOutputs[0]);
        // φ'(a_t) from h_t, right wherever a unit ticked; the loop turns it into δa_t in place
        // at the units that ticked. Entries of idle units are never read.
        if (activation == Activation.Tanh) deltas.All.fill_(one).addcmul_(hAll, hAll, minusOne);
        else deltas.All.copy_(hAll).addcmul_(hAll, hAll, minusOne);

        var dh0 = zeros_like(h0);
        var uPrefix = Prefixes(u, k, prefix, one);
        for (var t = (int)steps - 1; t >= 0; t--)
        {
            var m = prefix[t];
            // Idle units pass δh straight back to h_{t-1}; active ones were overwritten.
            if (m < modules) (t == 0 ? dh0.narrow(1, m * k, hidden - (m * k)) : upstream.Suffix(t - 1, m)).add_(upstream.Suffix(t, m), one);
            if (m == 0) continue;
            // δa_t = δh_t ⊙ φ'(a_t) over the active units, [B, m·k]; [B, m·k] · [m·k, H] → [B, H]
            // adds what reaches h_{t-1} through U.
            var da = deltas.Prefix(t, m).mul_(upstream.Prefix(t, m));
            uPrefix[m]!.AddBackward(t == 0 ? dh0 : upstream.Step(t - 1), da);
        }
        var dA = deltas.All;

        // Per group of modules firing together, one matmul over the steps where it fired, for
        // each weight gradient, added straight into the group's rows. The rows of modules that
        // never fired in this window keep their zeros.
        var hPrev = WindowGradients.PreviousStates(h0, hAll);
        var dW = zeros_like(w);
        var dU = zeros_like(u);
        var dB = zeros(hidden, dtype: w.dtype, device: w.device);
        var dX = zeros_like(x);
        foreach (var (rows, firing, period) in Rows(ModuleGroups(steps, periods, clock), k))
        {
            // [n·B, rows]: the group's deltas where it fired.
            var dAi = Steps(dA, firing, period).narrow(2, rows.Start, rows.Length).reshape(firing.Count * batch, rows.Length);
            WindowGradients.AddWeight(dW.narrow(0, rows.Start, rows.Length), dAi, Steps(x, firing, period));
            // The gradient of every entry of these rows of U, as the forward used them. The caller
            // passes U already multiplied by the connectivity mask, so autograd zeroes the entries
            // a module does not hear on the way to weight_hh.
            WindowGradients.AddWeight(dU.narrow(0, rows.Start, rows.Length), dAi, Steps(hPrev, firing, period));
            dB.narrow(0, rows.Start, rows.Length).copy_(WindowGradients.Bias(dAi));
            // [n·B, rows] · [rows, I] → the input gradient at the firing steps.
            var wi = SplitProduct.ForCurrentThreads(w.narrow(0, rows.Start, rows.Length), one);
            OnSteps(Steps(dX, firing, period), slot => wi.AddBackward(slot, dAi), one);
        }
        // b_W and b_U enter a_t the same way, so they share one gradient.
        return [dX, dW, dB, dh0, dU, dB.clone()];
    }

    /// <summary>
    /// Adds <paramref name="product"/>'s result to <paramref name="target"/>, a [n, B, C] view of a
    /// window buffer's steps, handed over as one [n·B, C] matrix: in place when its rows are
    /// evenly spaced (batch 1, one step, or every step), else through a temporary. The product
    /// of a group that fired once is a long matrix–vector product, which <see cref="SplitProduct"/>
    /// spreads over the threads.
    /// </summary>
    private static void OnSteps(Tensor target, Action<Tensor> product, TorchSharp.Scalar one)
    {
        var (n, batch, columns) = (target.shape[0], target.shape[1], target.shape[2]);
        if (batch == 1 || n == 1 || target.stride(0) == batch * target.stride(1))
        {
            product(target.view(n * batch, columns));
            return;
        }
        var sum = zeros(n * batch, columns, dtype: target.dtype, device: target.device);
        product(sum);
        target.add_(sum.view(n, batch, columns), one);
    }

    /// <summary>For every prefix m of the modules that some step uses, the product with U's first m·k rows: what the active modules compute.</summary>
    private static SplitProduct?[] Prefixes(Tensor u, long k, int[] prefix, TorchSharp.Scalar one)
    {
        var products = new SplitProduct?[prefix.DefaultIfEmpty().Max() + 1];
        foreach (var m in prefix)
            if (m > 0) products[m] ??= SplitProduct.ForCurrentThreads(u.narrow(0, 0, m * k), one);
        return products;
    }
}
