using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// The recurrent weights of one layer, fetched from <see cref="RecurrentLayers"/> by their
/// PyTorch names at every forward pass (so they follow <c>.to(device)</c>).
/// </summary>
/// <param name="WeightHh">U, [G·H, H] (gate blocks in PyTorch order).</param>
/// <param name="BiasHh">b_U, [G·H].</param>
/// <param name="Peepholes">LSTM only: p_i, p_f, p_o, each [H]; null without peepholes.</param>
internal sealed record LayerWeights(Tensor WeightHh, Tensor BiasHh, (Tensor I, Tensor F, Tensor O)? Peepholes);

/// <summary>
/// The time loop of one recurrent layer. The input projection W x_t + b_W of the whole
/// window arrives precomputed (one matmul in <see cref="RecurrentLayers"/>), so only the
/// recurrent product stays inside the loop.
/// </summary>
/// <remarks>
/// Cells own no parameters: PyTorch names a stack's parameters flatly
/// (<c>weight_ih_l0</c>, not <c>0.weight_ih</c>), so they live in <see cref="RecurrentLayers"/>
/// and are handed to the cell on each call.
/// </remarks>
internal abstract class RecurrentCell
{
    /// <param name="kernel">Which implementation runs the window (see <see cref="UsesWindowFunction"/>).</param>
    protected RecurrentCell(Kernel kernel)
    {
        Kernel = kernel;
    }

    /// <summary>The kernel this cell was made for.</summary>
    public Kernel Kernel { get; }

    /// <summary>
    /// True unless the kernel is <see cref="Kernel.Reference"/>: the window runs as the cell's
    /// hand-written window function, not as the autograd loop over steps it is proved against.
    /// </summary>
    protected bool UsesWindowFunction => Kernel != Kernel.Reference;

    /// <summary>Gate blocks G stacked in the weight matrices (LSTM 4, GRU 3, RNN and CW-RNN 1).</summary>
    public abstract int Gates { get; }

    /// <summary>State tensors per layer (h; or h and c).</summary>
    public virtual int StateSize => 1;

    /// <summary>
    /// Runs the layer over a window of its inputs. The default projects the whole window in one
    /// matmul and hands it to <see cref="Run(Tensor, IReadOnlyList{Tensor}, LayerWeights, long)"/>;
    /// a cell that needs only part of the projection (the CW-RNN's idle modules) overrides it.
    /// </summary>
    /// <param name="input">The layer's inputs x_t, [T, B, I].</param>
    /// <param name="weightIh">W, [G·H, I].</param>
    /// <param name="biasIh">b_W, [G·H].</param>
    /// <param name="state">This layer's state, <see cref="StateSize"/> tensors of [B, H].</param>
    /// <param name="weights">The layer's recurrent weights.</param>
    /// <param name="clock">Steps since the state was reset, at the window's first step.</param>
    public virtual (Tensor Output, Tensor[] State) Run(Tensor input, Tensor weightIh, Tensor biasIh, IReadOnlyList<Tensor> state, LayerWeights weights, long clock) =>
        // The input projection of the whole window in one matmul: [T, B, I] → [T, B, G·H].
        Run(nn.functional.linear(input, weightIh, biasIh), state, weights, clock);

    /// <summary>Runs the layer over a window whose input projection is known.</summary>
    /// <param name="inputProjection">W x_t + b_W for every step, [T, B, G·H].</param>
    /// <param name="state">This layer's state, <see cref="StateSize"/> tensors of [B, H].</param>
    /// <param name="weights">The layer's recurrent weights.</param>
    /// <param name="clock">Steps since the state was reset, at the window's first step.</param>
    /// <returns>h_t for every step [T, B, H] and the state after the last step.</returns>
    public abstract (Tensor Output, Tensor[] State) Run(Tensor inputProjection, IReadOnlyList<Tensor> state, LayerWeights weights, long clock);

    /// <summary>The nonlinearity φ the spec names.</summary>
    protected static Tensor Phi(Tensor x, Activation activation) =>
        activation == Activation.Tanh ? x.tanh() : x.sigmoid();
}
