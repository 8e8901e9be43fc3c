using MusicRnn.Experiments;

namespace MusicRnn.Tests.Experiments;

public sealed class PlotsTests
{
    [Fact]
    public void Should_draw_one_loss_figure_per_depth_a_time_figure_and_a_timbre_figure_of_the_documented_size()
    {
        // Given a grid with depths 1 and 3 only, whose samples were measured
        using var dir = new TempDir();
        var grid = BenchFakes.Grid(["rnn", "lstm", "gru", "cwrnn"], [1, 3]);

        // When every figure is written
        var names = Plots.WriteAll(grid, dir.Path);

        // Then there is a loss figure for each depth, the time figure and the timbre figure, each a PNG of Width × Height
        Assert.Equal(["loss-1layer.png", "loss-3layer.png", "time.png", "timbre.png"], names);
        foreach (string name in names)
            Assert.Equal((Plots.Width, Plots.Height), BenchFakes.PngSize(dir.File(name)));
    }

    [Fact]
    public void Should_draw_a_figure_even_when_every_loss_is_unplottable_on_a_log_scale()
    {
        // Given models whose curves are NaN, zero or negative and have no baseline
        using var dir = new TempDir();
        var grid = BenchFakes.Grid(["lstm", "gru"], [1]);
        grid = grid with
        {
            Models = [.. grid.Models.Select((m, i) => m with
            {
                LossCurve = [new LossPoint(1, double.NaN), new LossPoint(2, 0), new LossPoint(3, -i)],
                Baselines = [],
            })],
        };

        // When the loss figure is written
        string path = dir.File(Plots.LossFileName(1));
        Plots.WriteLoss(grid, 1, path);

        // Then it is still a PNG of the right size (empty axes, not an exception)
        Assert.Equal((Plots.Width, Plots.Height), BenchFakes.PngSize(path));
    }

    [Fact]
    public void Should_tell_curves_apart_and_look_different_for_different_results()
    {
        // Given the same grid twice, the second with a much higher loss for one model
        using var dir = new TempDir();
        var grid = BenchFakes.Grid(["lstm", "gru"], [2]);
        var worse = grid with
        {
            Models = [grid.Models[0] with { LossCurve = [.. grid.Models[0].LossCurve.Select(p => p with { Loss = p.Loss * 50 })] }, grid.Models[1]],
        };

        // When both are drawn
        Plots.WriteLoss(grid, 2, dir.File("a.png"));
        Plots.WriteLoss(worse, 2, dir.File("b.png"));

        // Then the images differ: the figure depends on the data, not only on the layout
        Assert.NotEqual(File.ReadAllBytes(dir.File("a.png")), File.ReadAllBytes(dir.File("b.png")));
    }

    [Fact]
    public void Should_draw_no_timbre_figure_without_measured_samples_and_a_different_one_when_a_distance_changes()
    {
        // Given a grid without musical metrics, and a measured grid drawn twice, once with one distance a hundred times larger
        using var dir = new TempDir();
        var measured = BenchFakes.Grid(["lstm", "gru"], [1]);
        var unmeasured = measured with { Models = [.. measured.Models.Select(m => m with { Music = null })] };
        var farther = measured with { Models = [measured.Models[0] with { Music = measured.Models[0].Music! with { TimbreDistance = 100 * measured.Models[0].Music!.TimbreDistance } }, measured.Models[1]] };

        // When the figures are written
        var names = Plots.WriteAll(unmeasured, dir.Path);
        Plots.WriteTimbre(measured, dir.File("a.png"));
        Plots.WriteTimbre(farther, dir.File("b.png"));

        // Then the unmeasured grid has no timbre figure, and the two measured ones differ
        Assert.DoesNotContain(Plots.TimbreFileName, names);
        Assert.NotEqual(File.ReadAllBytes(dir.File("a.png")), File.ReadAllBytes(dir.File("b.png")));
    }

    [Theory]
    [InlineData(5.3, 8.4, new[] { "6", "7", "8" })]
    [InlineData(1.1, 1.75, new[] { "1.5" })]
    [InlineData(0.45, 21, new[] { "0.5", "1", "2", "5", "10", "20" })]
    [InlineData(0.009, 11, new[] { "0.01", "0.1", "1", "10" })]
    public void Should_label_a_log_axis_of_any_height_with_the_values_it_holds(double low, double high, string[] expected)
    {
        // Given a loss axis from low to high, drawn as log10
        // When its ticks are made
        var ticks = Plots.LogTickMarks(Math.Log10(low), Math.Log10(high));

        // Then the labelled ticks are the values expected, each at its own height, all inside the axis
        var labelled = ticks.Where(t => t.Label is not null).ToList();
        Assert.Equal(expected, labelled.Select(t => t.Label));
        foreach (var (at, label) in labelled)
            Assert.Equal(Math.Log10(double.Parse(label!, System.Globalization.CultureInfo.InvariantCulture)), at, 9);
        Assert.All(ticks, t => Assert.InRange(t.At, Math.Log10(low), Math.Log10(high)));
    }
}
