using MusicRnn.Checkpoints;
using MusicRnn.Audio;
using MusicRnn.Tests.Cli;
using Xunit.Abstractions;

namespace MusicRnn.Tests.Reliability;

/// <summary>The same train command, seed and thread count give the same weights, bit for bit.</summary>
[Collection("Console")]
public sealed class DeterminismTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string WriteSong()
    {
        // 3 s of two notes and seeded noise, so the gradients are not trivially symmetric.
        const int rate = 8000;
        var random = new Random(11);
        var song = Enumerable.Range(0, 3 * rate)
            .Select(i => (float)((0.3 * Math.Sin(2 * Math.PI * 261.6 * i / rate)) + (0.2 * Math.Sin(2 * Math.PI * 392.0 * i / rate)) + (0.05 * ((2 * random.NextDouble()) - 1))))
            .ToArray();
        string path = _dir.File("song.wav");
        AudioFile.WriteWav(path, song, rate, SampleFormat.S16);
        return path;
    }

    private static string[] Train(string song, string outDir, int threads, string arch, int hidden, int batch) =>
        ["train", "--audio", song, "--codec", "rfft", "--sample-rate", "8000", "--frame", "128", "--arch", arch, "--hidden", hidden.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--window", "20", "--stride", "10", "--batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture), "--epochs", "1",
            "--out", outDir, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "3", "--quiet"];

    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("gru", 4)]
    public void Should_give_bit_identical_weights_for_the_same_command_seed_and_threads(string arch, int batch)
    {
        // Given one song, when the same command runs twice into two folders
        string song = WriteSong();
        var first = CliHarness.Run(Train(song, _dir.File("a"), 1, arch, 16, batch));
        var second = CliHarness.Run(Train(song, _dir.File("b"), 1, arch, 16, batch));

        // Then both succeed and every weight tensor is equal bit for bit
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);
        KillSafetyTests.AssertSameWeights(_dir.File("a"), _dir.File("b"), "same command");
    }

    [Fact]
    public void Should_report_how_far_weights_move_when_only_the_thread_count_changes()
    {
        // Given one song and a model with matrices big enough to be split across threads
        string song = WriteSong();

        // When the same epoch runs in processes with 1 and with 2 threads
        var one = ChildCli.Run(Train(song, _dir.File("t1"), 1, "lstm", 96, 4), TimeSpan.FromSeconds(120));
        var two = ChildCli.Run(Train(song, _dir.File("t2"), 2, "lstm", 96, 4), TimeSpan.FromSeconds(120));
        Assert.True(one.ExitCode == 0, one.Error);
        Assert.True(two.ExitCode == 0, two.Error);

        // Then the weights differ at most by float rounding (libtorch may split sums differently per thread count)
        var a = Safetensors.Load(Path.Combine(_dir.File("t1"), "checkpoint", Checkpoint.WeightsFile));
        var b = Safetensors.Load(Path.Combine(_dir.File("t2"), "checkpoint", Checkpoint.WeightsFile));
        try
        {
            double worst = a.Keys.Max(name => KillSafetyTests.MaxAbsDifference(a[name], b[name]));
            output.WriteLine($"max |w(threads 1) - w(threads 2)| after 1 epoch: {worst:G3}");
            Assert.True(worst < 1e-4, $"threads 1 and 2 differ by {worst}");
        }
        finally
        {
            foreach (var t in a.Values.Concat(b.Values)) t.Dispose();
        }
    }
}
