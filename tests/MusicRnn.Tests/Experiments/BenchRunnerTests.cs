using System.Text.Json;
using MusicRnn.Experiments;
using MusicRnn.Models;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Experiments;

public sealed class BenchRunnerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private BenchRunOptions Out(string name, bool resume = false) => new() { OutDirectory = _dir.File(name), Resume = resume };

    [Fact]
    public void Should_write_every_artifact_of_a_tiny_grid()
    {
        // Given a 2 architectures × 2 depths grid on the synthesized track
        var config = TinyBench.Config([Architecture.Rnn, Architecture.Gru], [1, 2]);
        var run = Out("grid");

        // When it runs
        var results = BenchRunner.Run(config, run, NullProgress.Instance);

        // Then the folder holds the track, the results, the table, a loss figure per depth, the time
        // figure, the report, a sample per model, and each model's checkpoint, logs and result
        string[] names = ["rnn-1", "rnn-2", "gru-1", "gru-2"];
        foreach (string file in new[] { "track.wav", "results.json", "table.md", "loss-1layer.png", "loss-2layer.png", "time.png", "report.html" })
            Assert.True(File.Exists(Path.Combine(run.OutDirectory, file)), $"{file} is missing");
        foreach (string name in names)
        {
            Assert.True(File.Exists(Path.Combine(run.OutDirectory, "samples", name + ".wav")), $"sample of {name} is missing");
            foreach (string file in new[] { "log.csv", "validation.csv", "result.json", "checkpoint/config.json", "checkpoint/weights.safetensors" })
                Assert.True(File.Exists(Path.Combine(run.ModelDirectory(name), file)), $"{name}/{file} is missing");
        }

        // And results.json parses back with one entry per model, in the grid's canonical order
        var loaded = BenchResults.Load(run.OutDirectory);
        Assert.Equal(names, loaded.Models.Select(m => m.Name));
        Assert.Equal(results.Models.Select(m => m.FinalTrainLoss), loaded.Models.Select(m => m.FinalTrainLoss));

        // And the PNGs are of the documented size: the figures, and each sample's spectrogram and the training excerpt's
        foreach (string png in new[] { "loss-1layer.png", "loss-2layer.png", "time.png", "timbre.png" })
            Assert.Equal((Plots.Width, Plots.Height), BenchFakes.PngSize(Path.Combine(run.OutDirectory, png)));
        foreach (string png in names.Select(ResultsFolder.SpectrogramPath).Append(ResultsFolder.ExcerptPath))
            Assert.Equal((ReportWriter.SpectrogramWidth, ReportWriter.SpectrogramHeight), BenchFakes.PngSize(Path.Combine(run.OutDirectory, png)));

        // And every sample was measured on its decoded audio against the song, whose reference points were measured once
        Assert.All(loaded.Models, m => Assert.True(m.Music is { TimbreReference: not null, TimbreDistance: > 0 } && m.Audio?.DurationSeconds > 0.4, $"{m.Name}: {m.Music}"));
        Assert.True(loaded.Reference?.Points is { HalvesTimbreDistance: > 0, NoiseTimbreDistance: > 0 }, $"{loaded.Reference}");
        Assert.True(loaded.Reference!.Points.NoiseTimbreDistance > loaded.Reference.Points.HalvesTimbreDistance);
    }

    [Fact]
    public void Should_give_every_model_the_same_data_windows_optimizer_and_seed_and_log_every_update()
    {
        // Given a grid of three architectures at one depth
        var config = TinyBench.Config([Architecture.Rnn, Architecture.Lstm, Architecture.CwRnn], [1]);
        var run = Out("same");

        // When it runs
        var results = BenchRunner.Run(config, run, NullProgress.Instance);

        // Then every checkpoint records the same songs (by content), codec, normalizer and training settings
        var configs = results.Models.Select(m =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(run.ModelDirectory(m.Name), "checkpoint", "config.json")))).ToList();
        foreach (string section in new[] { "codec", "normalizer", "data", "training" })
            Assert.Single(configs.Select(c => c.RootElement.GetProperty(section).GetRawText()).Distinct());

        // And every model's curve has one point per update the window plan gives, and one epoch time per epoch
        var frames = configs[0].RootElement.GetProperty("data").GetProperty("songs")[0].GetProperty("frames").GetInt32();
        long updates = BenchRunner.UpdatesPerModel(config, [frames]);
        Assert.True(updates > 0);
        Assert.All(results.Models, m => Assert.Equal(updates, m.LossCurve.Count));
        Assert.All(results.Models, m => Assert.Equal(config.Training.Epochs, m.EpochSeconds.Count));

        // And each figure says how it was obtained
        Assert.All(results.Models, m =>
        {
            Assert.Equal("cpu", m.Provenance.Device);
            Assert.Equal(get_num_threads(), m.Provenance.Threads);
            Assert.False(string.IsNullOrWhiteSpace(m.Provenance.Version));
        });
        foreach (var d in configs) d.Dispose();
    }

    [Fact]
    public void Should_keep_finished_models_and_continue_an_interrupted_one_from_its_checkpoint()
    {
        // Given a song shared by every run, and the uninterrupted two-epoch run of rnn-1 and gru-1 for reference
        string song = TinyBench.Track(_dir.File("song.wav"));
        var tiny = TinyBench.Config([Architecture.Rnn, Architecture.Gru], [1]);
        var config = tiny with
        {
            Data = tiny.Data with { Audio = [song] },
            SampleSeconds = 0,
            Training = TinyBench.Config([], []).Training with { Epochs = 2 },
        };
        var reference = BenchRunner.Run(config, Out("reference"), NullProgress.Instance);

        // And a run that was interrupted: rnn-1 finished, gru-1 checkpointed after its first epoch only
        var interrupted = Out("interrupted");
        BenchRunner.Run(config with { Only = [new GridCell(Architecture.Rnn, 1)] }, interrupted, NullProgress.Instance);
        var partial = Out("partial");
        BenchRunner.Run(config with { Only = [new GridCell(Architecture.Gru, 1)], Training = config.Training with { Epochs = 1 } }, partial, NullProgress.Instance);
        string gru = interrupted.ModelDirectory("gru-1");
        CopyFolder(partial.ModelDirectory("gru-1"), gru);
        File.Delete(Path.Combine(gru, BenchRunOptions.ResultFile));
        var rnnBefore = File.ReadAllText(Path.Combine(interrupted.ModelDirectory("rnn-1"), BenchRunOptions.ResultFile));

        // When the whole grid is run again with --resume
        var notes = new TinyBench.Notes();
        var resumed = BenchRunner.Run(config, interrupted with { Resume = true }, notes);

        // Then rnn-1 is kept as it was, and gru-1 continued to the same curve the uninterrupted run drew
        Assert.Contains(notes.Lines, l => l.Contains("rnn-1: kept", StringComparison.Ordinal));
        Assert.Contains(notes.Lines, l => l.Contains("gru-1: resuming", StringComparison.Ordinal));
        Assert.Equal(rnnBefore, File.ReadAllText(Path.Combine(interrupted.ModelDirectory("rnn-1"), BenchRunOptions.ResultFile)));
        Assert.Equal(["rnn-1", "gru-1"], resumed.Models.Select(m => m.Name));
        var expected = reference.Models.Single(m => m.Name == "gru-1").LossCurve;
        var actual = resumed.Models.Single(m => m.Name == "gru-1").LossCurve;
        Assert.Equal(expected.Select(p => p.Iteration), actual.Select(p => p.Iteration));
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First.Loss, p.Second.Loss, 5));
        Assert.Equal(2, resumed.Models.Single(m => m.Name == "gru-1").EpochSeconds.Count);
    }

    [Fact]
    public void Should_refuse_a_used_folder_without_resume_and_a_resume_with_other_settings()
    {
        // Given a finished one-model run
        var config = TinyBench.Config([Architecture.Rnn], [1]);
        var run = Out("used");
        BenchRunner.Run(config, run, NullProgress.Instance);

        // When it is run again into the same folder without --resume, or resumed with another learning rate
        var fresh = Assert.Throws<InputException>(() => BenchRunner.Run(config, run, NullProgress.Instance));
        var changed = Assert.Throws<InputException>(() => BenchRunner.Run(
            config with { Training = config.Training with { LearningRate = 0.01 } }, run with { Resume = true }, NullProgress.Instance));

        // Then both are refused, the first naming --out, the second the setting that differs
        Assert.StartsWith("--out:", fresh.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate differs", changed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_folder_another_run_is_writing()
    {
        // Given a folder claimed by another run
        var run = Out("busy");
        using var other = OutputLock.Acquire(run.OutDirectory);

        // When a bench is started into it
        var e = Assert.Throws<InputException>(() => BenchRunner.Run(TinyBench.Config([Architecture.Rnn], [1]), run, NullProgress.Instance));

        // Then it is refused as busy, and nothing was written there
        Assert.Contains("in use", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run.OutDirectory, "track.wav")));
    }

    [Fact]
    public void Should_merge_two_only_runs_into_the_table_of_one_full_run()
    {
        // Given the full grid, and the same grid run one cell per folder (as a job array would)
        string song = TinyBench.Track(_dir.File("song.wav"));
        var config = TinyBench.Config([Architecture.Rnn, Architecture.Lstm], [1]).WithAudio(song);
        var full = BenchRunner.Run(config, Out("full"), NullProgress.Instance);
        BenchRunner.Run(config with { Only = [GridCell.Parse("lstm:1")] }, Out("a"), NullProgress.Instance);
        BenchRunner.Run(config with { Only = [GridCell.Parse("rnn:1")] }, Out("b"), NullProgress.Instance);

        // When the two folders are merged
        var merged = ResultsFolder.Merge([_dir.File("a"), _dir.File("b")], _dir.File("merged"));

        // Then the merged results have the full run's models, settings and figures (timings aside),
        // and the merged folder has every sample
        Assert.Equal(full.DescribeSettings(), merged.DescribeSettings());
        Assert.Equal(WithoutTimes(ResultsTables.PerModel(full)), WithoutTimes(ResultsTables.PerModel(merged)));
        Assert.All(merged.Models, m => Assert.True(File.Exists(Path.Combine(_dir.File("merged"), m.Sample!))));
    }

    [Fact]
    public void Should_refuse_to_merge_runs_whose_settings_differ_naming_the_setting()
    {
        // Given two cells run with different epoch counts
        string song = TinyBench.Track(_dir.File("song.wav"));
        var config = TinyBench.Config([Architecture.Rnn], [1]).WithAudio(song) with { SampleSeconds = 0 };
        BenchRunner.Run(config, Out("a"), NullProgress.Instance);
        BenchRunner.Run(config with { Only = [GridCell.Parse("gru:1")], Training = config.Training with { Epochs = 2 } }, Out("b"), NullProgress.Instance);

        // When they are merged
        var e = Assert.Throws<InputException>(() => ResultsFolder.Merge([_dir.File("a"), _dir.File("b")], _dir.File("merged")));

        // Then the refusal names the setting and both values
        Assert.Contains("setting epochs differs: 2 here but 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_train_the_koutnik_task_to_parameter_budgets_and_report_normalized_mse()
    {
        // Given the koutnik preset shrunk to two architectures, two budgets, a 100-sample excerpt and 15 updates
        var config = Presets.Koutnik with
        {
            TrackSeconds = 1,
            Archs = [Architecture.Rnn, Architecture.Lstm],
            Budgets = [100, 250],
            ExcerptSamples = 100,
            Training = Presets.Koutnik.Training with { Epochs = 15 },
        };
        var run = Out("koutnik");

        // When it runs
        var results = BenchRunner.Run(config, run, NullProgress.Instance);

        // Then there is one model per architecture and budget, each within 30 % of its budget
        Assert.Equal(["rnn-1-p100", "rnn-1-p250", "lstm-1-p100", "lstm-1-p250"], results.Models.Select(m => m.Name));
        Assert.All(results.Models, m =>
        {
            long budget = long.Parse(m.Name[(m.Name.LastIndexOf('p') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(m.Parameters, budget * 0.7, budget * 1.3);
            Assert.Equal(1, m.Spec.InputSize);
            Assert.Equal(1, m.Spec.OutputSize);
        });

        // And the figure is normalized MSE, one point per update, and training lowered it
        Assert.Equal("normalized mse", results.Settings.LossMetric);
        Assert.All(results.Models, m =>
        {
            Assert.Equal(15, m.LossCurve.Count);
            Assert.True(m.FinalTrainLoss < m.LossCurve[0].Loss, $"{m.Name}: {m.LossCurve[0].Loss} → {m.FinalTrainLoss}");
        });
        Assert.True(File.Exists(Path.Combine(run.OutDirectory, "report.html")));
    }

    [Fact]
    public void Should_train_on_only_the_first_max_frames_of_the_song()
    {
        // Given a one-model grid limited to the song's first 60 frames (of 250)
        var config = TinyBench.Config([Architecture.Rnn], [1]) with { SampleSeconds = 0 };
        config = config with { Data = config.Data with { MaxFrames = 60 } };
        var run = Out("limit");

        // When it runs
        var results = BenchRunner.Run(config, run, NullProgress.Instance);

        // Then the checkpoint and the settings record 60 frames, and the curve has the updates 60 frames give
        using var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.ModelDirectory("rnn-1"), "checkpoint", "config.json")));
        Assert.Equal(60, saved.RootElement.GetProperty("data").GetProperty("songs")[0].GetProperty("frames").GetInt32());
        Assert.Equal("60", results.Settings.Extra["frames"]);
        Assert.Equal(BenchRunner.UpdatesPerModel(config, [250]), results.Models[0].LossCurve.Count);
    }

    private static List<List<string>> WithoutTimes(TextTable table)
    {
        int seconds = table.Header.ToList().IndexOf("Seconds / epoch");
        return table.Rows.Select(r => r.Where((_, i) => i != seconds).ToList()).ToList();
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
