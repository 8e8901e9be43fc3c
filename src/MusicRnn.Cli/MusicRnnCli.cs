using System.CommandLine;
using System.CommandLine.Help;
using MusicRnn.Cli.Commands;

namespace MusicRnn.Cli;

/// <summary>
/// The musicrnn command line: one command per file under Commands/, each mapping its options
/// to the library's records. Exit codes: 0 success, 2 bad input or usage, 1 internal error.
/// </summary>
public static class MusicRnnCli
{
    /// <summary>Runs one invocation; tests call this in-process.</summary>
    public static int Run(string[] args) => CliRunner.Run(CreateRoot(), args);

    // A plain command rather than RootCommand, whose name is the executable's file name
    // (MusicRnn.Cli under `dotnet run`): help should say `musicrnn`, as the installed tool is called.
    private static Command CreateRoot() => new("musicrnn", "MusicRnn: learn music audio with recurrent networks, compare architectures, generate audio.")
    {
        new HelpOption(),
        new VersionOption(),
        InspectCommand.Create(),
        TranscodeCommand.Create(),
        SynthCommand.Create(),
        TrainCommand.Create(),
        GenerateCommand.Create(),
        BenchCommand.Create(),
        ReportCommand.Create(),
        DemoCommand.Create(),
        PerfCommand.Create(),
    };
}
