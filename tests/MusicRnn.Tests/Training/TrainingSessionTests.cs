using System.Diagnostics;
using Xunit.Abstractions;
using MusicRnn.Checkpoints;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Training;

public sealed class TrainingSessionTests
{
    private static readonly Objective Frames = new FrameRegression(Target.Next);

    private const int Features = 8;

    private static TrainingData Data(int frames = 70, int seed = 11, double validate = 0.2)
    {
        var song = Synthetic.ChordFrames(frames, Features, seed);
        return new TrainingData([new TrainingSong("synthetic.wav", song, validate)],
            [new SongRecord("synthetic.wav", new string('a', 64), frames)],
            new CodecSettings("rfft", Features, 22050), NormalizerKind.ZScore, zeros(Features), ones(Features), Target.Next, validate);
    }

    private static ModelSpec Gru => new() { Arch = Architecture.Gru, HiddenSize = 8, Layers = 1 };

    private static TrainingConfig Training(OptimizerKind optimizer, int epochs) => new()
    {
        Window = 10, Stride = 5, Epochs = epochs, Optimizer = optimizer, LearningRate = 1e-2,
        Momentum = optimizer == OptimizerKind.Sgd ? 0.9 : 0, Nesterov = optimizer == OptimizerKind.Sgd, Seed = 7,
    };

    private static TrainingResult Run(TrainingData data, ModelSpec spec, TrainingConfig training, string outDir, bool resume = false, IProgressSink? progress = null) =>
        TrainingSession.Run(data, Frames, spec, training, new RunConfig { OutDirectory = outDir, Resume = resume }, progress ?? NullProgress.Instance, ModelFactory.Create);

    [Theory]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    [InlineData(OptimizerKind.Rprop)]
    public void Should_resume_to_the_same_weights_and_log_as_an_uninterrupted_run(OptimizerKind optimizer)
    {
        // Given one run of 2 epochs, and one of 1 epoch that then crashed after writing some rows
        using var dir = new TempDir();
        using var data = Data();
        Run(data, Gru, Training(optimizer, 2), dir.File("straight"));
        Run(data, Gru, Training(optimizer, 1), dir.File("resumed"));
        File.AppendAllText(Path.Combine(dir.File("resumed"), TrainingLog.IterationFile), "999,2,0,0,1,1,1\n1000,2,0");

        // When the second is resumed to 2 epochs
        var result = Run(data, Gru, Training(optimizer, 2), dir.File("resumed"), resume: true);

        // Then the weights agree within 1e-6 and the logs row for row (seconds aside)
        Assert.Equal(2, Assert.Single(result.Epochs).Epoch);
        using (var a = Checkpoint.Load(Path.Combine(dir.File("straight"), "checkpoint")))
        using (var b = Checkpoint.Load(Path.Combine(dir.File("resumed"), "checkpoint")))
        {
            Assert.Equal(a.Weights.Keys.Order(), b.Weights.Keys.Order());
            foreach (var (name, w) in a.Weights)
                Assert.True((w - b.Weights[name]).abs().max().item<float>() <= 1e-6, $"{name} differs");
            Assert.Equal(a.Config.Progress.Iteration, b.Config.Progress.Iteration);
        }
        Assert.Equal(Rows(dir.File("straight"), TrainingLog.IterationFile, secondsColumn: 6), Rows(dir.File("resumed"), TrainingLog.IterationFile, secondsColumn: 6));
        Assert.Equal(Rows(dir.File("straight"), TrainingLog.ValidationFile, secondsColumn: 2), Rows(dir.File("resumed"), TrainingLog.ValidationFile, secondsColumn: 2));
    }

    [Fact]
    public void Should_refuse_to_resume_with_a_different_model()
    {
        // Given a checkpoint of a GRU with 8 hidden units
        using var dir = new TempDir();
        using var data = Data();
        Run(data, Gru, Training(OptimizerKind.RmsProp, 1), dir.Path);

        // When resuming it with 9 hidden units
        var e = Assert.Throws<InputException>(() => Run(data, Gru with { HiddenSize = 9 }, Training(OptimizerKind.RmsProp, 2), dir.Path, resume: true));

        // Then the message names the setting and both values
        Assert.StartsWith("--resume:", e.Message);
        Assert.Contains("model.hidden_size = 8, this run asks for 9", e.Message);
    }

    [Fact]
    public void Should_stop_on_divergence_and_keep_the_last_good_checkpoint()
    {
        // Given a model that turns to NaN in the second epoch's third window (8 windows per epoch)
        using var dir = new TempDir();
        using var data = Data();
        var training = Training(OptimizerKind.RmsProp, 3);

        // When training
        var e = Assert.Throws<TrainingDivergedException>(() => TrainingSession.Run(data, Frames, Gru, training,
            new RunConfig { OutDirectory = dir.Path }, NullProgress.Instance, spec => new PoisonedModel(ModelFactory.Create(spec), healthyWindows: 10)));

        // Then it names iteration 11 and the checkpoint folder, which still loads at epoch 1
        string checkpoint = Path.Combine(dir.Path, "checkpoint");
        Assert.Equal($"diverged at iteration 11 (non-finite loss or gradient); last good checkpoint kept in {checkpoint}", e.Message);
        using var kept = Checkpoint.Load(checkpoint);
        Assert.Equal(1, kept.Config.Progress.Epoch);
        Assert.All(kept.Weights.Values, w => Assert.True(w.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Should_validate_within_epochs_when_asked_and_find_when_the_model_first_beat_every_baseline()
    {
        // Given a song giving 10 iterations an epoch, validated every 3 iterations as well
        using var dir = new TempDir();
        using var data = Data();
        var result = Run(data, Gru, Training(OptimizerKind.RmsProp, 2) with { ValidateEvery = 3 }, dir.Path);

        // When reading the validation log back
        var rows = TrainingLog.ReadValidation(dir.Path);

        // Then rows within epochs carry the fraction of training done, never a whole epoch, and the
        // epochs' ends stay whole numbers with the epochs' losses
        Assert.Equal([0, 0.3, 0.6, 0.9, 1, 1.2, 1.5, 1.8, 2], rows.Select(r => r.Epoch));
        Assert.Equal([0L, 3, 6, 9, 10, 12, 15, 18, 20], rows.Select(r => r.Iteration));
        var logs = MusicRnn.Experiments.ModelLogs.Read(dir.Path);
        Assert.Equal([1.0, 2.0], logs.EpochEnds.Select(r => r.Epoch));
        Assert.Equal(result.Epochs.Select(e => e.ValidationLoss), logs.EpochEnds.Select(r => r.Loss));
        // and the first row below every baseline is the first whose loss is below the smallest
        double bar = result.Baselines.Min(b => b.Loss!.Value);
        var first = logs.FirstBelowBaselines();
        Assert.Equal(rows.FirstOrDefault(r => r.Loss < bar), first);
        Assert.True(rows.Select(r => r.Seconds).SequenceEqual(rows.Select(r => r.Seconds).Order()), "training seconds never go back");
    }

    [Fact]
    public void Should_reject_a_window_longer_than_a_song_before_writing_anything()
    {
        // Given a 70-frame song with 14 held out
        using var dir = new TempDir();
        using var data = Data();
        string outDir = dir.File("out");

        // When asking for 60-frame windows (55 training frames)
        var e = Assert.Throws<InputException>(() => Run(data, Gru, Training(OptimizerKind.RmsProp, 1) with { Window = 60 }, outDir));

        // Then the message names the option and the song, and no output folder was made
        Assert.StartsWith("--window: 60 frames is longer than synthetic.wav", e.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Should_write_every_baseline_by_name_and_a_validation_loss_per_epoch()
    {
        // Given a song with 20% held out
        using var dir = new TempDir();
        using var data = Data();

        // When training 2 epochs
        var result = Run(data, Gru, Training(OptimizerKind.RmsProp, 2), dir.Path);

        // Then validation.csv names its columns by the objective's baselines, and has the untrained
        // row and one per epoch, each with the same baselines
        var lines = File.ReadAllLines(dir.File(TrainingLog.ValidationFile));
        Assert.Equal("epoch,iteration,seconds,validation_loss,persistence_loss,mean_loss,linear_loss", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(["0", "1", "2"], rows.Select(r => r[0]));
        Assert.Equal(["persistence", "mean", "linear"], result.Baselines.Select(b => b.Name));
        Assert.All(rows, r => Assert.Equal(result.Baselines[0].Loss!.Value, double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture), 12));
        Assert.All(rows, r => Assert.Equal(result.Baselines[1].Loss!.Value, double.Parse(r[5], System.Globalization.CultureInfo.InvariantCulture), 12));
        // and the log reads itself back as typed rows with the same figures
        var typed = TrainingLog.ReadValidation(dir.Path);
        Assert.Equal(result.Epochs[^1].ValidationLoss, typed[^1].Loss);
        Assert.Equal(result.Baselines.Select(b => (b.Name, b.Loss)), typed[^1].Baselines.Select(b => (b.Name, b.Loss)));
        Assert.Equal(result.Epochs[^1].ValidationLoss!.Value, double.Parse(rows[^1][3], System.Globalization.CultureInfo.InvariantCulture), 12);
        // and log.csv has one row per iteration, numbered from 1
        var iterations = File.ReadAllLines(dir.File(TrainingLog.IterationFile)).Skip(1).Select(l => long.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(1, 2 * 10).Select(i => (long)i), iterations);
    }

    private static string[] Rows(string directory, string file, int secondsColumn) =>
        File.ReadAllLines(Path.Combine(directory, file))
            .Select(line => string.Join(',', line.Split(',').Where((_, i) => i != secondsColumn)))
            .ToArray();
}

/// <summary>Memory is measured alone: other tests running beside it would move the process's working set.</summary>
[Collection("Console")]
public sealed class TrainingMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void Should_keep_process_memory_flat_over_epochs()
    {
        // Given an LSTM trained for 5 epochs, with the working set sampled after a full GC at each epoch's end
        using var dir = new TempDir();
        const int features = 64;
        var song = Synthetic.ChordFrames(160, features, seed: 12);
        using var data = new TrainingData([new TrainingSong("synthetic.wav", song, 0.1)], [new SongRecord("synthetic.wav", new string('b', 64), 160)],
            new CodecSettings("rfft", features, 22050), NormalizerKind.ZScore, zeros(features), ones(features), Target.Next, 0.1);
        var spec = new ModelSpec { Arch = Architecture.Lstm, HiddenSize = 64, Peepholes = false };
        var training = new TrainingConfig { Window = 20, Stride = 10, Epochs = 5, LearningRate = 1e-3 };
        var sink = new MemorySink();

        // When training
        TrainingSession.Run(data, new FrameRegression(Target.Next), spec, training, new RunConfig { OutDirectory = dir.Path }, sink, ModelFactory.Create);

        // Then the working set after epoch 5 has grown by at most 10% over that after epoch 1
        // (a leak only grows; the allocator returning pages to the OS may shrink it)
        Assert.Equal(5, sink.Samples.Count);
        double first = sink.Samples[0], last = sink.Samples[^1];
        output.WriteLine("working set after each epoch (MB): " + string.Join(", ", sink.Samples.Select(b => (b / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.True(last - first <= 0.10 * first, $"working set after epoch 1: {first / 1e6:F1} MB, after epoch 5: {last / 1e6:F1} MB");
    }

    private sealed class MemorySink : IProgressSink
    {
        public List<long> Samples { get; } = [];

        public void Begin(string task, long total) { }

        public void Report(long done, string? status = null) { }

        public void Note(string message)
        {
            if (!message.StartsWith("epoch ", StringComparison.Ordinal)) return;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var self = Process.GetCurrentProcess();
            Samples.Add(self.WorkingSet64);
        }

        public void Complete() { }
    }
}
