namespace MusicRnn.Models;

/// <summary>
/// Parameter counts in closed form, and the hidden width that gives an architecture a
/// budget of P parameters (<c>--match-params</c>): the protocol of Koutník et al. (2014) and
/// Chung et al. (2014), who compare architectures at equal parameter counts, not equal widths.
/// </summary>
public static class ParameterBudget
{
    /// <summary>
    /// The number of scalars the built model stores (its <c>numel</c>), the CW-RNN's masked
    /// zeros included.
    /// </summary>
    public static long Count(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long i = spec.InputSize, h = spec.HiddenSize, o = spec.OutputSize, layers = spec.Layers;
        if (spec.SampleLevel is { } sample) return SampleLevelCount(spec, sample);
        switch (spec.Arch)
        {
            case Architecture.Persistence:
                return 0;
            case Architecture.LogReg:
                return o * (i + 1);
            case Architecture.Mlp:
                // First layer I → H, then (L − 1) layers H → H, then the head H → O.
                return h * (i + 1) + (layers - 1) * h * (h + 1) + o * (h + 1);
            default:
                // The scaled readout's gain s has one scalar per output feature.
                return StackCount(spec, i) + o * (h + 1) + (spec.Readout == Readout.Scaled ? o : 0);
        }
    }

    /// <summary>A recurrent stack's scalars: per layer weight_ih G·H × I_k, weight_hh G·H × H, two biases G·H, peepholes.</summary>
    private static long StackCount(ModelSpec spec, long input)
    {
        long h = spec.HiddenSize, g = Gates(spec.Arch);
        var peepholes = spec.Arch == Architecture.Lstm && spec.Peepholes ? 3 * h : 0;
        return g * h * (input + h + 2) + peepholes + (spec.Layers - 1) * (g * h * (h + h + 2) + peepholes);
    }

    /// <summary>
    /// A sample-level model's scalars: the per-position embeddings F·L × D, the sample tier's two
    /// layers, and per recurrent tier its stack and its upsampling projection.
    /// </summary>
    private static long SampleLevelCount(ModelSpec spec, SampleLevelSpec sample)
    {
        long f = sample.FrameSize, l = sample.Levels, d = sample.MlpSize, h = spec.HiddenSize, r = sample.TopRatio;
        long count = (f * l * d) + (d * d + d) + (l * d + l);
        if (sample.Tiers >= 2) count += StackCount(spec, f + (sample.Tiers == 3 ? h : 0)) + (h * f * d + f * d);
        if (sample.Tiers == 3) count += StackCount(spec, r * f) + (h * r * h + r * h);
        return count;
    }

    /// <summary>
    /// The number of free (trainable) scalars: <see cref="Count"/> less the CW-RNN's masked
    /// recurrent weights, which are structurally zero. This is what budgets are matched on.
    /// </summary>
    public static long CountFree(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Arch != Architecture.CwRnn) return Count(spec);
        long g = spec.Modules, k = spec.HiddenSize / spec.Modules;
        // Module i hears modules i..g−1: Σ_i (g − i) = g(g+1)/2 blocks of k × k per layer.
        var masked = (g * k) * (g * k) - g * (g + 1) / 2 * k * k;
        // A sample-level model has a stack per recurrent tier.
        long stacks = spec.SampleLevel is { } sample ? sample.Tiers - 1 : 1;
        return Count(spec) - stacks * spec.Layers * masked;
    }

    /// <summary>
    /// The hidden width (per layer) that brings the free parameter count of
    /// <paramref name="spec"/>'s architecture closest to <paramref name="targetParams"/>;
    /// for the CW-RNN a multiple of its module count. Logistic regression and persistence
    /// have no hidden width, so their <see cref="ModelSpec.HiddenSize"/> comes back unchanged.
    /// </summary>
    public static int MatchHidden(ModelSpec spec, long targetParams)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Arch is Architecture.LogReg or Architecture.Persistence) return spec.HiddenSize;
        if (targetParams <= 0) throw InputException.ForOption("--match-params", $"expected a positive parameter count, got {targetParams}");
        var step = spec.Arch == Architecture.CwRnn ? spec.Modules : 1;
        long Free(long units) => CountFree(spec with { HiddenSize = (int)(units * step) });

        // The count grows with the width, so bisect for the first width at or above the target
        // and keep whichever of it and its predecessor is closer.
        long low = 1, high = 1;
        while (Free(high) < targetParams && high * step < int.MaxValue / 4) high *= 2;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (Free(mid) < targetParams) low = mid + 1; else high = mid;
        }
        var best = low > 1 && targetParams - Free(low - 1) < Free(low) - targetParams ? low - 1 : low;
        return (int)(best * step);
    }

    internal static int Gates(Architecture arch) => arch switch
    {
        Architecture.Lstm => 4,
        Architecture.Gru => 3,
        _ => 1,
    };
}
