using MusicRnn.Experiments;

namespace MusicRnn.Tests.Cli;

[Collection("Console")]
public sealed class ReportCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_merge_only_runs_into_one_report()
    {
        // Given two cells of one grid run into separate folders
        Assert.Equal(0, CliHarness.Run(BenchCommandTests.Tiny(_dir.File("a"), "--only", "gru:1")).ExitCode);
        Assert.Equal(0, CliHarness.Run(BenchCommandTests.Tiny(_dir.File("b"), "--only", "rnn:2")).ExitCode);

        // When report merges them
        var result = CliHarness.Run("report", _dir.File("a"), _dir.File("b"), "--out", _dir.File("merged"));

        // Then the merged folder holds both models (in canonical order), their samples and the report
        Assert.True(result.ExitCode == 0, result.Error);
        var merged = BenchResults.Load(_dir.File("merged"));
        Assert.Equal(["rnn-2", "gru-1"], merged.Models.Select(m => m.Name));
        Assert.True(File.Exists(Path.Combine(_dir.File("merged"), "report.html")));
        Assert.True(File.Exists(Path.Combine(_dir.File("merged"), "samples", "gru-1.wav")));
        Assert.Contains("| rnn-2 |", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_folders_whose_settings_differ_naming_the_difference()
    {
        // Given two cells trained with different learning rates
        Assert.Equal(0, CliHarness.Run(BenchCommandTests.Tiny(_dir.File("a"), "--only", "gru:1")).ExitCode);
        Assert.Equal(0, CliHarness.Run([.. BenchCommandTests.Tiny(_dir.File("b"), "--only", "rnn:1"), "--lr", "0.01"]).ExitCode);

        // When report is asked to merge them
        var result = CliHarness.Run("report", _dir.File("a"), _dir.File("b"), "--out", _dir.File("merged"));

        // Then it exits 2 naming the folder and the setting with both values
        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.ErrorLines);
        Assert.Contains("setting learning rate differs: 0.01 here but 0.001", line, StringComparison.Ordinal);
        Assert.Contains(_dir.File("b"), line, StringComparison.Ordinal);
    }
}
