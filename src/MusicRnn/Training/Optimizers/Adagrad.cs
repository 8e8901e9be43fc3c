using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training.Optimizers;

/// <summary>
/// Adagrad (Duchi, Hazan &amp; Singer 2011, Adaptive subgradient methods for online learning and
/// stochastic optimization, JMLR 12): each weight's step shrinks with the sum of its squared gradients.
/// </summary>
/// <remarks>
/// <code>
/// s_t = s_{t−1} + g_t²                  (sum)
/// θ_t = θ_{t−1} − lr · g_t / (√s_t + ε)
/// </code>
/// With TorchSharp 0.107's order of operations, so bit-identical to <c>optim.Adagrad(lr)</c> (no
/// learning-rate decay, no weight decay, accumulator starting at 0, ε 1e-10). State: sum and
/// step per parameter.
/// </remarks>
internal sealed class Adagrad : StatefulOptimizer<Adagrad.Scalars>
{
    private readonly double learningRate;
    private readonly double eps;

    /// <param name="parameters">The model's named parameters.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="eps">ε.</param>
    public Adagrad(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRate, double eps = 1e-10)
        : base(parameters, ["sum"], countsSteps: true, zeroed: true)
    {
        (this.learningRate, this.eps) = (learningRate, eps);
    }

    public override string Name => "adagrad";

    protected override Scalars CreateScalars() => new(eps, learningRate);

    protected override void Update(int index, Parameter parameter, Tensor grad, long step, Scalars scalars)
    {
        var sum = State(0, index)!;
        sum.addcmul_(grad, grad, scalars.One);
        using var std = sum.sqrt().add_(scalars.Eps, scalars.One);
        parameter.addcdiv_(grad, std, scalars.MinusLearningRate);
    }

    /// <summary>The step's Scalars, of the same values and types TorchSharp's step makes.</summary>
    /// <remarks>Without learning-rate decay, TorchSharp's lr / (1 + (step − 1) · 0) is lr itself.</remarks>
    internal sealed class Scalars(double eps, double learningRate) : IDisposable
    {
        public Scalar One { get; } = 1.ToScalar();
        public Scalar Eps { get; } = eps.ToScalar();
        public Scalar MinusLearningRate { get; } = (-learningRate).ToScalar();

        public void Dispose()
        {
            foreach (var s in new[] { One, Eps, MinusLearningRate }) s.Dispose();
        }
    }
}
