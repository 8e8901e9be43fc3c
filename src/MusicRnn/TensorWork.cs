using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn;

/// <summary>
/// One stretch of tensor work — a training step, a validation or generation chunk, a timed
/// window — in its own dispose scope with the garbage collector held off for its length: the one
/// guard every loop of MusicRnn opens (docs/ARCHITECTURE.md, "Memory and the scalar race").
/// </summary>
/// <remarks>
/// The dispose scope frees every tensor the work made, except what the work moves out with
/// <c>MoveToOuterDisposeScope</c>, so memory stays flat over any number of steps. The
/// <see cref="NoCollection"/> region keeps the collector from finalizing a temporary
/// <c>TorchSharp.Scalar</c> that libtorch may still be reading (dotnet/TorchSharp#1434). MusicRnn's
/// own tensor code creates no such temporaries (the MRNN analyzer rules); the region covers those
/// TorchSharp creates inside its own methods. Usage: <c>using var work = TensorWork.Begin();</c>.
/// </remarks>
internal readonly struct TensorWork : IDisposable
{
    private readonly NoCollection quiet;
    private readonly DisposeScope scope;

    private TensorWork(NoCollection quiet, DisposeScope scope)
    {
        this.quiet = quiet;
        this.scope = scope;
    }

    /// <summary>Opens the guard: the no-collection region first, then the dispose scope inside it.</summary>
    public static TensorWork Begin() => new(NoCollection.Begin(NoCollection.StepBudget), NewDisposeScope());

    /// <summary>The work's dispose scope, for moving out (or detaching) what must outlive it.</summary>
    public DisposeScope Scope => scope;

    /// <summary>Frees the work's tensors, then lets the collector run again.</summary>
    public void Dispose()
    {
        scope.Dispose();
        quiet.Dispose();
    }
}
