using MusicRnn.Models;

namespace MusicRnn.Performance;

/// <summary>Which implementation of an architecture a perf row runs.</summary>
public enum PerfKernel
{
    /// <summary>What <see cref="ModelFactory.Create(ModelSpec)"/> picks (<see cref="Models.Kernel.Fastest"/>): what training runs.</summary>
    Default,
    /// <summary>libtorch's fused module on every device (<see cref="Models.Kernel.Libtorch"/>).</summary>
    Libtorch,
    /// <summary>MusicRnn's window function even where a fused module exists.</summary>
    Window,
}

/// <summary>
/// One architecture as <c>musicrnn perf</c> times it: a name, how to build its spec at a given
/// size, and which implementation runs (MusicRnn's choice, libtorch's fused kernel as the
/// yardstick for the custom cells, or the window function forced).
/// </summary>
/// <param name="Name">Label in perf.json and perf.md, e.g. "lstm-peepholes", "lstm-plain/libtorch".</param>
/// <param name="Base">The spec with sizes left at zero; <see cref="Spec"/> fills them in.</param>
/// <param name="Kernel">Which implementation.</param>
public sealed record PerfVariant(string Name, ModelSpec Base, PerfKernel Kernel)
{
    /// <summary>Modules of the timed CW-RNN: the issue's comparison is at 16 modules.</summary>
    public const int ClockworkModules = 16;

    /// <summary>The six architectures of the issue, on MusicRnn's fastest path.</summary>
    public static IReadOnlyList<PerfVariant> Architectures { get; } =
    [
        new("rnn", new ModelSpec { Arch = Architecture.Rnn }, PerfKernel.Default),
        new("lstm-peepholes", new ModelSpec { Arch = Architecture.Lstm, Peepholes = true }, PerfKernel.Default),
        new("lstm-plain", new ModelSpec { Arch = Architecture.Lstm, Peepholes = false }, PerfKernel.Default),
        new("gru-before", new ModelSpec { Arch = Architecture.Gru, GruReset = GruReset.Before }, PerfKernel.Default),
        new("gru-after", new ModelSpec { Arch = Architecture.Gru, GruReset = GruReset.After }, PerfKernel.Default),
        new("cwrnn", new ModelSpec { Arch = Architecture.CwRnn, Modules = ClockworkModules }, PerfKernel.Default),
    ];

    /// <summary>libtorch's fused kernels, timed as the yardstick for the custom cells.</summary>
    public static IReadOnlyList<PerfVariant> LibtorchReferences { get; } =
    [
        new("rnn/libtorch", new ModelSpec { Arch = Architecture.Rnn }, PerfKernel.Libtorch),
        new("lstm-plain/libtorch", new ModelSpec { Arch = Architecture.Lstm, Peepholes = false }, PerfKernel.Libtorch),
        new("gru-after/libtorch", new ModelSpec { Arch = Architecture.Gru, GruReset = GruReset.After }, PerfKernel.Libtorch),
    ];

    /// <summary>The window functions of the fused architectures, forced, to show which path is faster.</summary>
    public static IReadOnlyList<PerfVariant> WindowFunctions { get; } =
    [
        new("rnn/window", new ModelSpec { Arch = Architecture.Rnn }, PerfKernel.Window),
        new("lstm-plain/window", new ModelSpec { Arch = Architecture.Lstm, Peepholes = false }, PerfKernel.Window),
        new("gru-after/window", new ModelSpec { Arch = Architecture.Gru, GruReset = GruReset.After }, PerfKernel.Window),
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
        ("rnn/window", "rnn/libtorch"),
        ("lstm-plain/window", "lstm-plain/libtorch"),
        ("gru-after/window", "gru-after/libtorch"),
    ];

    /// <summary>Looks up a name from <see cref="Architectures"/>, <see cref="LibtorchReferences"/> or <see cref="WindowFunctions"/>.</summary>
    /// <exception cref="InputException">No such variant.</exception>
    public static PerfVariant Parse(string name)
    {
        var all = Architectures.Concat(LibtorchReferences).Concat(WindowFunctions).ToList();
        return all.FirstOrDefault(v => string.Equals(v.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw InputException.ForOption("--archs", $"unknown architecture '{name}'; expected one of {string.Join(", ", all.Select(v => v.Name))}");
    }

    /// <summary>The spec at input = output = hidden = <paramref name="size"/> with <paramref name="layers"/> layers.</summary>
    public ModelSpec Spec(int size, int layers) => Base with { InputSize = size, OutputSize = size, HiddenSize = size, Layers = layers };

    /// <summary>Builds the model at input = output = hidden = <paramref name="size"/> on this variant's implementation.</summary>
    public FrameModel Build(int size, int layers)
    {
        var spec = Spec(size, layers);
        return Kernel switch
        {
            PerfKernel.Libtorch => ModelFactory.Create(spec, Models.Kernel.Libtorch),
            PerfKernel.Window => ModelFactory.Create(spec, Models.Kernel.Window),
            _ => ModelFactory.Create(spec, Models.Kernel.Fastest),
        };
    }
}
