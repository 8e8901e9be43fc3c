using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MusicRnn.Generation.Steps;

/// <summary>
/// One layer's weights copied out of a recurrent module, under PyTorch's names (docs/ARCHITECTURE.md,
/// "Models"): W = weight_ih [G·H, I], b_W = bias_ih, U = weight_hh [G·H, H], b_U = bias_hh, and the
/// LSTM's peepholes p_i, p_f, p_o [H] when it has them.
/// </summary>
internal sealed record LayerCopy(int Input, int Hidden, float[] WeightIh, float[] BiasIh, float[] WeightHh, float[] BiasHh,
    (float[] I, float[] F, float[] O)? Peepholes);

/// <summary>
/// A recurrent layer one step at a time over weights copied once, for several streams: the managed
/// twin of a cell in Models/ that a sampler runs once per frame (docs/ARCHITECTURE.md, "Generation").
/// Each step computes the cell's equations (the remarks of its <see cref="Models.RecurrentCell"/>)
/// with <see cref="MatVec"/> and <see cref="TensorPrimitives"/>, so no TorchSharp call is made.
/// </summary>
internal abstract class CellStep
{
    private float[] xw = [], uh = [];

    /// <param name="weights">The layer's weights.</param>
    /// <param name="gates">Gate blocks G stacked in them.</param>
    protected CellStep(LayerCopy weights, int gates)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.WeightIh.Length != gates * weights.Hidden * weights.Input || weights.WeightHh.Length != gates * weights.Hidden * weights.Hidden)
            throw new ArgumentException($"expected weights of {gates} gate blocks of {weights.Hidden} units over {weights.Input} inputs", nameof(weights));
        Weights = weights;
        Gates = gates;
    }

    /// <summary>The layer's weights.</summary>
    protected LayerCopy Weights { get; }

    /// <summary>Gate blocks G.</summary>
    protected int Gates { get; }

    /// <summary>Units H.</summary>
    protected int Hidden => Weights.Hidden;

    /// <summary>State arrays per layer (h; or h and c), each [B·H].</summary>
    public virtual int StateSize => 1;

    /// <summary>
    /// Advances the state of <paramref name="batch"/> streams by one step of input <paramref name="x"/>
    /// [B·I]; h is <c>state[0]</c> afterwards.
    /// </summary>
    /// <param name="x">Every stream's input, [B·I].</param>
    /// <param name="state">The layer's state arrays, each [B·H], updated in place.</param>
    /// <param name="clock">The step's count since the state was reset (the CW-RNN's modules tick by it).</param>
    /// <param name="batch">Streams B.</param>
    public abstract void Step(ReadOnlySpan<float> x, float[][] state, long clock, int batch);

    /// <summary>W x + b_W of every stream, [B·G·H], valid until the next step.</summary>
    protected Span<float> Project(ReadOnlySpan<float> x, int batch)
    {
        int width = Gates * Hidden;
        var projected = Scratch(ref xw, batch * width);
        MatVec.Apply(Weights.WeightIh, Weights.BiasIh, width, Weights.Input, x, Weights.Input, projected, width, batch);
        return projected;
    }

    /// <summary>U h + b_U of every stream, [B·G·H], valid until the next step.</summary>
    protected Span<float> Recur(ReadOnlySpan<float> h, int batch)
    {
        int width = Gates * Hidden;
        var recurrent = Scratch(ref uh, batch * width);
        MatVec.Apply(Weights.WeightHh, Weights.BiasHh, width, Hidden, h, Hidden, recurrent, width, batch);
        return recurrent;
    }

    /// <summary>A buffer of at least <paramref name="length"/> floats, grown when the batch grows.</summary>
    protected static Span<float> Scratch(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }

    /// <summary>φ in place.</summary>
    protected static void Phi(Span<float> x, Models.Activation activation)
    {
        if (activation == Models.Activation.Tanh) TensorPrimitives.Tanh(x, x);
        else TensorPrimitives.Sigmoid(x, x);
    }
}
