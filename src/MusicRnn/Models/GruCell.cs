using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>Gated recurrent unit, reset gate before or after the recurrent product.</summary>
/// <remarks>
/// Cho et al. (2014), Learning phrase representations using RNN encoder–decoder for
/// statistical machine translation; Chung et al. (2014), Empirical evaluation of gated
/// recurrent neural networks on sequence modeling.
/// <code>
/// r_t = σ(W_r x_t + U_r h_{t-1} + b_r)
/// z_t = σ(W_z x_t + U_z h_{t-1} + b_z)
/// Before (Cho): n_t = tanh(W_n x_t + b_Wn + U_n (r_t ⊙ h_{t-1}) + b_Un)
/// After (cuDNN): n_t = tanh(W_n x_t + b_Wn + r_t ⊙ (U_n h_{t-1} + b_Un))
/// h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
/// </code>
/// Gate blocks are stacked (r, z, n) as in PyTorch. "After" is libtorch's <c>nn.GRU</c>, which
/// <see cref="Kernel.Fastest"/> runs fused on CUDA; on the CPU both run as one
/// <see cref="GruWindowFunction"/>. The autograd loop here (<see cref="Kernel.Reference"/>) is the
/// reference both are proved against.
/// </remarks>
internal sealed class GruCell : RecurrentCell
{
    private readonly GruReset reset;

    /// <param name="reset">Where the reset gate acts.</param>
    /// <param name="kernel"><see cref="Kernel.Reference"/> runs the autograd loop over steps;
    /// every other kernel the <see cref="GruWindowFunction"/> (hand-written backward).</param>
    public GruCell(GruReset reset, Kernel kernel = Kernel.Fastest) : base(kernel)
    {
        this.reset = reset;
    }

    public override int Gates => 3;

    public override (Tensor Output, Tensor[] State) Run(Tensor inputProjection, IReadOnlyList<Tensor> state, LayerWeights weights, long clock)
    {
        if (UsesWindowFunction)
        {
            var output = GruWindowFunction.Apply(new(inputProjection, state[0], weights.WeightHh, weights.BiasHh, reset));
            return (output, [output[-1]]);
        }
        using var scalars = new KernelScalars();
        var one = scalars.One;
        var h = state[0];
        var hidden = h.shape[1];
        // U = [U_r; U_z; U_n] by rows: Cho's variant multiplies U_n by r ⊙ h, not by h, so
        // the n block is split off to be applied after the gates are known.
        var uRz = weights.WeightHh.narrow(0, 0, 2 * hidden);
        var bRz = weights.BiasHh.narrow(0, 0, 2 * hidden);
        var uN = weights.WeightHh.narrow(0, 2 * hidden, hidden);
        var bN = weights.BiasHh.narrow(0, 2 * hidden, hidden);
        var steps = new Tensor[inputProjection.shape[0]];
        for (var t = 0; t < steps.Length; t++)
        {
            var x = inputProjection[t];
            // [B, 2H] → r and z, each [B, H].
            var rz = x.narrow(-1, 0, 2 * hidden).add(nn.functional.linear(h, uRz, bRz), one).sigmoid().chunk(2, -1);
            var (r, z) = (rz[0], rz[1]);
            var xn = x.narrow(-1, 2 * hidden, hidden);
            var n = reset == GruReset.Before
                ? xn.add(nn.functional.linear(r.mul(h), uN, bN), one).tanh()
                : xn.add(r.mul(nn.functional.linear(h, uN, bN)), one).tanh();
            // (1 − z) n + z h, with 1 − z as TorchSharp's 1 - z runs it: negative().add(1, 1).
            h = z.negative().add(one, one).mul(n).add(z.mul(h), one);
            steps[t] = h;
        }
        return (stack(steps, 0), [h]);
    }
}
