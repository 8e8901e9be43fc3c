namespace MusicRnn.Models;

/// <summary>One architecture as the rest of MusicRnn names, draws and sizes it.</summary>
/// <param name="Arch">The enum value a <see cref="ModelSpec"/> holds.</param>
/// <param name="Name">The command line's, results' and checkpoints' spelling ("cwrnn").</param>
/// <param name="DisplayName">As the essay writes it ("CW-RNN").</param>
/// <param name="Color">Plot colour, #rrggbb; one per architecture in every figure.</param>
/// <param name="Gates">Gate blocks G stacked in the weight matrices (LSTM 4, GRU 3, RNN and CW-RNN 1; 0 without recurrence).</param>
/// <param name="StateTensors">Tensors of state per layer (h; or h and c for the LSTM; none without recurrence).</param>
/// <param name="EssaySeconds">The essay's Table 1: seconds for 5 epochs at 1, 2 and 3 layers (GTX 960M, Theano); null where the essay has no row.</param>
public sealed record ArchitectureInfo(Architecture Arch, string Name, string DisplayName, string Color, int Gates, int StateTensors,
    IReadOnlyList<int>? EssaySeconds)
{
    /// <summary>Whether the architecture carries a recurrent state from step to step.</summary>
    public bool Recurrent => StateTensors > 0;
}

/// <summary>
/// The one table of architectures (docs/ARCHITECTURE.md, "Models"): command-line names, display
/// names, plot colours, gate counts, state sizes and the essay's Table 1, in the order every table
/// and figure lists them (the essay's four recurrent architectures first).
/// </summary>
public static class Architectures
{
    /// <summary>Every architecture, in listing order.</summary>
    public static IReadOnlyList<ArchitectureInfo> All { get; } =
    [
        new(Architecture.Rnn, "rnn", "Vanilla RNN", "#d62728", 1, 1, [79, 169, 254]),
        new(Architecture.Lstm, "lstm", "LSTM", "#1f77b4", 4, 2, [311, 620, 1868]),
        new(Architecture.Gru, "gru", "GRU", "#ff7f0e", 3, 1, [215, 507, 761]),
        new(Architecture.CwRnn, "cwrnn", "CW-RNN", "#2ca02c", 1, 1, [393, 892, 1346]),
        new(Architecture.LogReg, "logreg", "Logistic regression", "#9467bd", 0, 0, null),
        new(Architecture.Mlp, "mlp", "MLP", "#8c564b", 0, 0, null),
        new(Architecture.Persistence, "persistence", "Persistence", "#7f7f7f", 0, 0, null),
    ];

    /// <summary>The recurrent architectures a grid compares (the essay's four).</summary>
    public static IReadOnlyList<ArchitectureInfo> Recurrent { get; } = [.. All.Where(a => a.Recurrent)];

    /// <summary>The entry of <paramref name="arch"/>.</summary>
    public static ArchitectureInfo Of(Architecture arch) => All.First(a => a.Arch == arch);

    /// <summary>The entry named <paramref name="name"/> (any case), or null.</summary>
    public static ArchitectureInfo? Find(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The command line's spelling of <paramref name="arch"/>.</summary>
    public static string NameOf(Architecture arch) => Of(arch).Name;

    /// <summary>
    /// The architecture named <paramref name="name"/>, among <paramref name="allowed"/> (default: every
    /// architecture MusicRnn trains); an <see cref="InputException"/> naming <paramref name="option"/> otherwise.
    /// </summary>
    public static Architecture Parse(string name, string option, IReadOnlyList<ArchitectureInfo>? allowed = null)
    {
        allowed ??= Trainable;
        return Find(name) is { } found && allowed.Contains(found)
            ? found.Arch
            : throw InputException.ForOption(option, $"unknown architecture '{name}'; expected one of {string.Join(", ", allowed.Select(a => a.Name))}");
    }

    /// <summary>Rank of an architecture name in the listing order; unknown names come last.</summary>
    public static int RankOf(string name) => Find(name) is { } found ? All.ToList().IndexOf(found) : All.Count;

    /// <summary>Architectures <c>train</c> accepts (every one but the parameterless persistence rule).</summary>
    public static IReadOnlyList<ArchitectureInfo> Trainable { get; } = [.. All.Where(a => a.Arch != Architecture.Persistence)];
}
