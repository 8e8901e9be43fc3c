namespace MusicRnn.Models;

/// <summary>The architectures MusicRnn can build (docs/ARCHITECTURE.md, Models).</summary>
public enum Architecture
{
    /// <summary>Elman's vanilla RNN.</summary>
    Rnn,
    /// <summary>LSTM with forget gate and (optionally) diagonal peepholes.</summary>
    Lstm,
    /// <summary>Gated recurrent unit, reset before (Cho) or after (cuDNN) the recurrent product.</summary>
    Gru,
    /// <summary>Clockwork RNN (Koutník et al. 2014).</summary>
    CwRnn,
    /// <summary>Feed-forward logistic regression on one frame.</summary>
    LogReg,
    /// <summary>Feed-forward multi-layer perceptron on one frame.</summary>
    Mlp,
    /// <summary>The persistence baseline ŷ_t = x_t (no parameters).</summary>
    Persistence,
}

/// <summary>Nonlinearity of the vanilla RNN and the Clockwork RNN.</summary>
public enum Activation
{
    Tanh,
    Sigmoid,
}

/// <summary>Where the GRU applies its reset gate.</summary>
public enum GruReset
{
    /// <summary>Cho et al. 2014: n = tanh(W x + U (r ⊙ h)).</summary>
    Before,
    /// <summary>cuDNN/libtorch: n = tanh(W x + r ⊙ (U h + b)).</summary>
    After,
}

/// <summary>
/// Everything needed to build a model with freshly initialised weights. Saved in every
/// checkpoint's config.json, so a checkpoint rebuilds its own model.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Which architecture.</summary>
    public Architecture Arch { get; init; } = Architecture.Lstm;

    /// <summary>Features per input frame.</summary>
    public int InputSize { get; init; }

    /// <summary>Features per predicted frame (usually equal to <see cref="InputSize"/>).</summary>
    public int OutputSize { get; init; }

    /// <summary>Hidden units per layer (for the CW-RNN: modules × units per module).</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary>Stacked recurrent (or hidden feed-forward) layers; 0 only for logistic regression.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Nonlinearity of RNN and CW-RNN units.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>LSTM only: diagonal peephole connections from the cell to the gates.</summary>
    public bool Peepholes { get; init; } = true;

    /// <summary>GRU only: where the reset gate acts.</summary>
    public GruReset GruReset { get; init; } = GruReset.Before;

    /// <summary>CW-RNN only: period of each module; null means 2^i for every module.</summary>
    public IReadOnlyList<int>? Periods { get; init; }

    /// <summary>CW-RNN only: number of modules the hidden layer is split into.</summary>
    public int Modules { get; init; } = 8;

    /// <summary>Throws an <see cref="InputException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (InputSize <= 0) throw InputException.ForOption("input size", $"expected a positive number of features, got {InputSize}");
        if (OutputSize <= 0) throw InputException.ForOption("output size", $"expected a positive number of features, got {OutputSize}");
        if (HiddenSize <= 0) throw InputException.ForOption("--hidden", $"expected a positive number of units, got {HiddenSize}");
        if (Layers < (Arch == Architecture.LogReg ? 0 : 1) || Layers > 16)
            throw InputException.ForOption("--layers", $"expected 1 to 16 layers, got {Layers}");
        if (Periods is not null && Arch != Architecture.CwRnn)
            throw InputException.ForOption("--periods", $"periods belong to the Clockwork RNN (--arch cwrnn), not to {Arch.ToString().ToLowerInvariant()}");
        if (Arch == Architecture.CwRnn)
        {
            if (Modules <= 0) throw InputException.ForOption("--modules", $"expected a positive number of modules, got {Modules}");
            if (HiddenSize % Modules != 0)
                throw InputException.ForOption("--hidden", $"a Clockwork RNN needs a hidden size divisible by its {Modules} modules, got {HiddenSize}");
            if (Periods is { } p)
            {
                if (p.Count != Modules) throw InputException.ForOption("--periods", $"expected {Modules} periods (one per module), got {p.Count}");
                if (p.Any(t => t <= 0)) throw InputException.ForOption("--periods", "every period must be a positive number of steps");
            }
        }
    }

    /// <summary>The period of CW-RNN module <paramref name="module"/> (0-based).</summary>
    public int PeriodOf(int module) => Periods is { } p ? p[module] : 1 << Math.Min(module, 30);
}
