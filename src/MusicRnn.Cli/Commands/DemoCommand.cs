using System.CommandLine;
using MusicRnn.Experiments;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn demo</c>: the whole system in one command with no input. Synthesizes the built-in
/// electronic track (OUT/track.wav), runs the <c>quick</c> comparison on it (every architecture at
/// 1–3 layers), generates a sample from each model, writes the report, and ends by printing the
/// table and the path of report.html. The same seed gives the same numbers on every run on one
/// machine with the same thread count (times aside): the track, the weights and the generation
/// are all seeded, and training draws nothing random.
/// </summary>
internal static class DemoCommand
{
    /// <summary>Where the demo writes when no --out is given.</summary>
    public const string DefaultFolder = "musicrnn-demo";

    /// <summary>What a demo writes into its folder; a rerun clears these and nothing else.</summary>
    private static readonly string[] Artifacts =
    [
        BenchRunOptions.ModelsFolder, ResultsFolder.SamplesFolder, BenchRunOptions.TrackFile,
        BenchResults.FileName, TableWriter.FileName, ReportWriter.FileName,
    ];

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "folder for the track, the models and the report", DefaultValueFactory = _ => DefaultFolder };
        // The grid options stay available (--seconds, --epochs, --archs, --layers, --hidden, --threads…)
        // so a test or a curious user can shrink or grow the demo; by default it is the quick preset.
        var options = new BenchCommand.GridOptions();
        var command = new Command("demo", "Synthesize an electronic track, compare RNN, LSTM, GRU and CW-RNN at 1-3 layers on it (the quick preset), generate a sample from each, and write report.html. About 6 minutes on 2 cores.")
        {
            output,
        };
        options.AddTo(command);

        command.SetAction(parsed =>
        {
            var config = options.Apply(parsed, Presets.Quick);
            string folder = parsed.GetValue(output)!;
            ClearPreviousDemo(folder);
            var run = new BenchRunOptions { OutDirectory = folder, Device = options.Device(parsed, config) };
            var results = BenchCommand.Run(config, run, options.Quiet(parsed));
            Console.Out.Write(TableWriter.Render(results));
            Console.Out.WriteLine();
            Console.Out.WriteLine($"report: {Path.GetFullPath(Path.Combine(folder, ReportWriter.FileName))}");
            return CliRunner.Ok;
        });
        return command;
    }

    /// <summary>
    /// A demo rerun starts afresh: the files an earlier demo wrote into the folder are removed
    /// (and only those). A folder holding something else under those names is refused instead.
    /// </summary>
    private static void ClearPreviousDemo(string folder)
    {
        if (File.Exists(folder)) throw InputException.ForOption("--out", $"expected a folder, but {folder} is a file");
        if (!Directory.Exists(folder)) return;
        string models = Path.Combine(folder, BenchRunOptions.ModelsFolder);
        bool earlierRun = File.Exists(Path.Combine(folder, BenchRunOptions.TrackFile)) || File.Exists(Path.Combine(folder, BenchResults.FileName));
        if (Directory.Exists(models) && !earlierRun)
            throw InputException.ForOption("--out", $"{folder} holds a models/ folder that no demo wrote; choose another folder");
        foreach (string name in Artifacts)
        {
            string path = Path.Combine(folder, name);
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
        foreach (string png in Directory.EnumerateFiles(folder, "*.png").Where(p => Path.GetFileName(p) is var n && (n == Plots.TimeFileName || n.StartsWith("loss-", StringComparison.Ordinal))))
            File.Delete(png);
    }
}
