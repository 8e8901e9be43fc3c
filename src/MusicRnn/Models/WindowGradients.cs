using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// The weight gradients of a window, which every window function computes the same way: once the
/// backward loop has every step's δa_t, the sums over steps are single products over the window.
/// </summary>
/// <remarks>
/// For a = U h_{t-1} + b: δU = Σ_t δa_tᵀ h_{t-1} and δb = Σ_t δa_t. With the steps and streams of
/// the window as the T·B rows of one matrix, δU is one [N, T·B] · [T·B, K] product and δb one sum,
/// instead of T small ones in the loop.
/// </remarks>
internal static class WindowGradients
{
    /// <summary>The state each step started from, [T, B, H]: h_0, then h_1 … h_{T−1}.</summary>
    public static Tensor PreviousStates(Tensor h0, Tensor hAll) =>
        cat([h0.unsqueeze(0), hAll.narrow(0, 0, hAll.shape[0] - 1)], 0);

    /// <summary>Σ over steps and streams of <paramref name="deltas"/>ᵀ <paramref name="inputs"/>: [T, B, N] and [T, B, K] (or already [T·B, ·]) → [N, K].</summary>
    public static Tensor Weight(Tensor deltas, Tensor inputs) =>
        Rows(deltas).t().matmul(Rows(inputs));

    /// <summary><paramref name="into"/> [N, K] += Σ <paramref name="deltas"/>ᵀ <paramref name="inputs"/>, for rows of a gradient filled part by part.</summary>
    public static void AddWeight(Tensor into, Tensor deltas, Tensor inputs) =>
        into.addmm_(Rows(deltas).t(), Rows(inputs));

    /// <summary>Σ over steps and streams of <paramref name="deltas"/>: [T, B, N] (or [T·B, N]) → [N].</summary>
    public static Tensor Bias(Tensor deltas) => Rows(deltas).sum(new long[] { 0 });

    // [T, B, N] → [T·B, N]: one row per step and stream.
    private static Tensor Rows(Tensor t) => t.reshape(-1, t.shape[^1]);
}
