using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// The two [T, B, H] buffers a <see cref="ClockworkWindowFunction"/> works in, kept by its
/// cell from window to window together with the per-step views its loops use.
/// </summary>
/// <remarks>
/// At batch 1 a step of a 16-module layer does about two modules' recurrent work, a product so
/// short that making a view of a step's active prefix in TorchSharp costs a sizeable part of it,
/// and each loop needs two or three views per step. Made once and kept, they cost nothing per
/// window (the layer's speed is measured by <c>musicrnn perf</c>, bench/results/2026-11-26-cw-workspace-b1-threads2). The buffers are scratch space: the forward copies its states out before it
/// returns and the backward's results are fresh tensors, so one workspace serves every layer
/// of a stack, one window at a time (not two threads at once). The price is memory held for
/// the model's life: 2·T·B·H values, 0.8 MB at hidden 1024, windows of 100, batch 1.
/// </remarks>
internal sealed class ClockworkWorkspace(int modules)
{
    private StepBuffer? first;
    private StepBuffer? second;

    /// <summary>Buffers for windows of [steps, batch, hidden] in the dtype and on the device of <c>like</c>, made anew when those changed.</summary>
    public (StepBuffer First, StepBuffer Second) For(long steps, long batch, long hidden, Tensor like)
    {
        if (first is null || second is null || !first.Fits(steps, batch, hidden, like))
        {
            first?.Dispose();
            second?.Dispose();
            first = new StepBuffer(steps, batch, hidden, modules, like);
            second = new StepBuffer(steps, batch, hidden, modules, like);
        }
        return (first, second);
    }
}

/// <summary>
/// A [T, B, H] buffer with views of each step's first m modules (its prefix) and of the
/// other modules (its suffix), each made the first time it is asked for and then kept.
/// </summary>
internal sealed class StepBuffer : IDisposable
{
    private readonly Tensor buffer;
    private readonly Tensor?[,] prefixes;
    private readonly Tensor?[,] suffixes;
    private readonly int modules;
    private readonly long k;

    public StepBuffer(long steps, long batch, long hidden, int modules, Tensor like)
    {
        buffer = empty(steps, batch, hidden, dtype: like.dtype, device: like.device).DetachFromDisposeScope();
        prefixes = new Tensor?[steps, modules + 1];
        suffixes = new Tensor?[steps, modules + 1];
        this.modules = modules;
        k = hidden / modules;
    }

    /// <summary>The whole buffer, [T, B, H].</summary>
    public Tensor All => buffer;

    /// <summary>Step <paramref name="t"/>, [B, H].</summary>
    public Tensor Step(int t) => Prefix(t, modules);

    /// <summary>Step <paramref name="t"/>'s units of modules 0 … m − 1, [B, m·k].</summary>
    public Tensor Prefix(int t, int m) => prefixes[t, m] ??= View(t, 0, m * k);

    /// <summary>Step <paramref name="t"/>'s units of modules m …, [B, H − m·k].</summary>
    public Tensor Suffix(int t, int m) => suffixes[t, m] ??= View(t, m * k, buffer.shape[2] - (m * k));

    public bool Fits(long steps, long batch, long hidden, Tensor like) =>
        buffer.shape[0] == steps && buffer.shape[1] == batch && buffer.shape[2] == hidden
        && buffer.dtype == like.dtype && buffer.device_type == like.device_type && buffer.device_index == like.device_index;

    public void Dispose()
    {
        foreach (var view in prefixes) view?.Dispose();
        foreach (var view in suffixes) view?.Dispose();
        buffer.Dispose();
    }

    private Tensor View(int t, long start, long length)
    {
        using var step = buffer.select(0, t);
        return step.narrow(1, start, length).DetachFromDisposeScope();
    }
}
