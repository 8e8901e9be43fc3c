using MusicRnn.Performance;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Performance;

public sealed class PerfRunnerTests
{
    [Fact]
    public void Should_time_every_architecture_and_size_and_write_json_markdown_and_figures()
    {
        // Given a tiny perf run: two architectures, two hidden sizes, one window, one batch
        var config = new PerfConfig
        {
            Archs = ["rnn", "cwrnn"],
            Hidden = [16, 32],
            Window = [4],
            Batch = [2],
            Warmup = 0,
            Repeats = 2,
            MatmulSize = 64,
            EssayCode = false,
            GenerationFrames = 2,
        };
        var folder = Path.Combine(Path.GetTempPath(), "musicrnn-perf-" + Guid.NewGuid().ToString("N"));

        // When it runs and its report is written
        var results = PerfRunner.Run(config, CPU, NullProgress.Instance);
        var files = PerfReport.WriteAll(results, folder, "musicrnn perf (test)");

        // Then every architecture (and the libtorch references) has one row per size with two
        // positive runs, the rates follow from the counted work, and all four files exist
        try
        {
            Assert.Equal(2 * (2 + PerfVariant.LibtorchReferences.Count), results.Cells.Count);
            foreach (var cell in results.Cells)
            {
                Assert.Equal(2, cell.Milliseconds.Runs.Count);
                Assert.All(cell.Milliseconds.Runs, ms => Assert.True(ms > 0));
                Assert.Equal(cell.Gflop / (cell.Milliseconds.Best / 1e3), cell.GflopsBest, 6);
                Assert.Equal(cell.GflopsBest / results.Matmul.GflopsBest, cell.FractionOfMatmul, 6);
            }
            Assert.True(results.Matmul.GflopsBest > 0);
            Assert.Equal(2, results.Generation.Count);
            Assert.All(results.Generation, g => Assert.Equal(g.FramesPerSecond / (22050.0 / 1024), g.TimesRealTime, 6));
            foreach (var f in files) Assert.True(new FileInfo(Path.Combine(folder, f)).Length > 0, f);
            var loaded = PerfResults.Load(Path.Combine(folder, PerfResults.FileName));
            Assert.Equal(results.Cells.Count, loaded.Cells.Count);
            Assert.Contains("CW-RNN", File.ReadAllText(Path.Combine(folder, PerfReport.MarkdownFileName)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_refuse_an_unknown_architecture_naming_the_option()
    {
        // Given a config naming an architecture that does not exist
        var config = new PerfConfig { Archs = ["transformer"] };

        // When it is validated; Then the error names --archs
        var error = Assert.Throws<InputException>(config.Validate);
        Assert.Contains("--archs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_take_the_median_and_the_best_of_the_runs()
    {
        // Given four runs; When summarised; Then the median averages the middle two, the best is the minimum
        var timing = new Timing([5.0, 1.0, 3.0, 9.0]);
        Assert.Equal(4.0, timing.Median);
        Assert.Equal(1.0, timing.Best);
    }
}
