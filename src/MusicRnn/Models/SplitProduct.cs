using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// One step's recurrent product in a window function's loop, spread over libtorch's threads:
/// x Uᵀ in the forward loop and δ U in the backward loop, for a fixed U [N, K].
/// </summary>
/// <remarks>
/// At the batch sizes of training (1–16 sequences) a step's product is a matrix–vector or very
/// skinny product. libtorch hands it to one BLAS call, which keeps to one core, and U streams
/// through it at every step, so it bounds the loop. Cut into row blocks of U and multiplied as
/// one <c>bmm</c>, the blocks run on all of libtorch's threads: forward, each block makes its
/// own columns of the output; backward, each block makes a partial product over its share of
/// the N summands, and the partials are added (row blocks of U beat column blocks backward, and
/// more blocks than threads balance better; the window functions' speed is measured by
/// <c>musicrnn perf</c>, bench/results/2026-11-26-final-b1-threads2).
/// Backward the partial sums change the order of the additions, so results differ from the plain
/// product by float rounding. With one thread the blocks would only add work, so the plain
/// product runs.
/// </remarks>
internal sealed class SplitProduct
{
    private readonly Tensor weight;
    private readonly Tensor weightT;
    private readonly Tensor? rowBlocks;
    private readonly Tensor? reductionBlocks;
    private readonly long outputs;
    private readonly long inputs;
    private readonly Scalar one;

    /// <summary>Prepares the products with <paramref name="weight"/> for <paramref name="threads"/> threads.</summary>
    /// <param name="weight">U [N, K]; viewed, not copied.</param>
    /// <param name="threads">libtorch's thread count (<c>torch.get_num_threads()</c>): 1 keeps the plain product.</param>
    /// <param name="one">The Scalar 1 the block sums add with, owned by the caller for as long as this product is used.</param>
    /// <param name="smallestSplit">Elements of the smallest weight to split (<see cref="SmallestSplit"/>).</param>
    public SplitProduct(Tensor weight, int threads, Scalar one, long smallestSplit = SmallestSplit)
    {
        this.weight = weight;
        this.one = one;
        weightT = weight.t();
        (outputs, inputs) = (weight.shape[0], weight.shape[1]);
        // More blocks than threads balance better.
        var blocks = weight.is_contiguous() && weight.numel() >= smallestSplit ? BlocksFor(outputs, threads, 4) : 1;
        // [k, K, N/k]: block j is rows j·N/k … (j+1)·N/k − 1 of U, transposed.
        rowBlocks = blocks > 1 ? weight.view(blocks, outputs / blocks, inputs).transpose(1, 2) : null;
        // [k, N/k, K]: the same blocks untransposed, for the backward's partial products.
        reductionBlocks = blocks > 1 ? weight.view(blocks, outputs / blocks, inputs) : null;
    }

    /// <summary>
    /// Elements of the smallest weight worth splitting (2 MB of float32): below it a product is so
    /// short that the bmm's setup would cost more than the other threads save.
    /// </summary>
    public const long SmallestSplit = 1 << 19;

    /// <summary>Row blocks of U, forward and backward (1 = the plain products).</summary>
    public long Blocks => rowBlocks?.shape[0] ?? 1;

    /// <summary>A product for the thread count libtorch runs with now.</summary>
    /// <param name="weight">U [N, K]; viewed, not copied.</param>
    /// <param name="one">The Scalar 1, owned by the caller for as long as the product is used.</param>
    public static SplitProduct ForCurrentThreads(Tensor weight, Scalar one) => new(weight, get_num_threads(), one);

    /// <summary><paramref name="output"/> += <paramref name="x"/> Uᵀ, in place.</summary>
    /// <param name="output">[B, N], rows contiguous (a step's slot of a window buffer).</param>
    /// <param name="x">[B, K].</param>
    public void AddForward(Tensor output, Tensor x)
    {
        if (rowBlocks is null)
        {
            output.addmm_(x, weightT);
            return;
        }
        var (blocks, batch) = (rowBlocks.shape[0], x.shape[0]);
        // [B, N] as [k, B, N/k]: block j of every row, meeting row block j of U.
        using var slots = output.view(batch, blocks, outputs / blocks).transpose(0, 1);
        using var shared = x.unsqueeze(0).expand(blocks, batch, inputs);
        using var product = shared.bmm(rowBlocks);
        slots.add_(product, one);
    }

    /// <summary>A new [B, K] tensor: <paramref name="delta"/> U, plus <paramref name="addend"/> when given.</summary>
    /// <param name="delta">[B, N].</param>
    /// <param name="addend">[B, K] or null; not modified.</param>
    public Tensor Backward(Tensor delta, Tensor? addend)
    {
        if (reductionBlocks is null)
            return addend is null ? delta.matmul(weight) : addend.addmm(delta, weight);
        var result = addend is null ? zeros(delta.shape[0], inputs, dtype: delta.dtype, device: delta.device) : addend.clone();
        AddBackward(result, delta);
        return result;
    }

    /// <summary><paramref name="output"/> += <paramref name="delta"/> U, in place.</summary>
    /// <param name="output">[B, K].</param>
    /// <param name="delta">[B, N], rows contiguous (a step's slot of a window buffer).</param>
    public void AddBackward(Tensor output, Tensor delta)
    {
        if (reductionBlocks is null)
        {
            output.addmm_(delta, weight);
            return;
        }
        var (blocks, batch) = (reductionBlocks.shape[0], delta.shape[0]);
        // [B, N] as [k, B, N/k]: block j of every row's N summands, meeting row block j of U.
        using var shares = delta.view(batch, blocks, outputs / blocks).transpose(0, 1);
        // [k, B, K] partial products, summed over the blocks.
        using var partials = shares.bmm(reductionBlocks);
        using var sum = partials.sum(new long[] { 0 });
        output.add_(sum, one);
    }

    /// <summary>The most blocks up to <paramref name="perThread"/> per thread that divide <paramref name="size"/>; 1 for one thread.</summary>
    private static long BlocksFor(long size, int threads, int perThread)
    {
        if (threads <= 1) return 1;
        for (var k = (long)threads * perThread; k >= 2; k--)
            if (size % k == 0) return k;
        return 1;
    }
}
