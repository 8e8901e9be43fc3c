using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>Builds a freshly initialised model from a <see cref="ModelSpec"/>.</summary>
public static class ModelFactory
{
    /// <summary>
    /// Builds the model <paramref name="spec"/> describes (float32, CPU; move it with
    /// <c>.to(...)</c>), on libtorch's fused kernel where one computes the same equations.
    /// </summary>
    /// <exception cref="InputException">The spec is out of range.</exception>
    public static FrameModel Create(ModelSpec spec) => Create(spec, preferFused: true);

    /// <summary>
    /// True when <paramref name="spec"/> runs on a fused libtorch kernel: the plain LSTM
    /// (no peepholes), the GRU with reset after, the tanh RNN.
    /// </summary>
    public static bool UsesFusedKernel(ModelSpec spec) => spec.Arch switch
    {
        Architecture.Lstm => !spec.Peepholes,
        Architecture.Gru => spec.GruReset == GruReset.After,
        Architecture.Rnn => spec.Activation == Activation.Tanh,
        _ => false,
    };

    /// <summary>
    /// Builds the model <paramref name="spec"/> describes, choosing between libtorch's fused
    /// kernel and the explicit cells. Both have the same parameter names, so a state_dict
    /// moves between them.
    /// </summary>
    /// <param name="spec">What to build.</param>
    /// <param name="preferFused">False forces the explicit cells even where a fused kernel
    /// exists: the tests prove the two compute the same thing, the benchmark times both.</param>
    /// <remarks>
    /// With <paramref name="preferFused"/>, a fused module runs libtorch's kernel on CUDA, but on
    /// the CPU it runs the hand-written window function of the same equations where that is
    /// faster (the tanh RNN and the GRU; measured by <c>musicrnn perf</c>). <see cref="CreateOnLibtorchKernel"/>
    /// keeps libtorch's kernel on every device.
    /// </remarks>
    public static FrameModel Create(ModelSpec spec, bool preferFused) => Create(spec, preferFused, cpuFastPath: true);

    /// <summary>
    /// Builds the model on libtorch's fused kernel where one exists, run on every device: the
    /// yardstick the window functions are timed and proved against.
    /// </summary>
    public static FrameModel CreateOnLibtorchKernel(ModelSpec spec) => Create(spec, preferFused: true, cpuFastPath: false);

    private static FrameModel Create(ModelSpec spec, bool preferFused, bool cpuFastPath)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return spec.Arch switch
        {
            Architecture.LogReg => new LogisticRegressionModel(spec),
            Architecture.Mlp => new MlpModel(spec),
            Architecture.Persistence => new PersistenceModel(spec),
            _ when preferFused && UsesFusedKernel(spec) => new RecurrentModel(spec, Fused(spec), cpuFastPath ? CpuCell(spec) : null),
            _ => new RecurrentModel(spec, Explicit(spec)),
        };
    }

    /// <summary>
    /// The window function that beats libtorch's CPU kernel for a fused spec, or null where
    /// libtorch's is as fast (the plain LSTM: 71.5 ms against 72.2 ms, 130 against 139 at 200
    /// steps, so the kernel the rest of the world uses stays). Forward + backward at input =
    /// hidden = 1024, 100 steps, batch 1, 2 threads, best of 9 and of 3 (<c>musicrnn perf</c>,
    /// bench/results/2026-11-26-final-*): tanh RNN 23.0 ms against 49.8 ms, GRU with reset
    /// after 61.0 ms against 191.6 ms.
    /// </summary>
    private static RecurrentCell? CpuCell(ModelSpec spec) => spec.Arch switch
    {
        Architecture.Rnn => new RnnCell(spec.Activation),
        Architecture.Gru => new GruCell(spec.GruReset),
        _ => null,
    };

    private static RecurrentLayers Explicit(ModelSpec spec) => new(spec, spec.Arch switch
    {
        Architecture.Rnn => new RnnCell(spec.Activation),
        Architecture.Lstm => new LstmCell(),
        Architecture.Gru => new GruCell(spec.GruReset),
        Architecture.CwRnn => new ClockworkCell(spec.Activation, Enumerable.Range(0, spec.Modules).Select(spec.PeriodOf).ToArray()),
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
