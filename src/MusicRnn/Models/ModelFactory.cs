using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>Builds a freshly initialised model from a <see cref="ModelSpec"/>.</summary>
public static class ModelFactory
{
    /// <summary>Builds the model <paramref name="spec"/> describes on <see cref="Kernel.Fastest"/> (a method group for <c>Func&lt;ModelSpec, FrameModel&gt;</c>).</summary>
    /// <exception cref="InputException">The spec is out of range.</exception>
    public static FrameModel Create(ModelSpec spec) => Create(spec, Kernel.Fastest);

    /// <summary>
    /// Builds the model <paramref name="spec"/> describes (float32, CPU; move it with
    /// <c>.to(...)</c>) on the implementation <paramref name="kernel"/> names. Every kernel has the
    /// same parameter names, so a state_dict moves between them.
    /// </summary>
    /// <param name="spec">What to build.</param>
    /// <param name="kernel">Which implementation runs it: <see cref="Kernel.Fastest"/> for
    /// training and generation; the others as yardsticks and proof references.</param>
    /// <exception cref="InputException">The spec is out of range.</exception>
    /// <remarks>
    /// <see cref="Kernel.Fastest"/> builds libtorch's fused module wherever one computes the
    /// equations (<see cref="UsesFusedKernel"/>) and, for the tanh RNN and the GRU with reset
    /// after, runs MusicRnn's window function on the fused module's parameters on the CPU, where
    /// it is faster than libtorch's kernel; the plain LSTM keeps libtorch's kernel, which is as
    /// fast. The figures are measured by <c>musicrnn perf</c> (bench/results/2026-11-26-final-*).
    /// </remarks>
    public static FrameModel Create(ModelSpec spec, Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return spec.Arch switch
        {
            Architecture.LogReg => new LogisticRegressionModel(spec, kernel),
            Architecture.Mlp => new MlpModel(spec, kernel),
            Architecture.Persistence => new PersistenceModel(spec, kernel),
            _ when spec.SampleLevel is not null => new SampleRnnModel(spec, kernel),
            _ => new RecurrentModel(spec, Stack(spec, kernel), kernel),
        };
    }

    /// <summary>
    /// The recurrent stack <paramref name="spec"/> describes (its architecture, input and hidden
    /// sizes, depth) on <paramref name="kernel"/>: the part of a recurrent model before its head,
    /// and the frame tier of a sample-level model.
    /// </summary>
    internal static RecurrentStack Stack(ModelSpec spec, Kernel kernel) =>
        kernel is Kernel.Fastest or Kernel.Libtorch && UsesFusedKernel(spec)
            ? new RecurrentStack(spec, Fused(spec), kernel == Kernel.Fastest ? CpuCell(spec) : null)
            : new RecurrentStack(spec, Explicit(spec, kernel), null);

    /// <summary>
    /// True when <paramref name="spec"/> has a fused libtorch module: the plain LSTM
    /// (no peepholes), the GRU with reset after, the tanh RNN.
    /// </summary>
    public static bool UsesFusedKernel(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Arch switch
        {
            Architecture.Lstm => !spec.Peepholes,
            Architecture.Gru => spec.GruReset == GruReset.After,
            Architecture.Rnn => spec.Activation == Activation.Tanh,
            _ => false,
        };
    }

    /// <summary>
    /// The window function that beats libtorch's CPU kernel for a fused spec, or null where
    /// libtorch's is as fast (the plain LSTM: the kernel the rest of the world uses stays).
    /// </summary>
    private static RecurrentCell? CpuCell(ModelSpec spec) => spec.Arch switch
    {
        Architecture.Rnn => new RnnCell(spec.Activation, Kernel.Fastest),
        Architecture.Gru => new GruCell(spec.GruReset, Kernel.Fastest),
        _ => null,
    };

    private static RecurrentLayers Explicit(ModelSpec spec, Kernel kernel) => new(spec, spec.Arch switch
    {
        Architecture.Rnn => new RnnCell(spec.Activation, kernel),
        Architecture.Lstm => new LstmCell(kernel),
        Architecture.Gru => new GruCell(spec.GruReset, kernel),
        Architecture.CwRnn => new ClockworkCell(spec.Activation, Enumerable.Range(0, spec.Modules).Select(spec.PeriodOf).ToArray(), kernel),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Arch, "not a recurrent architecture"),
    });

    private static nn.Module Fused(ModelSpec spec)
    {
        nn.Module rnn = spec.Arch switch
        {
            Architecture.Lstm => nn.LSTM(spec.InputSize, spec.HiddenSize, spec.Layers),
            Architecture.Gru => nn.GRU(spec.InputSize, spec.HiddenSize, spec.Layers),
            _ => nn.RNN(spec.InputSize, spec.HiddenSize, spec.Layers, nn.NonLinearities.Tanh),
        };
        // The same initialisation as the explicit layers (forget-gate bias included).
        RecurrentLayers.ResetParameters(rnn, spec);
        return rnn;
    }
}
