using MusicRnn.Experiments;

namespace MusicRnn.Tests.Cli;

[Collection("Console")]
public sealed class DemoCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Tiny(string output) =>
    [
        "demo", "--out", output, "--seconds", "2", "--codec", "rfft", "--sample-rate", "8000", "--frame", "64", "--hidden", "8",
        "--window", "20", "--stride", "10", "--epochs", "1", "--archs", "rnn,gru", "--layers", "1", "--sample-seconds", "0.5",
        "--seed", "3", "--threads", "1", "--quiet",
    ];

    [Fact]
    public void Should_run_end_to_end_and_end_with_the_report_path()
    {
        // Given an empty folder
        string output = _dir.File("demo");

        // When a tiny demo runs
        var result = CliHarness.Run(Tiny(output));

        // Then it wrote the track, a sample per model and the report, printed the table, and ended with the report's path
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(File.Exists(Path.Combine(output, "track.wav")));
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
        Assert.True(File.Exists(Path.Combine(output, "samples", "gru-1.wav")));
        Assert.Contains("| gru-1 |", result.Out, StringComparison.Ordinal);
        Assert.EndsWith($"report: {Path.GetFullPath(Path.Combine(output, "report.html"))}", result.Out.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_give_the_same_numbers_on_a_rerun_with_the_same_seed()
    {
        // Given a finished tiny demo
        string output = _dir.File("demo");
        Assert.Equal(0, CliHarness.Run(Tiny(output)).ExitCode);
        var first = BenchResults.Load(output);
        byte[] sample = File.ReadAllBytes(Path.Combine(output, "samples", "rnn-1.wav"));

        // When the same demo runs again into the same folder
        var again = CliHarness.Run(Tiny(output));

        // Then it replaces the earlier run and every loss and the generated audio are identical
        Assert.True(again.ExitCode == 0, again.Error);
        var second = BenchResults.Load(output);
        Assert.Equal(first.Models.Select(m => m.LossCurve.Select(p => p.Loss).ToList()), second.Models.Select(m => m.LossCurve.Select(p => p.Loss).ToList()));
        Assert.Equal(first.Models.Select(m => m.FinalValidationLoss), second.Models.Select(m => m.FinalValidationLoss));
        Assert.Equal(sample, File.ReadAllBytes(Path.Combine(output, "samples", "rnn-1.wav")));
    }
}
