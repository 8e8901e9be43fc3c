using System.Globalization;
using MusicRnn.Checkpoints;
using MusicRnn.Audio;
using MusicRnn.Tests.Cli;
using MusicRnn.Training;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// Degenerate songs a user may well feed in (digital silence, a DC offset, a brick-walled master):
/// the normalizer's floors must keep training finite, or the song is refused with one clear line.
/// </summary>
[Collection("Console")]
public sealed class OddAudioTrainingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const int Rate = 8000;

    private static float[] Make(string kind)
    {
        var random = new Random(5);
        return Enumerable.Range(0, 2 * Rate).Select(i => kind switch
        {
            "silence" => 0f,
            "dc" => 0.25f,
            // A loud chord driven 20x into the rails: almost every sample sits at ±1.
            "clipped" => Math.Clamp(20f * (float)(Math.Sin(2 * Math.PI * 110 * i / Rate) + (0.5 * Math.Sin(2 * Math.PI * 165 * i / Rate))), -1f, 1f),
            _ => (float)random.NextDouble(),
        }).ToArray();
    }

    [Theory]
    [InlineData("silence", "zscore")]
    [InlineData("silence", "minmax")]
    [InlineData("silence", "none")]
    [InlineData("dc", "zscore")]
    [InlineData("dc", "minmax")]
    [InlineData("clipped", "zscore")]
    [InlineData("clipped", "minmax")]
    public void Should_train_degenerate_audio_to_finite_losses(string kind, string normalizer)
    {
        // Given a degenerate song
        string song = _dir.File($"{kind}.wav");
        AudioFile.WriteWav(song, Make(kind), Rate, SampleFormat.S16);
        string outDir = _dir.File($"out-{kind}-{normalizer}");

        // When training on it with that normalizer
        var result = CliHarness.Run("train", "--audio", song, "--codec", "rfft", "--sample-rate", "8000", "--frame", "64", "--arch", "lstm", "--hidden", "8",
            "--window", "20", "--stride", "20", "--epochs", "2", "--normalize", normalizer, "--out", outDir, "--threads", "1", "--quiet");

        // Then it succeeds, and every logged loss and gradient norm, and every saved weight, is finite
        Assert.True(result.ExitCode == 0, result.Error);
        foreach (string row in File.ReadAllLines(Path.Combine(outDir, TrainingLog.IterationFile)).Skip(1))
        {
            var fields = row.Split(',');
            Assert.True(double.IsFinite(double.Parse(fields[4], CultureInfo.InvariantCulture)), row);
            Assert.True(double.IsFinite(double.Parse(fields[5], CultureInfo.InvariantCulture)), row);
        }
        foreach (string row in File.ReadAllLines(Path.Combine(outDir, TrainingLog.ValidationFile)).Skip(1))
            Assert.True(double.IsFinite(double.Parse(row.Split(',')[3], CultureInfo.InvariantCulture)), row);
        var weights = Safetensors.Load(Path.Combine(outDir, "checkpoint", Checkpoint.WeightsFile));
        try
        {
            foreach (var (name, t) in weights)
                Assert.True(t.isfinite().all().item<bool>(), $"{name} is not finite");
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }
}
