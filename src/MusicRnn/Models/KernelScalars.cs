using TorchSharp;

namespace MusicRnn.Models;

/// <summary>
/// The constant Scalars a kernel call hands to libtorch (the alpha of an addition, the value of an
/// <c>addcmul_</c>), made once per call and held until it returns.
/// </summary>
/// <remarks>
/// TorchSharp passes a Scalar's native handle to libtorch without keeping the managed object alive,
/// so a temporary one (the alpha = 1 <c>a + b</c> makes) can be finalized by a collection while
/// libtorch reads it (dotnet/TorchSharp#1434). Owned here and disposed after the work, each lives
/// through every call that uses it; the analyzer's MRNN001/MRNN002 keep temporaries out of the
/// kernels (docs/ARCHITECTURE.md, Models). One set per call, never shared across threads: the
/// autograd engine may run a backward on its own thread.
/// </remarks>
internal sealed class KernelScalars : IDisposable
{
    /// <summary>1: the alpha of a plain addition, the value of a plain addcmul_, the 1 of 1 − x.</summary>
    public Scalar One { get; } = 1.ToScalar();

    /// <summary>−1: the value of an addcmul_ that subtracts a product.</summary>
    public Scalar MinusOne { get; } = (-1).ToScalar();

    public void Dispose()
    {
        One.Dispose();
        MinusOne.Dispose();
    }
}
