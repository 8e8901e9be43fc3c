using MusicRnn.Models;
using TorchSharp;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class SplitProductTests : IDisposable
{
    private readonly Scalar one = 1.ToScalar();

    public void Dispose() => one.Dispose();

    [Theory]
    [InlineData(16, 4, 1, 1)]
    [InlineData(16, 4, 2, 8)]
    [InlineData(12, 6, 3, 12)]
    [InlineData(24, 8, 4, 12)]
    [InlineData(7, 5, 2, 7)]
    [InlineData(9, 9, 2, 3)]
    [InlineData(11, 9, 2, 1)]
    public void Should_cut_into_as_many_row_blocks_as_divide_the_weight(int rows, int columns, int threads, int expected)
    {
        // Given a weight of rows × columns
        using var weight = zeros(rows, columns);

        // When its products are prepared for a thread count
        var product = new SplitProduct(weight, threads, one, smallestSplit: 0);

        // Then U is cut into the most row blocks, up to 4 per thread, that divide its rows; with
        // one thread, or rows no such count divides, it stays whole
        Assert.Equal(expected, product.Blocks);
    }

    [Fact]
    public void Should_keep_small_weights_whole()
    {
        // Given weights just below and at the smallest size worth splitting
        using var small = zeros(SplitProduct.SmallestSplit / 1024 - 8, 1024);
        using var large = zeros(SplitProduct.SmallestSplit / 1024, 1024);

        // When their products are prepared for 2 threads
        var (smallProduct, largeProduct) = (new SplitProduct(small, 2, one), new SplitProduct(large, 2, one));

        // Then only the large one is split
        Assert.Equal(1, smallProduct.Blocks);
        Assert.Equal(8, largeProduct.Blocks);
    }

    [Theory]
    [InlineData(16, 4, 1)]
    [InlineData(16, 4, 2)]
    [InlineData(12, 6, 3)]
    [InlineData(7, 5, 2)]
    public void Should_compute_the_plain_products_whatever_the_blocks(int rows, int columns, int threads)
    {
        // Given a float64 weight, a batch of 3 inputs, and deltas and an output slot whose rows
        // are not contiguous with each other (a step's gates in a wider buffer)
        manual_seed(11);
        using var scope = NewDisposeScope();
        var weight = randn(rows, columns, dtype: ScalarType.Float64);
        var x = randn(3, columns, dtype: ScalarType.Float64);
        var delta = randn(3, rows + 3, dtype: ScalarType.Float64).narrow(1, 2, rows);
        var addend = randn(3, columns, dtype: ScalarType.Float64);
        var addendBefore = addend.clone();
        var buffer = randn(3, rows + 2, dtype: ScalarType.Float64);
        var slot = buffer.narrow(1, 1, rows);
        var edges = cat([buffer.narrow(1, 0, 1), buffer.narrow(1, rows + 1, 1)], 1).clone();
        var expectedSlot = slot + x.matmul(weight.t());
        var product = new SplitProduct(weight, threads, one, smallestSplit: 0);

        // When the forward product is added into the slot, and the backward product is formed
        // with and without an addend
        product.AddForward(slot, x);
        var back = product.Backward(delta, null);
        var backPlus = product.Backward(delta, addend);

        // Then each equals the plain product to float64 rounding, the buffer's other columns and
        // the addend are untouched
        AssertClose(expectedSlot, slot);
        AssertClose(delta.matmul(weight), back);
        AssertClose(addendBefore + delta.matmul(weight), backPlus);
        Assert.True(addend.equal(addendBefore).all().item<bool>());
        Assert.Equal(3, back.shape[0]);
        Assert.Equal(columns, back.shape[1]);
        Assert.True(edges.equal(cat([buffer.narrow(1, 0, 1), buffer.narrow(1, rows + 1, 1)], 1)).all().item<bool>());
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru-before")]
    [InlineData("gru-after")]
    [InlineData("rnn")]
    [InlineData("cwrnn")]
    public void Should_leave_each_window_function_equal_to_its_autograd_loop_when_products_are_split(string name)
    {
        // Given a layer of hidden 1024, whose recurrent weights are big enough to be split, on the
        // hand-written window function and the same weights on the autograd loop, with 2 threads
        manual_seed(8);
        var spec = new ModelSpec { InputSize = 3, OutputSize = 2, HiddenSize = 1024, Layers = 1, Modules = 4 };
        (spec, Func<Kernel, RecurrentCell> cell) = name switch
        {
            "lstm" => (spec with { Arch = Architecture.Lstm }, w => new LstmCell(w)),
            "gru-before" => (spec with { Arch = Architecture.Gru, GruReset = GruReset.Before }, w => new GruCell(GruReset.Before, w)),
            "gru-after" => (spec with { Arch = Architecture.Gru, GruReset = GruReset.After }, w => new GruCell(GruReset.After, w)),
            "rnn" => (spec with { Arch = Architecture.Rnn }, w => new RnnCell(Activation.Tanh, w)),
            _ => (spec with { Arch = Architecture.CwRnn }, (Func<Kernel, RecurrentCell>)(w => new ClockworkCell(Activation.Tanh, [1, 2, 4, 8], w))),
        };
        var (function, loop, input, start, weigh) = WindowAndLoop(spec, cell, 5, 2, 13);
        var threads = get_num_threads();
        set_num_threads(2);
        try
        {
            // When both run and back-propagate a loss on outputs and final states
            // Then outputs, states, and every gradient agree to float64 rounding
            AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: 0);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual) =>
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-12), $"max difference {(expected - actual).abs().max().item<double>():E2}");
}
