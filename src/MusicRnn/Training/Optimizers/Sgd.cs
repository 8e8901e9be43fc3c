using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent, optionally with momentum (Polyak 1964; Rumelhart, Hinton &amp;
/// Williams 1986) or Nesterov's momentum (Sutskever, Martens, Dahl &amp; Hinton 2013, On the
/// importance of initialization and momentum in deep learning).
/// </summary>
/// <remarks>
/// PyTorch's formulation, with μ the momentum:
/// <code>
/// b_1 = g_1,  b_t = μ b_{t−1} + g_t      (momentum_buffer)
/// d_t = g_t + μ b_t (Nesterov) or b_t (momentum) or g_t (none)
/// θ_t = θ_{t−1} − lr · d_t
/// </code>
/// With TorchSharp 0.107's order of operations, so bit-identical to
/// <c>optim.SGD(lr, momentum, nesterov: ...)</c> without dampening or weight decay. State:
/// momentum_buffer per parameter, from the first step on (none without momentum); no step count.
/// </remarks>
internal sealed class Sgd : StatefulOptimizer<Sgd.Scalars>
{
    private readonly double learningRate;
    private readonly double momentum;
    private readonly bool nesterov;

    /// <param name="parameters">The model's named parameters.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="momentum">μ, in [0, 1); 0 is plain SGD.</param>
    /// <param name="nesterov">Nesterov's variant (needs μ &gt; 0).</param>
    public Sgd(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRate, double momentum, bool nesterov)
        : base(parameters, ["momentum_buffer"], countsSteps: false, zeroed: false)
    {
        if (nesterov && momentum <= 0) throw InputException.ForOption("--nesterov", $"Nesterov momentum needs a positive --momentum, got {momentum}");
        (this.learningRate, this.momentum, this.nesterov) = (learningRate, momentum, nesterov);
    }

    public override string Name => "sgd";

    protected override Scalars CreateScalars() => new(momentum, learningRate);

    protected override void Update(int index, Parameter parameter, Tensor grad, long step, Scalars scalars)
    {
        var direction = grad;
        if (momentum != 0)
        {
            var buffer = State(0, index);
            if (buffer is null)
            {
                buffer = grad.clone().detach();
                SetState(0, index, buffer);
            }
            else
            {
                // TorchSharp's alpha is 1 − dampening, a double.
                buffer.mul_(scalars.Momentum).add_(grad, scalars.OneMinusDampening);
            }
            direction = nesterov ? grad.add(buffer, scalars.Momentum) : buffer;
        }
        parameter.add_(direction, scalars.MinusLearningRate);
    }

    /// <summary>The step's Scalars, of the same values and types TorchSharp's step makes.</summary>
    internal sealed class Scalars(double momentum, double learningRate) : IDisposable
    {
        public Scalar Momentum { get; } = momentum.ToScalar();
        public Scalar OneMinusDampening { get; } = 1.0.ToScalar();
        public Scalar MinusLearningRate { get; } = (-learningRate).ToScalar();

        public void Dispose()
        {
            foreach (var s in new[] { Momentum, OneMinusDampening, MinusLearningRate }) s.Dispose();
        }
    }
}
