using System.CommandLine;
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

    private static RootCommand CreateRoot() => new("MusicRnn: learn music audio with recurrent networks, compare architectures, generate audio.")
    {
        InspectCommand.Create(),
        TranscodeCommand.Create(),
        SynthCommand.Create(),
        TrainCommand.Create(),
        PerfCommand.Create(),
    };
}
