namespace MusicRnn;

/// <summary>
/// A problem with something the user gave MusicRnn: a file, an option, a checkpoint.
/// The command line turns it into exit code 2 and prints <see cref="Exception.Message"/>
/// as its one line, so the message must name the input and say what is wrong with it.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(string message) : base(message) { }

    public InputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>A problem with a file: "PATH: problem".</summary>
    public static InputException ForFile(string path, string problem) => new($"{path}: {problem}");

    /// <summary>A problem with an option: "--name: problem".</summary>
    public static InputException ForOption(string option, string problem) => new($"{option}: {problem}");
}
