using System.Runtime;

namespace MusicRnn;

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
/// The trainer opens one region per optimizer step and per validation chunk, the generator one per
/// chunk, beside the step's dispose scope: starting a region may collect (about 1 ms), but only
/// between operations, when no scalar is in flight. The protection is process-wide, so it holds
/// for one thread doing tensor work at a time (a second region cannot open while one is open).
/// </summary>
internal readonly struct NoCollection : IDisposable
{
    /// <summary>
    /// Room for one optimizer step or one chunk of frames: about 1 MB of wrappers for a window of 320
    /// steps of a small model; a step that outgrows it ends the region and runs as if unprotected.
    /// </summary>
    public const long StepBudget = 64L << 20;

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
