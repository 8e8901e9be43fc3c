namespace MusicRnn.Models;

/// <summary>
/// Which implementation of a recurrent architecture a model runs (docs/ARCHITECTURE.md, Models).
/// Every choice computes the same equations on the same parameter names, so a state_dict moves
/// between them; they differ in speed and in which one the tests hold the others to.
/// </summary>
public enum Kernel
{
    /// <summary>
    /// The fastest measured here: libtorch's fused module where it is the faster one (the plain
    /// LSTM, and every fused module on CUDA), MusicRnn's window functions elsewhere (on the CPU the
    /// tanh RNN and the GRU with reset after too), and generation folds a noiseless LSTM's feedback
    /// into its recurrence. What training and generation use.
    /// </summary>
    Fastest,

    /// <summary>
    /// libtorch's fused module on every device wherever one computes the architecture (plain LSTM,
    /// GRU with reset after, tanh RNN); the window functions for the rest. The yardstick the window
    /// functions are timed and proved against. No fold.
    /// </summary>
    Libtorch,

    /// <summary>MusicRnn's window function for every recurrent architecture, fused module or not. No fold.</summary>
    Window,

    /// <summary>
    /// The autograd loop over steps written from the paper's equations: slow, and the proof
    /// reference every window function is compared with. No fold.
    /// </summary>
    Reference,
}
