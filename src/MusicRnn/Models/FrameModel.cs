using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// What every model is to the trainer and the generator: a module that maps a window of
/// input frames to predicted frames, carrying a <see cref="ModelState"/> between calls.
/// The trainer never asks which architecture it holds.
/// </summary>
public abstract class FrameModel : nn.Module<Tensor, ModelState?, (Tensor Output, ModelState State)>
{
    /// <param name="name">The module's name.</param>
    /// <param name="spec">The spec the model is built from.</param>
    /// <param name="kernel">The implementation it runs (<see cref="ModelFactory.Create(ModelSpec, Kernel)"/>'s choice).</param>
    protected FrameModel(string name, ModelSpec spec, Kernel kernel = Kernel.Fastest) : base(name)
    {
        Spec = spec;
        Kernel = kernel;
    }

    /// <summary>The spec the model was built from.</summary>
    public ModelSpec Spec { get; }

    /// <summary>
    /// The implementation the model runs. Generation folds a noiseless LSTM's feedback into its
    /// recurrence only for <see cref="Kernel.Fastest"/>; the other kernels run frame by frame.
    /// </summary>
    public Kernel Kernel { get; }

    /// <summary>
    /// Runs the model over a window.
    /// </summary>
    /// <param name="input">Frames, [steps, batch, InputSize].</param>
    /// <param name="state">State to start from; null means zeros (and clock 0).</param>
    /// <returns>Predictions [steps, batch, OutputSize] and the state after the last step.</returns>
    public abstract override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state);

    /// <summary>The zero state for <paramref name="batch"/> parallel streams on <paramref name="device"/>.</summary>
    public abstract ModelState InitialState(long batch, Device device, ScalarType dtype);

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
