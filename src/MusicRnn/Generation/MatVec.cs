using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MusicRnn.Generation;

/// <summary>
/// y = W x + b for a few streams at a time, over row-major float weights: the one product the
/// managed sampler is made of (docs/ARCHITECTURE.md, "Generation").
/// </summary>
/// <remarks>
/// A sampler's products are matrix–vector, one row of W per output, so their cost is reading W.
/// Four rows are read together against one load of x, and each stream reuses the four rows while
/// they are in the first-level cache, so B streams cost little more than one. A row's sum is
/// accumulated in 8-wide lanes and added up at the end: not the order libtorch adds in, so results
/// differ from a module's in the last bits of float32, which the sampler's tests bound.
/// Without 256-bit vectors every row is one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
/// </remarks>
internal static class MatVec
{
    /// <summary>
    /// y[b·yStride + r] = bias[r] + Σ_c W[r·cols + c] · x[b·xStride + c] for r &lt; rows, b &lt; batch.
    /// </summary>
    /// <param name="weight">W, [rows, cols] row-major.</param>
    /// <param name="bias">b, [rows].</param>
    /// <param name="rows">Outputs per stream.</param>
    /// <param name="cols">Inputs per stream.</param>
    /// <param name="x">The streams' inputs, stream b at b·<paramref name="xStride"/>.</param>
    /// <param name="xStride">Floats between two streams' inputs.</param>
    /// <param name="y">The streams' outputs, stream b at b·<paramref name="yStride"/>; must not overlap x.</param>
    /// <param name="yStride">Floats between two streams' outputs.</param>
    /// <param name="batch">Streams B.</param>
    public static void Apply(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int cols,
        ReadOnlySpan<float> x, int xStride, Span<float> y, int yStride, int batch)
    {
        if (weight.Length < rows * cols || bias.Length < rows) throw new ArgumentException($"W [{rows}, {cols}] and b [{rows}] do not fit the spans given");
        if (batch > 0 && (x.Length < ((batch - 1) * xStride) + cols || y.Length < ((batch - 1) * yStride) + rows))
            throw new ArgumentException($"{batch} streams of {cols} inputs and {rows} outputs do not fit the spans given");
        int r = 0;
        if (Vector256.IsHardwareAccelerated && cols >= Vector256<float>.Count)
            for (; r + 4 <= rows; r += 4)
                for (int b = 0; b < batch; b++)
                    FourRows(weight, bias, r, cols, x.Slice(b * xStride, cols), y.Slice((b * yStride) + r, 4));
        for (; r < rows; r++)
            for (int b = 0; b < batch; b++)
                y[(b * yStride) + r] = TensorPrimitives.Dot(weight.Slice(r * cols, cols), x.Slice(b * xStride, cols)) + bias[r];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRows(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int r, int cols, ReadOnlySpan<float> x, Span<float> y)
    {
        ref float w0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(weight), r * cols);
        ref float w1 = ref Unsafe.Add(ref w0, cols);
        ref float w2 = ref Unsafe.Add(ref w1, cols);
        ref float w3 = ref Unsafe.Add(ref w2, cols);
        ref float xs = ref MemoryMarshal.GetReference(x);
        var (a0, a1, a2, a3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        int c = 0;
        for (; c + Vector256<float>.Count <= cols; c += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref xs, (nuint)c);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w0, (nuint)c), v, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w1, (nuint)c), v, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w2, (nuint)c), v, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w3, (nuint)c), v, a3);
        }
        float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
        for (; c < cols; c++)
        {
            float v = Unsafe.Add(ref xs, c);
            s0 += Unsafe.Add(ref w0, c) * v;
            s1 += Unsafe.Add(ref w1, c) * v;
            s2 += Unsafe.Add(ref w2, c) * v;
            s3 += Unsafe.Add(ref w3, c) * v;
        }
        y[0] = s0 + bias[r];
        y[1] = s1 + bias[r + 1];
        y[2] = s2 + bias[r + 2];
        y[3] = s3 + bias[r + 3];
    }
}
