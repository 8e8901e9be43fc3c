using System.CommandLine;

namespace MusicRnn.Cli.Options;

/// <summary>
/// Options whose value is one of an enum's members, spelled in lower case as the records' JSON
/// spells them (rmsprop, cwrnn, zscore …): one parser and one message for every such option of
/// every command.
/// </summary>
internal static class Choice
{
    /// <summary>The spelling of <paramref name="value"/> on the command line.</summary>
    public static string NameOf<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>
    /// An option taking one of <paramref name="allowed"/> (default: every member of <typeparamref name="T"/>);
    /// null when not given, so a preset's or record's own value stands.
    /// </summary>
    /// <param name="name">The option, "--optimizer".</param>
    /// <param name="description">What it chooses; the accepted names are appended.</param>
    /// <param name="allowed">The members accepted, in the order help lists them.</param>
    public static Option<T?> Of<T>(string name, string description, IReadOnlyList<T>? allowed = null) where T : struct, Enum
    {
        var names = (allowed ?? Enum.GetValues<T>()).Select(v => (Name: NameOf(v), Value: v)).ToList();
        string list = string.Join(", ", names.Select(n => n.Name));
        return new Option<T?>(name)
        {
            Description = $"{description}: {list}",
            CustomParser = result =>
            {
                string given = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                foreach (var (spelling, value) in names)
                    if (spelling == given.Trim().ToLowerInvariant()) return value;
                result.AddError($"{name}: expected one of {list}, got '{given}'");
                return null;
            },
        };
    }
}
