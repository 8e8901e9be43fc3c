using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class ClockworkWorkspaceTests
{
    [Fact]
    public void Should_hand_back_the_same_buffers_and_views_for_windows_of_one_shape()
    {
        // Given a workspace for 4 modules that made buffers for windows of [5, 2, 8]
        using var scope = NewDisposeScope();
        var like = zeros(1, dtype: ScalarType.Float64);
        var workspace = new ClockworkWorkspace(4);
        var (first, second) = workspace.For(5, 2, 8, like);
        var prefix = first.Prefix(3, 1);

        // When asked again for the same shape
        var (again, secondAgain) = workspace.For(5, 2, 8, like);

        // Then it hands back the same buffers and views, and the views are views of the buffer:
        // step 3's first module is units 0-1 of step 3, the rest is units 2-7
        Assert.Same(first, again);
        Assert.Same(second, secondAgain);
        Assert.Same(prefix, again.Prefix(3, 1));
        Assert.Equal([2L, 2L], prefix.shape);
        Assert.Equal([2L, 6L], again.Suffix(3, 1).shape);
        Assert.Equal([2L, 8L], again.Step(3).shape);
        first.All.zero_();
        prefix.fill_(1);
        again.Suffix(3, 1).fill_(2);
        Assert.Equal(2 * 2 * 1 + (2 * 6 * 2), first.All.sum().item<double>());
        Assert.Equal(2 * 2 * 1 + (2 * 6 * 2), first.All[3].sum().item<double>());
    }

    [Fact]
    public void Should_make_new_buffers_when_the_window_shape_or_dtype_changes()
    {
        // Given a workspace holding buffers for float64 windows of [5, 2, 8]
        using var scope = NewDisposeScope();
        var workspace = new ClockworkWorkspace(4);
        var (first, _) = workspace.For(5, 2, 8, zeros(1, dtype: ScalarType.Float64));

        // When windows of other lengths, batches or dtypes come
        // Then each gets buffers of its own shape and dtype
        var (longer, _) = workspace.For(6, 2, 8, zeros(1, dtype: ScalarType.Float64));
        Assert.NotSame(first, longer);
        Assert.Equal([6L, 2L, 8L], longer.All.shape);
        var (wider, _) = workspace.For(6, 3, 8, zeros(1, dtype: ScalarType.Float64));
        Assert.Equal([6L, 3L, 8L], wider.All.shape);
        var (single, _) = workspace.For(6, 3, 8, zeros(1, dtype: ScalarType.Float32));
        Assert.Equal(ScalarType.Float32, single.All.dtype);
    }

    [Fact]
    public void Should_carry_nothing_from_one_window_into_the_next_when_shapes_alternate()
    {
        // Given a 2-layer CW-RNN whose layers share one cell (and so one workspace), and the
        // same weights on the autograd loop, and windows of two shapes
        manual_seed(21);
        var periods = new[] { 1, 2, 4, 8 };
        var spec = new ModelSpec { Arch = Architecture.CwRnn, InputSize = 5, OutputSize = 2, HiddenSize = 12, Layers = 2, Modules = 4, Periods = periods };
        var (function, loop, input, start, weigh) = WindowAndLoop(spec, w => new ClockworkCell(Activation.Tanh, periods, w), 9, 1, 3);
        var (_, _, otherInput, otherStart, otherWeigh) = WindowAndLoop(spec, w => new ClockworkCell(Activation.Tanh, periods, w), 4, 3, 4);

        // When the window function runs a window, then one of the other shape, then the first
        // again at another clock (gradients accumulate alike in both models)
        // Then every run agrees with the loop to float64 rounding
        AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: 0);
        AssertSameWindowAndGradients(function, loop, otherInput, otherStart, otherWeigh, clock: 3);
        AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: 6);
    }
}
