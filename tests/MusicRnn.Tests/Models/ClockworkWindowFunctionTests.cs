using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class ClockworkWindowFunctionTests
{
    [Theory]
    [InlineData(new[] { 1, 2, 4, 8 }, 3L)]
    [InlineData(new[] { 1, 2, 4, 8 }, 0L)]
    [InlineData(new[] { 2, 4, 12, 24 }, 5L)]
    [InlineData(new[] { 1, 2, 16, 32 }, 0L)]
    [InlineData(new[] { 1, 16, 32, 64 }, 64L)]
    public void Should_match_the_autograd_loop_to_float64_rounding_while_projecting_only_firing_modules(int[] periods, long clock)
    {
        // Given a 2-layer CW-RNN of 4 modules of 3 units on the active-modules window function
        // and the same weights on the autograd loop, started mid-cycle (periods 2, 4, ... leave
        // whole steps idle)
        manual_seed(8);
        var spec = new ModelSpec { Arch = Architecture.CwRnn, InputSize = 5, OutputSize = 2, HiddenSize = 12, Layers = 2, Modules = 4, Periods = periods };
        Assert.True(ClockworkWindowFunction.Applies(periods));
        var (function, loop, input, start, weigh) = WindowAndLoop(spec, w => new ClockworkCell(Activation.Tanh, periods, w), 11, 2, 13);

        // When both run and back-propagate a loss on outputs and final states
        // Then outputs, states, and the gradients of every parameter, the input and the initial state agree
        AssertSameWindowAndGradients(function, loop, input, start, weigh, clock: clock);
    }

    [Theory]
    [InlineData(new[] { 1, 2, 4 }, true)]
    [InlineData(new[] { 3, 6, 6 }, true)]
    [InlineData(new[] { 1, 3, 2 }, false)]
    [InlineData(new[] { 2, 3 }, false)]
    public void Should_take_the_active_prefix_path_only_when_every_period_divides_the_next(int[] periods, bool expected)
    {
        // Given a period list; When asked; Then the answer is whether T_i divides T_i+1 for all i
        Assert.Equal(expected, ClockworkWindowFunction.Applies(periods));
    }
}
