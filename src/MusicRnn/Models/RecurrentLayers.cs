using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A stack of recurrent layers run by explicit cells: the <c>rnn</c> submodule of every
/// recurrent model not on a fused libtorch module (the architectures libtorch lacks: peephole
/// LSTM, GRU with reset before, sigmoid RNN, Clockwork RNN; and every architecture on
/// <see cref="Kernel.Window"/> or <see cref="Kernel.Reference"/>). Its parameters carry PyTorch's flat names (docs/ARCHITECTURE.md, Models),
/// the same names libtorch's fused <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> give theirs,
/// so one checkpoint layout serves both paths.
/// </summary>
internal sealed class RecurrentLayers : nn.Module<Tensor, ModelState, (Tensor Output, ModelState State)>
{
    private readonly RecurrentCell cell;
    private readonly int layers;
    private readonly bool peepholes;

    /// <param name="spec">Sizes and architecture; validated by the caller.</param>
    /// <param name="cell">The time loop shared by every layer (cells are stateless).</param>
    public RecurrentLayers(ModelSpec spec, RecurrentCell cell) : base("rnn")
    {
        this.cell = cell;
        layers = spec.Layers;
        peepholes = spec.Arch == Architecture.Lstm && spec.Peepholes;
        var gh = cell.Gates * spec.HiddenSize;
        for (var k = 0; k < layers; k++)
        {
            var input = k == 0 ? spec.InputSize : spec.HiddenSize;
            register_parameter($"weight_ih_l{k}", new Parameter(empty(gh, input)));
            register_parameter($"weight_hh_l{k}", new Parameter(empty(gh, spec.HiddenSize)));
            register_parameter($"bias_ih_l{k}", new Parameter(empty(gh)));
            register_parameter($"bias_hh_l{k}", new Parameter(empty(gh)));
            if (peepholes)
            {
                register_parameter($"peephole_i_l{k}", new Parameter(empty(spec.HiddenSize)));
                register_parameter($"peephole_f_l{k}", new Parameter(empty(spec.HiddenSize)));
                register_parameter($"peephole_o_l{k}", new Parameter(empty(spec.HiddenSize)));
            }
        }
        ResetParameters(this, spec);
        RegisterComponents();
    }

    /// <summary>
    /// Draws fresh initial values for the recurrent parameters of <paramref name="rnn"/>, found
    /// by their PyTorch names: the one initialisation shared by these explicit layers and
    /// libtorch's fused modules.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Input and recurrent matrices and both biases: uniform ±1/√H, libtorch's default.</item>
    /// <item>LSTM forget gate: its bias starts at +1 (Jozefowicz, Zaremba &amp; Sutskever 2015,
    /// An empirical exploration of recurrent network architectures), so the cell remembers
    /// until it learns to forget. PyTorch sums two biases, so the f-slice of bias_ih is 1 and
    /// that of bias_hh is 0: the total is +1, not +2.</item>
    /// <item>Peepholes: uniform ±0.1, the small initial weights of Gers et al.'s (2002)
    /// timing experiments, so the gates start out nearly blind to the cell.</item>
    /// <item>Clockwork RNN: Koutník et al. (2014) draw every weight from N(0, 0.1²). bias_ih
    /// does so too and bias_hh starts at 0, so the summed bias has the paper's spread;
    /// weight_hh's masked (faster → slower) entries are set to exactly 0.</item>
    /// </list>
    /// <see cref="ModelSpec.Init"/> replaces some of these (the default draws above stay bit-identical):
    /// <list type="bullet">
    /// <item><see cref="RecurrentInit.Identity"/> (RNN, CW-RNN; Le, Jaitly &amp; Hinton 2015, A simple way to
    /// initialize recurrent networks of rectified linear units): U = I (for the CW-RNN the mask keeps
    /// the diagonal), W ~ N(0, 0.1²), b_W = b_U = 0. With U = I, ∂h_t/∂h_{t−1} = diag(φ′) starts
    /// near I, so the gradient of a late error reaches the first steps.</item>
    /// <item><see cref="RecurrentInit.Chrono"/> (LSTM, GRU; Tallec &amp; Ollivier 2018, Can recurrent
    /// neural networks warp time?): per unit b_f ~ log U(1, T_max − 1) and b_i = −b_f for the LSTM;
    /// the GRU's z, the gate that keeps h_{t−1} in h_t = (1 − z) n + z h_{t−1}, gets
    /// b_z ~ log U(1, T_max − 1). A unit with gate bias log τ forgets over about τ steps, so the
    /// spans are spread up to T_max. The value goes in bias_ih; bias_hh's block is 0.</item>
    /// </list>
    /// </remarks>
    public static void ResetParameters(nn.Module rnn, ModelSpec spec)
    {
        var hidden = spec.HiddenSize;
        var bound = 1.0 / Math.Sqrt(hidden);
        using var _ = no_grad();
        foreach (var (name, p) in rnn.named_parameters())
        {
            if (name.StartsWith("peephole_", StringComparison.Ordinal))
                nn.init.uniform_(p, -0.1, 0.1);
            else if (spec.Arch == Architecture.CwRnn)
            {
                if (name.StartsWith("bias_hh", StringComparison.Ordinal)) p.zero_();
                else nn.init.normal_(p, 0, 0.1);
                if (name.StartsWith("weight_hh", StringComparison.Ordinal))
                {
                    using var mask = ClockworkCell.Mask(hidden, spec.Modules, p.device, p.dtype);
                    p.mul_(mask);
                }
            }
            else
                nn.init.uniform_(p, -bound, bound);

            if (spec.Arch == Architecture.Lstm && name.StartsWith("bias_", StringComparison.Ordinal))
            {
                // Gate blocks (i, f, g, o): the f block is rows [H, 2H).
                using var forget = p.narrow(0, hidden, hidden);
                using var value = (name.StartsWith("bias_ih", StringComparison.Ordinal) ? 1.0 : 0.0).ToScalar();
                forget.fill_(value);
            }
        }
        if (spec.Init == RecurrentInit.Identity) Identity(rnn, spec);
        if (spec.Init == RecurrentInit.Chrono) Chrono(rnn, spec);
    }

    private static void Identity(nn.Module rnn, ModelSpec spec)
    {
        foreach (var (name, p) in rnn.named_parameters())
        {
            if (name.StartsWith("weight_hh", StringComparison.Ordinal))
            {
                using var eye = torch.eye(spec.HiddenSize, dtype: p.dtype, device: p.device);
                p.copy_(eye);
            }
            else if (name.StartsWith("weight_ih", StringComparison.Ordinal))
                nn.init.normal_(p, 0, 0.1);
            else if (name.StartsWith("bias_", StringComparison.Ordinal))
                p.zero_();
        }
    }

    private static void Chrono(nn.Module rnn, ModelSpec spec)
    {
        var hidden = spec.HiddenSize;
        // Gate blocks: LSTM (i, f, g, o), the memory gate f at [H, 2H) and the input gate i at [0, H);
        // GRU (r, z, n), the memory gate z at [H, 2H).
        for (var k = 0; k < spec.Layers; k++)
        {
            var ih = rnn.get_parameter($"bias_ih_l{k}") ?? throw new InvalidOperationException($"recurrent parameter bias_ih_l{k} is missing");
            var hh = rnn.get_parameter($"bias_hh_l{k}") ?? throw new InvalidOperationException($"recurrent parameter bias_hh_l{k} is missing");
            using var spans = torch.empty(hidden, dtype: ih.dtype, device: ih.device);
            nn.init.uniform_(spans, 1, spec.ChronoSteps - 1);
            using var memory = spans.log();
            using (var f = ih.narrow(0, hidden, hidden)) f.copy_(memory);
            using (var f = hh.narrow(0, hidden, hidden)) f.zero_();
            if (spec.Arch != Architecture.Lstm) continue;
            using var input = memory.neg();
            using (var i = ih.narrow(0, 0, hidden)) i.copy_(input);
            using (var i = hh.narrow(0, 0, hidden)) i.zero_();
        }
    }

    /// <summary>The time loop every layer runs.</summary>
    internal RecurrentCell Cell => cell;

    /// <param name="input">Frames [T, B, I].</param>
    /// <param name="state">Per layer <see cref="RecurrentCell.StateSize"/> tensors [B, H], layer by layer.</param>
    /// <returns>The top layer's h_t [T, B, H] and the state after the window.</returns>
    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState state) =>
        RunStack(this, cell, layers, peepholes, input, state);

    /// <summary>
    /// Runs a stack of <paramref name="layers"/> layers of <paramref name="cell"/> over a window,
    /// on the parameters <paramref name="owner"/> holds under PyTorch's flat names: this module's
    /// own, or those of a fused libtorch module whose equations the cell computes (which is how
    /// <see cref="RecurrentModel"/> runs a fused module on a faster CPU path).
    /// </summary>
    /// <param name="owner">The module holding weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (and peepholes).</param>
    /// <param name="cell">The time loop.</param>
    /// <param name="layers">Depth.</param>
    /// <param name="peepholes">Whether peephole_{i,f,o}_l{k} exist.</param>
    /// <param name="input">Frames [T, B, I].</param>
    /// <param name="state">Per layer <see cref="RecurrentCell.StateSize"/> tensors [B, H], layer by layer.</param>
    internal static (Tensor Output, ModelState State) RunStack(nn.Module owner, RecurrentCell cell, int layers, bool peepholes, Tensor input, ModelState state)
    {
        var x = input;
        var next = new List<Tensor>();
        var size = cell.StateSize;
        for (var k = 0; k < layers; k++)
        {
            var weights = new LayerWeights(
                Parameter(owner, $"weight_hh_l{k}"),
                Parameter(owner, $"bias_hh_l{k}"),
                peepholes ? (Parameter(owner, $"peephole_i_l{k}"), Parameter(owner, $"peephole_f_l{k}"), Parameter(owner, $"peephole_o_l{k}")) : null);
            var (output, layerState) = cell.Run(x, Parameter(owner, $"weight_ih_l{k}"), Parameter(owner, $"bias_ih_l{k}"),
                state.Tensors.Skip(k * size).Take(size).ToArray(), weights, state.Clock);
            next.AddRange(layerState);
            x = output;
        }
        return (x, new ModelState(next, state.Clock + input.shape[0]));
    }

    // Looked up at every call rather than cached: .to(device) replaces parameter objects.
    private static Parameter Parameter(nn.Module owner, string name) => owner.get_parameter(name)
        ?? throw new InvalidOperationException($"recurrent parameter {name} is missing");
}
