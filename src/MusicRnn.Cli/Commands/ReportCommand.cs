using System.CommandLine;
using MusicRnn.Experiments;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn report DIR… --out DIR</c>: merges the results folders of several bench runs of one
/// grid (typically one <c>--only</c> cell each, spread over machines by a job scheduler) into one
/// report. Folders whose settings differ are refused, naming the setting.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("folders") { Description = "results folders written by bench (each holds a results.json)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "folder for the merged results.json, table.md, plots, samples/ and report.html", Required = true };
        var command = new Command("report", "Merge bench results folders of one grid into one report; refuses folders whose settings differ.")
        {
            folders, output,
        };
        command.SetAction(parsed =>
        {
            string outFolder = parsed.GetValue(output)!;
            if (File.Exists(outFolder)) throw InputException.ForOption("--out", $"expected a folder, but {outFolder} is a file");
            var merged = ResultsFolder.Merge(parsed.GetValue(folders)!, outFolder);
            Console.Out.Write(TableWriter.Render(merged));
            Console.Out.WriteLine();
            Console.Out.WriteLine($"report: {Path.GetFullPath(Path.Combine(outFolder, ReportWriter.FileName))}");
            return CliRunner.Ok;
        });
        return command;
    }
}
