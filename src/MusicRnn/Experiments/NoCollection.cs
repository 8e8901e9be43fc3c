using System.Runtime;

namespace MusicRnn.Experiments;

/// <summary>
/// Keeps the garbage collector from running during a stretch of tensor work. TorchSharp 0.107
/// passes the Scalars its operators create implicitly (<c>1 - o</c>, the alpha of <c>a + b</c>) to
/// libtorch without keeping them alive, so a collection in the middle of an operation can let the
/// finalizer thread free one that libtorch is still reading (dotnet/TorchSharp#1434): the operation
/// then fails on garbage ("Unknown scalar type", "Expected false to be true" from toFloat), and
/// inside an autograd function's backward that ends the process. Release builds of the quick demo
/// hit it in 3 runs of 3. With no collection during the work, every scalar outlives its use; what
/// died is collected when the region ends. Tensors' native memory is unaffected: the trainer and
/// the generator dispose their tensors in dispose scopes, so only small managed wrappers pile up.
/// </summary>
internal readonly struct NoCollection : IDisposable
{
    /// <summary>Room for one update of the koutnik task (about 1 MB of wrappers for 320 steps of a small model).</summary>
    public const long StepBudget = 32L << 20;

    /// <summary>
    /// Room for training or sampling one model of a frames grid: the quick preset's models allocate
    /// 16 MB (rnn-1) to 601 MB (lstm-3) of wrappers and ran without a single collection; a bigger job
    /// simply outgrows it, the runtime collects and the region ends, leaving that job as exposed as
    /// it would have been anyway (the server GC, see runtimeconfig.template.json, then still keeps
    /// collections rare, and <see cref="BenchRunner"/> retries what it can).
    /// </summary>
    public const long ModelBudget = 1L << 30;

    private readonly bool _started;

    private NoCollection(bool started) => _started = started;

    /// <summary>Starts a no-collection region of <paramref name="budget"/> bytes if the runtime grants one.</summary>
    public static NoCollection Begin(long budget)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return new NoCollection(false);
        try
        {
            return new NoCollection(GC.TryStartNoGCRegion(budget));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            // Too large for this runtime's GC, or a region already open: run unprotected.
            return new NoCollection(false);
        }
    }

    /// <summary>Ends the region, unless an allocation past the budget already ended it.</summary>
    public void Dispose()
    {
        if (!_started || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // A collection ended the region between the check and the call: nothing left to end.
        }
    }
}
