using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// Free-running generation of an LSTM model (each predicted frame fed back as the next input,
/// without noise) at the speed the weights allow: the feedback is folded into the recurrence.
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
/// </remarks>
internal static class FreeRunningLstm
{
    /// <summary>True when <paramref name="model"/> is an LSTM this path can run.</summary>
    public static bool Supports(FrameModel model) => model is RecurrentModel && model.Spec.Arch == Architecture.Lstm;

    /// <summary>
    /// Generates <paramref name="frames"/> frames: the first from <paramref name="first"/>, every
    /// later one from the prediction before it.
    /// </summary>
    /// <param name="model">An LSTM model (see <see cref="Supports"/>).</param>
    /// <param name="first">The first input frame, [B, I] (e.g. the last frame of the priming audio).</param>
    /// <param name="state">The state to start from (h, c per layer, each [B, H]); not modified.</param>
    /// <param name="frames">Frames to generate.</param>
    /// <returns>The predictions [frames, B, O] and the state after the last step.</returns>
    public static (Tensor Predictions, ModelState State) Run(FrameModel model, Tensor first, ModelState state, int frames)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(state);
        if (!Supports(model)) throw new ArgumentException("free-running folding needs an LSTM model", nameof(model));
        using var _ = no_grad();
        var spec = model.Spec;
        var (layers, hidden, batch) = (spec.Layers, (long)spec.HiddenSize, first.shape[0]);
        var p = model.named_parameters().ToDictionary(n => n.name, n => (Tensor)n.parameter);
        var peepholes = p.ContainsKey("rnn.peephole_i_l0");
        var (wy, by) = (p["head.weight"], p["head.bias"]);

        // Per layer: state buffers (written in place), gate buffer and its views, summed bias.
        var h = new Tensor[layers];
        var c = new Tensor[layers];
        var gates = new Tensor[layers];
        var bias = new Tensor[layers];
        var recurrent = new SplitProduct[layers];
        var input = new SplitProduct[layers];
        for (var l = 0; l < layers; l++)
        {
            h[l] = state.Tensors[2 * l].clone();
            c[l] = state.Tensors[(2 * l) + 1].clone();
            gates[l] = empty(batch, 4 * hidden, dtype: first.dtype, device: first.device);
            var (w, u) = (p[$"rnn.weight_ih_l{l}"], p[$"rnn.weight_hh_l{l}"]);
            var b = p[$"rnn.bias_ih_l{l}"] + p[$"rnn.bias_hh_l{l}"];
            if (l == 0)
            {
                // The fold: [4H, I] · [I, H] → V = W W_y, and W b_y joins the bias.
                var v = w.matmul(wy);
                bias[l] = (b + w.matmul(by)).expand(batch, 4 * hidden);
                input[l] = SplitProduct.ForCurrentThreads(v);
                recurrent[l] = SplitProduct.ForCurrentThreads(layers == 1 ? u + v : u);
            }
            else
            {
                bias[l] = b.expand(batch, 4 * hidden);
                input[l] = SplitProduct.ForCurrentThreads(w);
                recurrent[l] = SplitProduct.ForCurrentThreads(u);
            }
        }

        // The top layer's h_t for every step, [frames, B, H]; the head runs on it at the end.
        var top = empty(frames, batch, hidden, dtype: first.dtype, device: first.device);
        var tops = top.unbind(0);
        var view = gates.Select(g => g.view(batch, 4, hidden)).ToArray();
        var (inForget, gCell, oGate) = (view.Select(v => v.narrow(1, 0, 2)).ToArray(), view.Select(v => v.select(1, 2)).ToArray(), view.Select(v => v.select(1, 3)).ToArray());
        var (iGate, fGate) = (view.Select(v => v.select(1, 0)).ToArray(), view.Select(v => v.select(1, 1)).ToArray());
        var cWide = c.Select(x => x.unsqueeze(1)).ToArray();
        var pIf = peepholes ? Enumerable.Range(0, layers).Select(l => stack([p[$"rnn.peephole_i_l{l}"], p[$"rnn.peephole_f_l{l}"]], 0)).ToArray() : null;
        var po = peepholes ? Enumerable.Range(0, layers).Select(l => p[$"rnn.peephole_o_l{l}"]).ToArray() : null;

        for (var t = 0; t < frames; t++)
        {
            for (var l = 0; l < layers; l++)
            {
                var g = gates[l].copy_(bias[l]);
                if (l > 0)
                    input[l].AddForward(g, h[l - 1]);
                else if (t == 0)
                    // The first input is a real frame, not a prediction: W x + b_W, less the folded W b_y.
                    g.addmm_(first, p["rnn.weight_ih_l0"].t()).sub_(p["rnn.weight_ih_l0"].matmul(by));
                else if (layers > 1)
                    input[0].AddForward(g, h[layers - 1]);
                // With one layer the fold is inside recurrent[0] from the second step on.
                if (l == 0 && layers == 1 && t == 0) g.addmm_(h[l], p["rnn.weight_hh_l0"].t());
                else recurrent[l].AddForward(g, h[l]);
                if (pIf is not null) inForget[l].addcmul_(cWide[l], pIf[l], 1);
                inForget[l].sigmoid_();
                gCell[l].tanh_();
                c[l].mul_(fGate[l]).addcmul_(iGate[l], gCell[l], 1);
                if (po is not null) oGate[l].addcmul_(c[l], po[l], 1);
                oGate[l].sigmoid_();
                // Lower layers keep h in their buffer; the top layer's h_t goes to its step's slot.
                var hNext = l == layers - 1 ? tops[t] : h[l];
                h[l] = hNext.copy_(c[l]).tanh_().mul_(oGate[l]);
            }
        }
        // [frames, B, H] · [H, O] → [frames, B, O]
        var predictions = nn.functional.linear(top, wy, by);
        var next = Enumerable.Range(0, layers).SelectMany(l => new[] { h[l], c[l] }).ToArray();
        return (predictions, new ModelState(next, state.Clock + frames));
    }
}
