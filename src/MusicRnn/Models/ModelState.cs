using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// The recurrent state a model carries from one window to the next: per layer, the
/// tensors the architecture needs (h; or h and c for the LSTM), each [batch, hidden],
/// plus the Clockwork RNN's clock (steps since the state was last reset).
/// Feed-forward models carry an empty state.
/// </summary>
public sealed class ModelState : IDisposable
{
    public ModelState(IReadOnlyList<Tensor> tensors, long clock)
    {
        Tensors = tensors;
        Clock = clock;
    }

    /// <summary>The state tensors in a fixed, architecture-defined order, each [batch, hidden].</summary>
    public IReadOnlyList<Tensor> Tensors { get; }

    /// <summary>Steps since the state was last reset (used by the Clockwork RNN).</summary>
    public long Clock { get; }

    /// <summary>A copy cut from the autograd graph, for carrying across windows.</summary>
    public ModelState Detach() => new(Tensors.Select(t => t.detach()).ToArray(), Clock);

    /// <summary>Moves every tensor out of the current dispose scope (to outlive a training step).</summary>
    public ModelState MoveToOuterDisposeScope()
    {
        foreach (var t in Tensors) t.MoveToOuterDisposeScope();
        return this;
    }

    public void Dispose()
    {
        foreach (var t in Tensors) t.Dispose();
    }
}
