using System.Diagnostics;
using MusicRnn.Checkpoints;
using MusicRnn.Audio;
using MusicRnn.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// SIGKILL at ten moments of a real <c>musicrnn train</c> process, five of them inside checkpoint
/// writes (held open by the MUSICRNN_TEST_PAUSE_IN_CHECKPOINT hook): each time, <c>--resume</c>
/// must finish the run with exactly the weights and log of a run that was never interrupted.
/// </summary>
[Collection("Processes")]
public sealed class KillSafetyTests(ITestOutputHelper output) : IDisposable
{
    // Every checkpoint step of a killed run sleeps this long, so the state it leaves is seen and hit.
    private const int PauseMs = 150;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Song => _dir.File("song.wav");

    /// <summary>Three epochs of a tiny GRU on 4 s of a two-note chord: 33 iterations (a few hundred ms) per epoch.</summary>
    private string[] Train(string outDir, bool resume)
    {
        string[] args = ["train", "--audio", Song, "--codec", "rfft", "--sample-rate", "8000", "--frame", "64", "--arch", "gru", "--hidden", "8",
            "--window", "20", "--stride", "15", "--epochs", "3", "--out", outDir, "--threads", "1", "--seed", "7", "--quiet"];
        return resume ? [.. args, "--resume"] : args;
    }

    /// <summary>What the output folder shows at one instant.</summary>
    private sealed record Seen(int EpochsLogged, bool Temp, bool TempOptimizer, bool TempConfig, bool Target, bool Old)
    {
        public static Seen Of(string outDir)
        {
            string checkpoint = Path.Combine(outDir, "checkpoint");
            string validation = Path.Combine(outDir, TrainingLog.ValidationFile);
            int rows = -1;
            try
            {
                // validation.csv is flushed at every epoch end: header, the untrained row 0, then one row per epoch
                // (-1: not written yet, or caught between its header and row 0).
                if (File.Exists(validation)) rows = File.ReadAllLines(validation).Length - 2;
            }
            catch (IOException) { rows = -2; }
            return new Seen(rows, Directory.Exists(checkpoint + ".tmp"), File.Exists(Path.Combine(checkpoint + ".tmp", Checkpoint.OptimizerFile)),
                File.Exists(Path.Combine(checkpoint + ".tmp", Checkpoint.ConfigFile)), Directory.Exists(checkpoint), Directory.Exists(checkpoint + ".old"));
        }

        public bool Clean => !Temp && !Old;
    }

    /// <summary>A moment to kill at: when <paramref name="When"/> first holds, wait <paramref name="ThenMs"/> and kill.</summary>
    private sealed record Moment(string Name, Func<Seen, bool> When, int ThenMs);

    [Fact]
    public void Should_resume_after_SIGKILL_at_ten_moments_to_the_weights_of_an_uninterrupted_run()
    {
        // Given a song and the weights and log of an uninterrupted run
        const int rate = 8000;
        var chord = Enumerable.Range(0, 4 * rate)
            .Select(i => (float)(0.3 * (Math.Sin(2 * Math.PI * 261.6 * i / rate) + Math.Sin(2 * Math.PI * 392.0 * i / rate))))
            .ToArray();
        AudioFile.WriteWav(Song, chord, rate, SampleFormat.S16);
        var clock = Stopwatch.StartNew();
        string reference = _dir.File("reference");
        var uninterrupted = ChildCli.Run(Train(reference, resume: false), TimeSpan.FromSeconds(60));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Error);
        var epochSeconds = TimeSpan.FromSeconds(double.Parse(File.ReadAllLines(Path.Combine(reference, TrainingLog.ValidationFile))[2].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture));
        int midEpoch = (int)(epochSeconds.TotalMilliseconds / 2);
        output.WriteLine($"uninterrupted run: {clock.Elapsed.TotalSeconds:F1} s, first epoch {epochSeconds.TotalMilliseconds:F0} ms");

        var moments = new Moment[]
        {
            new("epoch 1, training", s => s.EpochsLogged == 0, midEpoch),
            new("save 1: temp folder has the weights only", s => s.EpochsLogged == 1 && s.Temp && !s.TempOptimizer, 0),
            new("save 1: temp folder complete, not moved in", s => s.EpochsLogged == 1 && s.TempConfig, 0),
            new("save 1: moved in", s => s.EpochsLogged == 1 && s.Target && !s.Temp, 0),
            new("epoch 2, training", s => s.EpochsLogged == 1 && s.Target && s.Clean, PauseMs + midEpoch),
            new("save 2: temp folder has weights and optimizer", s => s.EpochsLogged == 2 && s.TempOptimizer && !s.TempConfig, 0),
            new("save 2: old checkpoint moved aside, new not in", s => s.EpochsLogged == 2 && s.Old && !s.Target, 0),
            new("save 2: new moved in, old not yet deleted", s => s.EpochsLogged == 2 && s.Old && s.Target, 0),
            new("epoch 3, training", s => s.EpochsLogged == 2 && s.Target && s.Clean, midEpoch),
            new("save 3 (last): old checkpoint moved aside, new not in", s => s.EpochsLogged == 3 && s.Old && !s.Target, 0),
        };
        var pause = new Dictionary<string, string> { ["MUSICRNN_TEST_PAUSE_IN_CHECKPOINT"] = PauseMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        foreach (var (moment, index) in moments.Select((m, i) => (m, i)))
        {
            // When a run is killed at that moment
            string outDir = _dir.File($"run{index}");
            Seen atKill;
            using (var run = ChildCli.Start(Train(outDir, resume: false), pause))
            {
                var limit = Stopwatch.StartNew();
                while (!moment.When(Seen.Of(outDir)))
                {
                    Assert.False(run.HasExited, $"{moment.Name}: the run ended before that moment was seen");
                    Assert.True(limit.Elapsed < TimeSpan.FromSeconds(30), $"{moment.Name}: not reached in 30 s");
                    Thread.Sleep(1);
                }
                if (moment.ThenMs > 0) Thread.Sleep(moment.ThenMs);
                atKill = Seen.Of(outDir);
                run.Kill();
                Assert.True(run.Wait(TimeSpan.FromSeconds(30)).Killed);
            }

            // Then --resume finishes it, and its weights and log equal the uninterrupted run's
            var resumed = ChildCli.Run(Train(outDir, resume: true), TimeSpan.FromSeconds(60));
            output.WriteLine($"{index + 1}. {moment.Name}: killed seeing {atKill}; resume exit {resumed.ExitCode}");
            Assert.True(resumed.ExitCode == 0, $"{moment.Name}: {resumed.Error}");
            AssertSameWeights(reference, outDir, moment.Name);
            Assert.Equal(LogWithoutTimes(reference), LogWithoutTimes(outDir));
        }
        output.WriteLine($"total: {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Every tensor of both checkpoints' weights.safetensors, bit for bit.</summary>
    internal static void AssertSameWeights(string expectedRun, string actualRun, string because)
    {
        var expected = Safetensors.Load(Path.Combine(expectedRun, "checkpoint", Checkpoint.WeightsFile));
        var actual = Safetensors.Load(Path.Combine(actualRun, "checkpoint", Checkpoint.WeightsFile));
        try
        {
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, tensor) in expected)
                Assert.True(tensor.shape.SequenceEqual(actual[name].shape) && tensor.data<float>().ToArray().SequenceEqual(actual[name].data<float>().ToArray()), $"{because}: tensor {name} differs (max |Δ| {MaxAbsDifference(tensor, actual[name])})");
        }
        finally
        {
            foreach (var t in expected.Values.Concat(actual.Values)) t.Dispose();
        }
    }

    internal static double MaxAbsDifference(Tensor a, Tensor b)
    {
        using var difference = (a - b).abs().max();
        return difference.item<float>();
    }

    /// <summary>log.csv without its wall-clock column: iteration, epoch, song, window start, loss, gradient norm.</summary>
    private static string[] LogWithoutTimes(string run) =>
        File.ReadAllLines(Path.Combine(run, TrainingLog.IterationFile)).Select(line => line[..line.LastIndexOf(',')]).ToArray();
}

/// <summary>Tests that start musicrnn processes and time them run one at a time, so they do not skew each other.</summary>
[CollectionDefinition("Processes", DisableParallelization = true)]
public sealed class ProcessesCollection;
