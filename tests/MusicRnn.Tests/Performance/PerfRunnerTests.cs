using MusicRnn.Codecs;
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
            GriffinLimSeconds = 0.25,
            GriffinLim = [new CodecSettings("stft", 256, 8000) { Hop = 64, PhaseIterations = 2 }, new CodecSettings("mel", 256, 8000) { Hop = 64, MelBands = 16, PhaseIterations = 2 }],
            SampleSeconds = 0.05,
            SampleStreams = 2,
            SampleTrainingUpdates = 1,
            SampleTrainingStreams = 2,
            SampleTrainingWindow = 32,
        };
        var folder = Path.Combine(Path.GetTempPath(), "musicrnn-perf-" + Guid.NewGuid().ToString("N"));

        // When it runs and its report is written
        var results = PerfRunner.Run(config, CPU, NullProgress.Instance);
        var files = PerfReport.WriteAll(results, folder, "musicrnn perf (test)");

        // Then every architecture (and the libtorch references) has one row per size with two
        // positive runs, the rates follow from the counted work, each Griffin-Lim codec has its row
        // in perf.json and perf.md, and all four files exist
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
            Assert.Equal(["stft", "mel"], loaded.GriffinLim.Select(g => g.Codec));
            Assert.All(loaded.GriffinLim, g => Assert.Equal((2, g.AudioSeconds / (g.Milliseconds.Best / 1000)), (g.Milliseconds.Runs.Count, g.TimesRealTime)));
            var markdown = File.ReadAllText(Path.Combine(folder, PerfReport.MarkdownFileName));
            Assert.Contains("CW-RNN", markdown, StringComparison.Ordinal);
            Assert.Contains("## Griffin-Lim decoding", markdown, StringComparison.Ordinal);
            // The sample-level generation rows: each architecture with one stream and with two, real time from the audio made
            Assert.Equal([("rnn", 1), ("rnn", 2), ("lstm", 1), ("lstm", 2), ("gru", 1), ("gru", 2), ("cwrnn", 1), ("cwrnn", 2)], loaded.SampleGeneration.Select(g => (g.Arch, g.Streams)));
            Assert.All(loaded.SampleGeneration, g => Assert.Equal(g.AudioSeconds * g.Streams / (g.Milliseconds.Best / 1000), g.TimesRealTime, 6));
            Assert.Contains("## Sample-level generation", markdown, StringComparison.Ordinal);
            // The sample-level training rows: each architecture, the samples asked for, the rate from the best update
            Assert.Equal(["rnn", "lstm", "gru", "cwrnn"], loaded.SampleTraining.Select(t => t.Arch));
            Assert.All(loaded.SampleTraining, t => Assert.Equal((64L, 1, t.SamplesPerUpdate / (t.Milliseconds.Best / 1e3)), (t.SamplesPerUpdate, t.Milliseconds.Runs.Count, t.SamplesPerSecond)));
            Assert.Contains("## Sample-level training", markdown, StringComparison.Ordinal);
            foreach (var t in results.SampleTraining)
                Assert.Contains(FormattableString.Invariant($"| {t.Arch} | 2 | 32 | 1 |"), markdown, StringComparison.Ordinal);
            foreach (var g in results.GriffinLim)
                Assert.Contains(FormattableString.Invariant($"| {g.Codec} | 256 | 64 | 8000 | 2 | {g.AudioSeconds:0.0} |"), markdown, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_time_only_the_sample_level_training_when_every_other_row_is_off()
    {
        // Given a perf run with the cells and every other row turned off, and 2 timed sample-level updates of 2 × 16 samples
        var config = new PerfConfig
        {
            Cells = false,
            Warmup = 0,
            MatmulSize = 64,
            EssayCode = false,
            GenerationFrames = 0,
            GriffinLimSeconds = 0,
            SampleSeconds = 0,
            SampleTrainingUpdates = 2,
            SampleTrainingStreams = 2,
            SampleTrainingWindow = 16,
        };
        var folder = Path.Combine(Path.GetTempPath(), "musicrnn-perf-" + Guid.NewGuid().ToString("N"));

        // When it runs and its report is written
        var results = PerfRunner.Run(config, CPU, NullProgress.Instance);
        var files = PerfReport.WriteAll(results, folder, "musicrnn perf (test)");

        // Then there are no cell rows and no figures of them, and the four training rows with two runs of 32 samples each
        try
        {
            Assert.Empty(results.Cells);
            Assert.Equal([PerfResults.FileName, PerfReport.MarkdownFileName], files);
            Assert.Equal(4, results.SampleTraining.Count);
            Assert.All(results.SampleTraining, t => Assert.Equal((2, 32L), (t.Milliseconds.Runs.Count, t.SamplesPerUpdate)));
            Assert.DoesNotContain("## Forward + backward per window", File.ReadAllText(Path.Combine(folder, PerfReport.MarkdownFileName)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_refuse_a_negative_count_of_sample_level_training_updates_naming_the_option()
    {
        // Given −1 timed updates; When validated; Then the error names --sample-training
        var error = Assert.Throws<InputException>(new PerfConfig { SampleTrainingUpdates = -1 }.Validate);
        Assert.Contains("--sample-training", error.Message, StringComparison.Ordinal);
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
    public void Should_refuse_a_negative_griffin_lim_length_naming_the_option()
    {
        // Given a config asking for −1 s of Griffin-Lim decoding; When validated; Then the error names --griffin-lim
        var error = Assert.Throws<InputException>(new PerfConfig { GriffinLimSeconds = -1 }.Validate);
        Assert.Contains("--griffin-lim", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_time_griffin_lim_of_stft_and_mel_at_the_default_sizes_of_train()
    {
        // Given the default perf config; Then it times stft and mel at train's default frame, hop and rate
        var codec = new MusicRnn.Training.DataConfig { Audio = [] }.Codec;
        var timed = new PerfConfig().GriffinLim;
        Assert.Equal(["stft", "mel"], timed.Select(c => c.Name));
        Assert.All(timed, c => Assert.Equal((codec.FrameLength, codec.Hop, codec.SampleRate), (c.FrameLength, c.Hop, c.SampleRate)));
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
