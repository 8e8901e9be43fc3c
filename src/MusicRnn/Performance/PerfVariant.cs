using MusicRnn.Models;

namespace MusicRnn.Performance;

/// <summary>
/// One architecture as <c>musicrnn perf</c> times it: a name, how to build its spec at a given
/// size, and whether libtorch's own fused kernel is forced (the references the custom cells are
/// compared against) or MusicRnn picks its fastest path (what training runs).
/// </summary>
/// <param name="Name">Label in perf.json and perf.md, e.g. "lstm-peepholes", "lstm-plain/libtorch".</param>
/// <param name="Base">The spec with sizes left at zero; <see cref="Spec"/> fills them in.</param>
/// <param name="ForceLibtorch">True: run libtorch's fused module even where MusicRnn has a faster path.</param>
public sealed record PerfVariant(string Name, ModelSpec Base, bool ForceLibtorch)
{
    /// <summary>Modules of the timed CW-RNN: the issue's comparison is at 16 modules.</summary>
    public const int ClockworkModules = 16;

    /// <summary>The six architectures of the issue, on MusicRnn's fastest path.</summary>
    public static IReadOnlyList<PerfVariant> Architectures { get; } =
    [
        new("rnn", new ModelSpec { Arch = Architecture.Rnn }, false),
        new("lstm-peepholes", new ModelSpec { Arch = Architecture.Lstm, Peepholes = true }, false),
        new("lstm-plain", new ModelSpec { Arch = Architecture.Lstm, Peepholes = false }, false),
        new("gru-before", new ModelSpec { Arch = Architecture.Gru, GruReset = GruReset.Before }, false),
        new("gru-after", new ModelSpec { Arch = Architecture.Gru, GruReset = GruReset.After }, false),
        new("cwrnn", new ModelSpec { Arch = Architecture.CwRnn, Modules = ClockworkModules }, false),
    ];

    /// <summary>libtorch's fused kernels, timed as the yardstick for the custom cells.</summary>
    public static IReadOnlyList<PerfVariant> LibtorchReferences { get; } =
    [
        new("rnn/libtorch", new ModelSpec { Arch = Architecture.Rnn }, true),
        new("lstm-plain/libtorch", new ModelSpec { Arch = Architecture.Lstm, Peepholes = false }, true),
        new("gru-after/libtorch", new ModelSpec { Arch = Architecture.Gru, GruReset = GruReset.After }, true),
    ];

    /// <summary>
    /// Each custom cell and the libtorch kernel whose equations are nearest (the issue's ≤ 1.3×
    /// target): peepholes are the only difference of the LSTMs, the reset gate's place that of
    /// the GRUs, the clock that of the CW-RNN and the tanh RNN.
    /// </summary>
    public static IReadOnlyList<(string Custom, string Reference)> NearestFused { get; } =
    [
        ("lstm-peepholes", "lstm-plain/libtorch"),
        ("gru-before", "gru-after/libtorch"),
        ("cwrnn", "rnn/libtorch"),
        ("rnn", "rnn/libtorch"),
        ("lstm-plain", "lstm-plain/libtorch"),
        ("gru-after", "gru-after/libtorch"),
    ];

    /// <summary>Looks up a name from <see cref="Architectures"/> or <see cref="LibtorchReferences"/>.</summary>
    /// <exception cref="InputException">No such variant.</exception>
    public static PerfVariant Parse(string name)
    {
        var all = Architectures.Concat(LibtorchReferences).ToList();
        return all.FirstOrDefault(v => string.Equals(v.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw InputException.ForOption("--archs", $"unknown architecture '{name}'; expected one of {string.Join(", ", all.Select(v => v.Name))}");
    }

    /// <summary>The spec at input = output = hidden = <paramref name="size"/> with <paramref name="layers"/> layers.</summary>
    public ModelSpec Spec(int size, int layers) => Base with { InputSize = size, OutputSize = size, HiddenSize = size, Layers = layers };
}
