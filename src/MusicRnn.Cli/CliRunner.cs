using System.CommandLine;

namespace MusicRnn.Cli;

/// <summary>
/// Parses, runs, and maps every failure to the exit-code contract: usage errors and
/// <see cref="InputException"/> give exit 2 with one line on stderr (no stack trace);
/// anything else is a bug in MusicRnn and gives exit 1.
/// </summary>
internal static class CliRunner
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int BadInput = 2;

    public static int Run(Command root, string[] args)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A mistyped word explains itself better than the missing command it leaves behind.
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            Console.Error.WriteLine($"musicrnn: {error.Message} (see --help)");
            return BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"musicrnn: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"musicrnn: internal error: {OneLine(e.Message)} ({e.GetType().Name}); please report it");
            if (Environment.GetEnvironmentVariable("MUSICRNN_DEBUG") == "1") Console.Error.WriteLine(e);
            return InternalError;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
