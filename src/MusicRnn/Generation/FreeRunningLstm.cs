using MusicRnn.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// Free-running generation of an LSTM model (each predicted frame fed back as the next input,
/// without noise) at the speed the weights allow: the feedback is folded into the recurrence.
/// Made once per model, then run chunk after chunk.
/// </summary>
/// <remarks>
/// Fed back, the next input is x_{t+1} = ŷ_t = W_y h_t + b_y, so layer 0's input projection is
/// W x_{t+1} + b_W = (W W_y) h_t + (W b_y + b_W): one [4H, H] matrix V = W W_y on the top
/// layer's state instead of two products through the frame. With one layer V joins U
/// (U + V), so each step reads one 4H × H matrix where the plain loop reads three (W, U and
/// the head); at batch 1 every step is bound by how fast the weights stream from memory. The
/// head then runs once over all generated states as one matmul. Each step is a dozen in-place
/// calls on preallocated buffers. It computes what <see cref="FrameModel.forward"/> fed its own
/// predictions computes, up to float rounding (the tests prove it in float64).
/// <para>
/// The fold is a product of two weight matrices, which costs as much as some steps through
/// forward, so it is made once, when this object is built, and every <see cref="Run"/> reuses
/// it: a generator runs one chunk at a time and must not pay it per chunk (the speed-up and the
/// cost are measured by <c>musicrnn perf</c>, bench/results/2026-11-26-final-threads2). The object
/// therefore holds a snapshot of the weights' products; a model trained afterwards needs a new
/// one. It owns its tensors (outside every dispose scope) and the Scalar 1 its additions take
/// (held for its life, so none is a temporary the collector could free mid-call: see
/// docs/ARCHITECTURE.md, Models), and frees them in <see cref="Dispose"/>.
/// </para>
/// </remarks>
internal sealed class FreeRunningLstm : IDisposable
{
    private readonly int layers;
    private readonly long hidden;
    // The head, ŷ = W_y h + b_y: W_y [O, H], b_y [O].
    private readonly Tensor headWeight;
    private readonly Tensor headBias;
    // Layer 0's own W [4H, I] and U [4H, H], for the first step, whose input is a real frame.
    private readonly Tensor firstInput;
    private readonly Tensor firstRecurrent;
    // W b_y [4H]: folded into layer 0's bias, taken back out at the first step.
    private readonly Tensor foldedHeadBias;
    // Per layer, b_ih + b_hh [4H] (+ W b_y at layer 0).
    private readonly Tensor[] bias;
    // Per layer, the peepholes (p_i, p_f) stacked [2, H] and p_o [H]; null without peepholes.
    private readonly Tensor[]? peepholeInForget;
    private readonly Tensor[]? peepholeOut;
    // Per layer, the product with the layer below's h (layer 0: V on the top layer's h, unused
    // with one layer) and with the layer's own h (layer 0 with one layer: U + V).
    private readonly SplitProduct[] input;
    private readonly SplitProduct[] recurrent;
    // The alpha of every addition and the value of every addcmul_, for this object's life.
    private readonly Scalar one;
    // Every tensor made here, the split products' views included, and the Scalar: freed by Dispose.
    private readonly IDisposable[] owned;
    private bool disposed;

    /// <summary>Prepares the fold of <paramref name="model"/>'s current weights.</summary>
    /// <param name="model">An LSTM model (see <see cref="Supports"/>).</param>
    public FreeRunningLstm(FrameModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Supports(model)) throw new ArgumentException("free-running folding needs an LSTM model", nameof(model));
        var spec = model.Spec;
        (layers, hidden) = (spec.Layers, spec.HiddenSize);
        using var grad = no_grad();
        one = 1.ToScalar();

        // Every tensor made in this scope is either kept (detached below, then ours) or a
        // temporary freed with the scope, whatever scope the caller has open.
        using var scope = NewDisposeScope();
        // Aliases of the parameters (sharing their storage) so the parameter wrappers'
        // lifetimes are not ours to reason about.
        var p = model.named_parameters().ToDictionary(n => n.name, n => n.parameter.detach());
        var peepholes = p.ContainsKey("rnn.peephole_i_l0");
        (headWeight, headBias) = (p["head.weight"], p["head.bias"]);
        (firstInput, firstRecurrent) = (p["rnn.weight_ih_l0"], p["rnn.weight_hh_l0"]);
        // The fold: [4H, I] · [I, H] → V = W W_y, and W b_y joins the bias.
        var fold = firstInput.matmul(headWeight);
        foldedHeadBias = firstInput.matmul(headBias);
        bias = new Tensor[layers];
        for (var l = 0; l < layers; l++)
        {
            bias[l] = p[$"rnn.bias_ih_l{l}"].add(p[$"rnn.bias_hh_l{l}"], one);
            if (l == 0) bias[l].add_(foldedHeadBias, one);
        }
        peepholeInForget = peepholes ? [.. Enumerable.Range(0, layers).Select(l => stack([p[$"rnn.peephole_i_l{l}"], p[$"rnn.peephole_f_l{l}"]], 0))] : null;
        peepholeOut = peepholes ? [.. Enumerable.Range(0, layers).Select(l => p[$"rnn.peephole_o_l{l}"])] : null;
        var foldedRecurrent = layers == 1 ? firstRecurrent.add(fold, one) : firstRecurrent;
        var kept = new List<Tensor> { headWeight, headBias, firstInput, firstRecurrent, foldedHeadBias, fold };
        if (layers == 1) kept.Add(foldedRecurrent);
        kept.AddRange(bias);
        kept.AddRange(peepholeInForget ?? []);
        kept.AddRange(peepholeOut ?? []);
        kept.AddRange(Enumerable.Range(1, layers - 1).SelectMany(l => new[] { p[$"rnn.weight_ih_l{l}"], p[$"rnn.weight_hh_l{l}"] }));
        scope.Detach(kept);

        // The split products keep views of their weights; made in a scope of their own, the
        // views are exactly what that scope holds, and they become ours too.
        using var products = NewDisposeScope();
        input = new SplitProduct[layers];
        recurrent = new SplitProduct[layers];
        for (var l = 0; l < layers; l++)
        {
            input[l] = SplitProduct.ForCurrentThreads(l == 0 ? fold : p[$"rnn.weight_ih_l{l}"], one);
            recurrent[l] = SplitProduct.ForCurrentThreads(l == 0 ? foldedRecurrent : p[$"rnn.weight_hh_l{l}"], one);
        }
        var views = products.DisposablesView;
        products.Detach(views);
        owned = [.. kept, .. views, one];
    }

    /// <summary>
    /// True when <paramref name="model"/> is an LSTM with the plain head, which this path can run. A
    /// residual readout feeds back x_{t+1} = s ⊙ x_t + W_y h_t + b_y, which needs x_t itself, so
    /// W x_{t+1} no longer folds into a product with h_t alone; such a model runs frame by frame.
    /// </summary>
    public static bool Supports(FrameModel model) => model is RecurrentModel && model.Spec is { Arch: Architecture.Lstm, Readout: Readout.Plain };

    /// <summary>
    /// Generates <paramref name="frames"/> frames: the first from <paramref name="first"/>, every
    /// later one from the prediction before it. Run again from the last prediction and the
    /// returned state, it continues the same sequence.
    /// </summary>
    /// <param name="first">The first input frame, [B, I] (e.g. the last frame of the priming audio); not modified.</param>
    /// <param name="state">The state to start from (h, c per layer, each [B, H]); not modified.</param>
    /// <param name="frames">Frames to generate.</param>
    /// <returns>The predictions [frames, B, O] and the state after the last step, in the caller's dispose scope.</returns>
    public (Tensor Predictions, ModelState State) Run(Tensor first, ModelState state, int frames)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        using var grad = no_grad();
        using var scope = NewDisposeScope();
        var batch = first.shape[0];

        // Per layer: state buffers (written in place), the gate buffer and its views.
        var h = new Tensor[layers];
        var c = new Tensor[layers];
        var gates = new Tensor[layers];
        var biases = new Tensor[layers];
        for (var l = 0; l < layers; l++)
        {
            h[l] = state.Tensors[2 * l].clone();
            c[l] = state.Tensors[(2 * l) + 1].clone();
            gates[l] = empty(batch, 4 * hidden, dtype: first.dtype, device: first.device);
            biases[l] = bias[l].expand(batch, 4 * hidden);
        }

        // The top layer's h_t for every step, [frames, B, H]; the head runs on it at the end.
        var top = empty(frames, batch, hidden, dtype: first.dtype, device: first.device);
        var tops = top.unbind(0);
        // [B, 4H] as [B, 4, H]: the gates i, f, g, o side by side.
        var view = gates.Select(g => g.view(batch, 4, hidden)).ToArray();
        var (inForget, gCell, oGate) = (view.Select(v => v.narrow(1, 0, 2)).ToArray(), view.Select(v => v.select(1, 2)).ToArray(), view.Select(v => v.select(1, 3)).ToArray());
        var (iGate, fGate) = (view.Select(v => v.select(1, 0)).ToArray(), view.Select(v => v.select(1, 1)).ToArray());
        var cWide = c.Select(x => x.unsqueeze(1)).ToArray();

        for (var t = 0; t < frames; t++)
        {
            for (var l = 0; l < layers; l++)
            {
                var g = gates[l].copy_(biases[l]);
                if (l > 0)
                    input[l].AddForward(g, h[l - 1]);
                else if (t == 0)
                    // The first input is a real frame, not a prediction: W x + b_W, less the folded W b_y.
                    g.addmm_(first, firstInput.t()).sub_(foldedHeadBias);
                else if (layers > 1)
                    input[0].AddForward(g, h[layers - 1]);
                // With one layer the fold is inside recurrent[0] from the second step on.
                if (l == 0 && layers == 1 && t == 0) g.addmm_(h[l], firstRecurrent.t());
                else recurrent[l].AddForward(g, h[l]);
                if (peepholeInForget is not null) inForget[l].addcmul_(cWide[l], peepholeInForget[l], one);
                inForget[l].sigmoid_();
                gCell[l].tanh_();
                c[l].mul_(fGate[l]).addcmul_(iGate[l], gCell[l], one);
                if (peepholeOut is not null) oGate[l].addcmul_(c[l], peepholeOut[l], one);
                oGate[l].sigmoid_();
                // Lower layers keep h in their buffer; the top layer's h_t goes to its step's slot.
                var hNext = l == layers - 1 ? tops[t] : h[l];
                h[l] = hNext.copy_(c[l]).tanh_().mul_(oGate[l]);
            }
        }
        // [frames, B, H] · [H, O] → [frames, B, O]
        var predictions = nn.functional.linear(top, headWeight, headBias);
        // The state leaves as compact copies: the top h is a slot of the step buffer.
        var next = Enumerable.Range(0, layers).SelectMany(l => new[] { h[l].clone(), c[l].clone() }).ToArray();
        scope.MoveToOuter(next.Append(predictions).Cast<IDisposable>());
        return (predictions, new ModelState(next, state.Clock + frames));
    }

    /// <summary>Frees the fold, its Scalar and the aliases of the model's weights (the model keeps its own).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var d in owned) d.Dispose();
    }
}
