using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// One step's recurrent product in a window function's loop, spread over libtorch's threads:
/// x Uᵀ in the forward loop and δ U in the backward loop, for a fixed U [N, K].
/// </summary>
/// <remarks>
/// At the batch sizes of training (1–16 sequences) a step's product is a matrix–vector or very
/// skinny product. libtorch hands it to one BLAS call, which keeps to one core, and U streams
/// through it at every step, so it bounds the loop. Cut into blocks and multiplied as one
/// <c>bmm</c>, the blocks run on all of libtorch's threads: rows of U (blocks of the output's
/// columns) forward, columns of U backward. Measured with 2 threads on this project's 2-core
/// machine, U of 4096 × 1024 (an LSTM of 1024): batch 1, x Uᵀ 486 → 197 µs with 8 blocks and
/// δ U 483 → 256 µs with 2; batch 16 at 2048, 11.2 → 5.4 ms and 11.6 → 7.5 ms. Each output
/// element is still one dot product over the same operands; with one thread the blocks would
/// only add work, so the plain product runs.
/// </remarks>
internal sealed class SplitProduct
{
    private readonly Tensor weight;
    private readonly Tensor weightT;
    private readonly Tensor? rowBlocks;
    private readonly Tensor? columnBlocks;
    private readonly long outputs;
    private readonly long inputs;

    /// <summary>Prepares the products with <paramref name="weight"/> for <paramref name="threads"/> threads.</summary>
    /// <param name="weight">U [N, K]; viewed, not copied.</param>
    /// <param name="threads">libtorch's thread count (<c>torch.get_num_threads()</c>): 1 keeps the plain product.</param>
    /// <param name="smallestSplit">Elements of the smallest weight to split (<see cref="SmallestSplit"/>).</param>
    public SplitProduct(Tensor weight, int threads, long smallestSplit = SmallestSplit)
    {
        this.weight = weight;
        weightT = weight.t();
        (outputs, inputs) = (weight.shape[0], weight.shape[1]);
        // More forward blocks than threads balance better (measured: 8 beat 2 at 2 threads);
        // backward blocks are strided column slices, so as few as there are threads.
        var split = weight.is_contiguous() && weight.numel() >= smallestSplit;
        var forward = split ? Blocks(outputs, threads, 4) : 1;
        var backward = split ? Blocks(inputs, threads, 1) : 1;
        // [k, K, N/k]: block j is rows j·N/k … (j+1)·N/k − 1 of U, transposed.
        rowBlocks = forward > 1 ? weight.view(forward, outputs / forward, inputs).transpose(1, 2) : null;
        // [k, N, K/k]: block j is columns j·K/k … (j+1)·K/k − 1 of U.
        columnBlocks = backward > 1 ? weight.view(outputs, backward, inputs / backward).permute(1, 0, 2) : null;
    }

    /// <summary>
    /// Elements of the smallest weight worth splitting (2 MB of float32): below it a product
    /// takes a few microseconds and the bmm's setup would cost more than the second core saves.
    /// </summary>
    public const long SmallestSplit = 1 << 19;

    /// <summary>Blocks of the forward product (1 = the plain product).</summary>
    public long ForwardBlocks => rowBlocks?.shape[0] ?? 1;

    /// <summary>Blocks of the backward product (1 = the plain product).</summary>
    public long BackwardBlocks => columnBlocks?.shape[0] ?? 1;

    /// <summary>A product for the thread count libtorch runs with now.</summary>
    public static SplitProduct ForCurrentThreads(Tensor weight) => new(weight, get_num_threads());

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
        slots.add_(product);
    }

    /// <summary>A new [B, K] tensor: <paramref name="delta"/> U, plus <paramref name="addend"/> when given.</summary>
    /// <param name="delta">[B, N].</param>
    /// <param name="addend">[B, K] or null; not modified.</param>
    public Tensor Backward(Tensor delta, Tensor? addend)
    {
        if (columnBlocks is null)
            return addend is null ? delta.matmul(weight) : addend.addmm(delta, weight);
        var result = addend is null ? zeros(delta.shape[0], inputs, dtype: delta.dtype, device: delta.device) : addend.clone();
        AddBackward(result, delta);
        return result;
    }

    /// <summary><paramref name="output"/> += <paramref name="delta"/> U, in place.</summary>
    /// <param name="output">[B, K], rows contiguous.</param>
    /// <param name="delta">[B, N].</param>
    public void AddBackward(Tensor output, Tensor delta)
    {
        if (columnBlocks is null)
        {
            output.addmm_(delta, weight);
            return;
        }
        var (blocks, batch) = (columnBlocks.shape[0], delta.shape[0]);
        // [B, K] as [k, B, K/k]: block j of every row, meeting column block j of U.
        using var slots = output.view(batch, blocks, inputs / blocks).transpose(0, 1);
        using var shared = delta.unsqueeze(0).expand(blocks, batch, outputs);
        using var product = shared.bmm(columnBlocks);
        slots.add_(product);
    }

    /// <summary>The most blocks up to <paramref name="perThread"/> per thread that divide <paramref name="size"/>; 1 for one thread.</summary>
    private static long Blocks(long size, int threads, int perThread)
    {
        if (threads <= 1) return 1;
        for (var k = (long)threads * perThread; k >= 2; k--)
            if (size % k == 0) return k;
        return 1;
    }
}
