namespace MusicRnn.Training;

/// <summary>How a window's starting state is chosen (docs/ARCHITECTURE.md, "Training").</summary>
public enum StateMode
{
    /// <summary>Each window starts from the previous window's start state advanced <c>stride</c> steps without gradient.</summary>
    Carry,
    /// <summary>Every window starts from the zero state.</summary>
    Reset,
}

/// <summary>The optimizers the trainer offers.</summary>
public enum OptimizerKind
{
    /// <summary>Hinton's RMSProp, decay 0.9 (the essay's).</summary>
    RmsProp,
    /// <summary>iRprop−, full batch: one step per epoch from the gradient summed over every window.</summary>
    Rprop,
    /// <summary>Stochastic gradient descent with optional (Nesterov) momentum.</summary>
    Sgd,
    /// <summary>Adagrad (what the essay's code used).</summary>
    Adagrad,
    /// <summary>Adam.</summary>
    Adam,
}

/// <summary>
/// How truncated back-propagation through time walks over the songs and updates the
/// weights (docs/ARCHITECTURE.md, "Training"). Defaults are the essay's.
/// </summary>
public sealed record TrainingConfig
{
    /// <summary>Frames per training window (the truncation length of BPTT).</summary>
    public int Window { get; init; } = 200;

    /// <summary>Frames between the starts of consecutive windows.</summary>
    public int Stride { get; init; } = 5;

    /// <summary>Windows run side by side as parallel streams per optimizer step.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Whether windows start from a carried state or from zeros.</summary>
    public StateMode State { get; init; } = StateMode.Carry;

    /// <summary>Total epochs to train (a resumed run continues until this many are done).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>The update rule.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.RmsProp;

    /// <summary>Learning rate (for Rprop: the initial per-weight step size).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>SGD only: momentum factor in [0, 1).</summary>
    public double Momentum { get; init; }

    /// <summary>SGD only: Nesterov's variant of momentum (needs a positive momentum).</summary>
    public bool Nesterov { get; init; }

    /// <summary>
    /// Decoupled weight decay λ (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization",
    /// ICLR; PyTorch's AdamW): before each update every parameter shrinks by θ ← θ (1 − lr·λ), apart
    /// from the gradient and its running statistics. 0 (the essay's, and train's) turns it off.
    /// Not for Rprop, whose rate is a step size.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm ceiling; 0 turns clipping off.</summary>
    public double Clip { get; init; } = 1.0;

    /// <summary>Seed of the random generator that initialises the weights.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Also validate every this many iterations, within epochs (0 = only at epochs' ends): finer
    /// curves and a finer time to reach a baseline. Changes no weight; a resume may change it.
    /// </summary>
    public int ValidateEvery { get; init; }

    /// <summary>Throws an <see cref="InputException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Window <= 0) throw InputException.ForOption("--window", $"expected a positive number of frames, got {Window}");
        if (Stride <= 0) throw InputException.ForOption("--stride", $"expected a positive number of frames, got {Stride}");
        if (Batch <= 0) throw InputException.ForOption("--batch", $"expected a positive number of windows, got {Batch}");
        if (Epochs <= 0) throw InputException.ForOption("--epochs", $"expected a positive number of epochs, got {Epochs}");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
            throw InputException.ForOption("--lr", $"expected a positive learning rate, got {LearningRate}");
        // libtorch applies the rate as a float32 scalar; a larger one fails inside the first step.
        if (LearningRate > float.MaxValue)
            throw InputException.ForOption("--lr", $"expected a positive learning rate a float32 can hold (at most 3.4e38), got {LearningRate}");
        if (!double.IsFinite(Momentum) || Momentum < 0 || Momentum >= 1)
            throw InputException.ForOption("--momentum", $"expected a momentum in [0, 1), got {Momentum}");
        if (Momentum > 0 && Optimizer != OptimizerKind.Sgd)
            throw InputException.ForOption("--momentum", $"only the sgd optimizer takes a momentum, got --optimizer {Optimizer.ToString().ToLowerInvariant()}");
        if (Nesterov && (Optimizer != OptimizerKind.Sgd || Momentum <= 0))
            throw InputException.ForOption("--nesterov", "expected --optimizer sgd with a positive --momentum");
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
            throw InputException.ForOption("--weight-decay", $"expected a weight decay >= 0 (0 = off), got {WeightDecay}");
        if (WeightDecay > 0 && Optimizer == OptimizerKind.Rprop)
            throw InputException.ForOption("--weight-decay", "rprop takes no weight decay (its rate is a step size, not a scale of the gradient)");
        if (WeightDecay * LearningRate >= 1)
            throw InputException.ForOption("--weight-decay", $"expected lr × weight decay below 1 (each step keeps θ (1 − lr·λ)), got {LearningRate} × {WeightDecay}");
        if (!double.IsFinite(Clip) || Clip < 0)
            throw InputException.ForOption("--clip", $"expected a gradient-norm ceiling >= 0 (0 = off), got {Clip}");
        if (Seed < 0) throw InputException.ForOption("--seed", $"expected a seed >= 0, got {Seed}");
        if (ValidateEvery < 0) throw InputException.ForOption("--validate-every", $"expected 0 (epoch ends only) or a positive number of iterations, got {ValidateEvery}");
    }
}
