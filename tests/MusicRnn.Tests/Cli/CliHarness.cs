using MusicRnn.Cli;

namespace MusicRnn.Tests.Cli;

/// <summary>
/// Runs <c>musicrnn</c> in-process with stdout and stderr captured. The console is global,
/// so every test that uses this belongs to the non-parallel "Console" collection.
/// </summary>
internal static class CliHarness
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        /// <summary>Stderr's lines, without blanks.</summary>
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Result Run(params string[] args)
    {
        var originalOut = Console.Out;
        var originalError = Console.Error;
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = MusicRnnCli.Run(args);
            return new Result(code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}

/// <summary>Tests that capture the console must not run beside each other.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;
