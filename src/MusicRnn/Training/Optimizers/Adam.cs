using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, Adam: a method for stochastic optimization, ICLR): RMSProp's scaling
/// on a running mean of the gradient, both means corrected for their start at zero.
/// </summary>
/// <remarks>
/// <code>
/// m_t = β₁ m_{t−1} + (1 − β₁) g_t         (exp_avg)
/// v_t = β₂ v_{t−1} + (1 − β₂) g_t²        (exp_avg_sq)
/// θ_t = θ_{t−1} − lr / (1 − β₁ᵗ) · m_t / (√v_t / √(1 − β₂ᵗ) + ε)
/// </code>
/// With TorchSharp 0.107's order of operations, so bit-identical to <c>optim.Adam(lr)</c> (β 0.9,
/// 0.999, ε 1e-8, no weight decay, no AMSGrad) on real parameters. State: exp_avg, exp_avg_sq
/// and step per parameter.
/// </remarks>
internal sealed class Adam : StatefulOptimizer<Adam.Scalars>
{
    private readonly double learningRate;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double eps;

    /// <param name="parameters">The model's named parameters.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    public Adam(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
        : base(parameters, ["exp_avg", "exp_avg_sq"], countsSteps: true, zeroed: true)
    {
        (this.learningRate, this.beta1, this.beta2, this.eps) = (learningRate, beta1, beta2, eps);
    }

    public override string Name => "adam";

    protected override Scalars CreateScalars() => new(beta1, beta2, eps);

    protected override void Update(int index, Parameter parameter, Tensor grad, long step, Scalars scalars)
    {
        var (expAvg, expAvgSq) = (State(0, index)!, State(1, index)!);
        // The bias corrections depend on the parameter's own step count, as in TorchSharp.
        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2 = 1 - Math.Pow(beta2, step);
        using var root = Math.Sqrt(biasCorrection2).ToScalar();
        using var minusStepSize = (-(learningRate / biasCorrection1)).ToScalar();
        expAvg.mul_(scalars.Beta1).add_(grad, scalars.OneMinusBeta1);
        expAvgSq.mul_(scalars.Beta2).addcmul_(grad, grad, scalars.OneMinusBeta2);
        using var sqrt = expAvgSq.sqrt();
        using var denom = sqrt.div(root).add_(scalars.Eps, scalars.One);
        parameter.addcdiv_(expAvg, denom, minusStepSize);
    }

    /// <summary>The step's Scalars, of the same values and types TorchSharp's step makes.</summary>
    internal sealed class Scalars(double beta1, double beta2, double eps) : IDisposable
    {
        public Scalar Beta1 { get; } = beta1.ToScalar();
        public Scalar OneMinusBeta1 { get; } = (1 - beta1).ToScalar();
        public Scalar Beta2 { get; } = beta2.ToScalar();
        public Scalar OneMinusBeta2 { get; } = (1 - beta2).ToScalar();
        public Scalar Eps { get; } = eps.ToScalar();
        public Scalar One { get; } = 1.ToScalar();

        public void Dispose()
        {
            foreach (var s in new[] { Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, Eps, One }) s.Dispose();
        }
    }
}
