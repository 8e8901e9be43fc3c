using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training.Optimizers;

/// <summary>
/// RMSProp (Tieleman &amp; Hinton 2012, Lecture 6.5, Neural Networks for Machine Learning): each
/// weight's step is the gradient divided by a running root mean square of its recent gradients.
/// </summary>
/// <remarks>
/// <code>
/// v_t = α v_{t−1} + (1 − α) g_t²        (square_avg)
/// θ_t = θ_{t−1} − lr · g_t / (√v_t + ε)
/// </code>
/// With TorchSharp 0.107's order of operations (<c>mul_</c>, <c>addcmul_</c>, <c>sqrt</c>,
/// <c>add_</c>, <c>addcdiv_</c>), so bit-identical to <c>optim.RMSProp(lr, alpha, eps)</c> without
/// momentum, centring or weight decay. State: square_avg and step per parameter.
/// </remarks>
internal sealed class RmsProp : StatefulOptimizer<RmsProp.Scalars>
{
    private readonly double learningRate;
    private readonly double alpha;
    private readonly double eps;

    /// <param name="parameters">The model's named parameters.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="alpha">The decay α of the running mean (Hinton's 0.9).</param>
    /// <param name="eps">ε, TorchSharp's default 1e-8.</param>
    public RmsProp(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRate, double alpha, double eps = 1e-8)
        : base(parameters, ["square_avg"], countsSteps: true, zeroed: true)
    {
        (this.learningRate, this.alpha, this.eps) = (learningRate, alpha, eps);
    }

    public override string Name => "rmsprop";

    protected override Scalars CreateScalars() => new(alpha, eps, learningRate);

    protected override void Update(int index, Parameter parameter, Tensor grad, long step, Scalars scalars)
    {
        var squareAvg = State(0, index)!;
        squareAvg.mul_(scalars.Alpha).addcmul_(grad, grad, scalars.OneMinusAlpha);
        using var avg = squareAvg.sqrt().add_(scalars.Eps, scalars.One);
        parameter.addcdiv_(grad, avg, scalars.MinusLearningRate);
    }

    /// <summary>The step's Scalars, of the same values and types TorchSharp's step makes.</summary>
    internal sealed class Scalars(double alpha, double eps, double learningRate) : IDisposable
    {
        public Scalar Alpha { get; } = alpha.ToScalar();
        public Scalar OneMinusAlpha { get; } = (1 - alpha).ToScalar();
        public Scalar Eps { get; } = eps.ToScalar();
        public Scalar One { get; } = 1.ToScalar();
        public Scalar MinusLearningRate { get; } = (-learningRate).ToScalar();

        public void Dispose()
        {
            foreach (var s in new[] { Alpha, OneMinusAlpha, Eps, One, MinusLearningRate }) s.Dispose();
        }
    }
}
