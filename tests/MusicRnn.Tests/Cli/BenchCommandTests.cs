using MusicRnn.Experiments;

namespace MusicRnn.Tests.Cli;

[Collection("Console")]
public sealed class BenchCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// The quick preset shrunk to a test's size: 2 s at 8 kHz, 64-sample rfft frames (unless
    /// <paramref name="more"/> names the codec), 8 hidden, 1 epoch.
    /// </summary>
    internal static string[] Tiny(string output, params string[] more) =>
    [
        "bench", "--out", output, "--seconds", "2", .. more.Contains("--codec") ? Array.Empty<string>() : ["--codec", "rfft"],
        "--sample-rate", "8000", "--frame", "64", "--hidden", "8", "--modules", "4",
        "--window", "20", "--stride", "10", "--epochs", "1", "--sample-seconds", "0.5", "--threads", "1", "--quiet", .. more,
    ];

    [Fact]
    public void Should_run_a_tiny_grid_and_print_its_table_and_report_path()
    {
        // Given a 2 × 1 grid
        string output = _dir.File("out");

        // When bench runs it
        var result = CliHarness.Run(Tiny(output, "--archs", "rnn,cwrnn", "--layers", "1"));

        // Then it succeeds, prints the table with a row per model and the report's path, and writes the report
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("| rnn-1 |", result.Out, StringComparison.Ordinal);
        Assert.Contains("| cwrnn-1 |", result.Out, StringComparison.Ordinal);
        Assert.EndsWith($"report: {Path.GetFullPath(Path.Combine(output, "report.html"))}", result.Out.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(2, BenchResults.Load(output).Models.Count);
    }

    [Theory]
    [InlineData("--archs", "rnn,transformer", "--archs:")]
    [InlineData("--layers", "1,x", "--layers:")]
    [InlineData("--only", "lstm", "--only:")]
    [InlineData("--preset", "fast", "--preset:")]
    [InlineData("--params", "1000", "--params:")]
    [InlineData("--codec", "wavelet", "--codec:")]
    public void Should_refuse_a_bad_option_with_exit_2_naming_it(string option, string value, string named)
    {
        // Given a bench command with one bad option
        // When it runs
        var result = CliHarness.Run(Tiny(_dir.File("bad"), option, value));

        // Then it exits 2 with one line naming the option, before any work
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("bad")));
    }

    [Fact]
    public void Should_refuse_a_folder_that_holds_a_run_unless_resumed()
    {
        // Given a finished one-model run
        string output = _dir.File("out");
        Assert.Equal(0, CliHarness.Run(Tiny(output, "--archs", "rnn", "--layers", "1")).ExitCode);

        // When it is run again into the same folder, then with --resume
        var again = CliHarness.Run(Tiny(output, "--archs", "rnn", "--layers", "1"));
        var resumed = CliHarness.Run(Tiny(output, "--archs", "rnn", "--layers", "1", "--resume"));

        // Then the first is refused naming --out, and the resume keeps the finished model and succeeds
        Assert.Equal(2, again.ExitCode);
        Assert.StartsWith("musicrnn: --out:", again.ErrorLines[0], StringComparison.Ordinal);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("| rnn-1 |", resumed.Out, StringComparison.Ordinal);
    }
}
