using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The <c>mel</c> codec: log energies log(Σ_k M_bk |X_f(k)|² + ε_mel) of B = <c>--mel-bands</c>
/// (128 by default) mel bands of the same STFT as <see cref="StftCodec"/> (docs/ARCHITECTURE.md,
/// "Codecs"). Decoding fits a non-negative power spectrum to the band energies, takes its square
/// root as the magnitudes and rebuilds the phase by fast Griffin-Lim.
/// </summary>
/// <remarks>
/// Filterbank: <see cref="MelFilterbank"/> from 0 Hz to rate/2, on Slaney's mel scale (linear below
/// 1 kHz, logarithmic above) with Slaney's area normalisation (each triangle scaled to unit area in
/// Hz). A triangle of unit area sums to about N/rate over the bins, so ε_mel = ε² · N/rate is the
/// band energy of a flat spectrum at the <see cref="SpectralCodec.Epsilon"/> floor: silence lands
/// at the same −100 dB in both codecs.
///
/// Inversion. B bands cannot pin down N/2 + 1 bins; of the spectra P ≥ 0 whose band energies are y,
/// the decoder takes the least-squares fit min ‖M P − y‖² subject to P ≥ 0, by Lee and Seung's
/// multiplicative update for non-negative least squares (2001, "Algorithms for non-negative matrix
/// factorization"): P ← P ⊙ (Mᵀ y) / (Mᵀ M P), from P = 1, 20 times. Each step keeps P ≥ 0 and does
/// not increase the residual; frames are independent, so streaming changes nothing. The other
/// candidate, the pseudo-inverse M⁺ y clipped at zero, has negative lobes between the triangles'
/// peaks that clipping turns into holes. Measured at N = 1024, H = 256, B = 128, 32 phase iterations:
/// magnitude spectral convergence 0.261 (fit) against 0.277 (pseudo-inverse) on 3 s of real
/// electronic music, 0.107 against 0.154 on a C major chord, equal on white noise (0.380 against
/// 0.387); log-spectral distance of the decoded chord 1.4 dB against 4.2 dB. The fit's residual is
/// under 1% of ‖y‖ after 20 steps (1.4% after 10, 0.25% after 50, with little change in the sound).
/// Before the fit, features are limited to the log energy of a +60 dBFS bin, 2 log(1024 · N/2), as
/// <see cref="StftCodec"/> limits its magnitudes.
/// </remarks>
public sealed class MelCodec : SpectralCodec
{
    /// <summary>Bands unless <c>--mel-bands</c> says otherwise.</summary>
    public const int DefaultBands = 128;

    /// <summary>The most bands accepted: the filterbank is a dense [B, N/2 + 1] matrix.</summary>
    public const int MaxBands = 1024;

    /// <summary>Multiplicative-update steps of the non-negative fit.</summary>
    public const int FitIterations = 20;

    private readonly float[] _filters;   // M, [B, K] row-major

    /// <param name="frameLength">N.</param>
    /// <param name="sampleRate">The audio's rate in Hz (places the bands).</param>
    /// <param name="hop">H, dividing N at least twice.</param>
    /// <param name="bands">B, at most N/2 + 1, none of them narrower than the bins.</param>
    /// <param name="phaseIterations">Fast Griffin-Lim iterations when decoding.</param>
    public MelCodec(int frameLength, int sampleRate, int hop, int bands = DefaultBands, int phaseIterations = DefaultPhaseIterations)
        : base(frameLength, hop, phaseIterations)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bands, Math.Min(MaxBands, Bins));
        var filterbank = new MelFilterbank(bands, frameLength, sampleRate);
        if (MelFilterbank.FirstEmptyBand(bands, frameLength, sampleRate) is { } empty)
            throw new ArgumentOutOfRangeException(nameof(bands), $"band {empty} of {bands} covers no FFT bin");
        Bands = bands;
        SampleRate = sampleRate;
        _filters = new float[bands * Bins];
        for (var b = 0; b < bands; b++)
            for (var k = 0; k < Bins; k++)
                _filters[(b * Bins) + k] = (float)filterbank[b, k];
    }

    public override string Name => "mel";

    public override int FeatureCount => Bands;

    /// <summary>B.</summary>
    public int Bands { get; }

    /// <summary>The rate the bands were placed for, in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>ε_mel = ε² · N/rate (see remarks).</summary>
    public double EnergyFloor => Epsilon * Epsilon * FrameLength / SampleRate;

    protected override Tensor ToFeatures(Tensor magnitudes)
    {
        using var scope = NewDisposeScope();
        using var floor = EnergyFloor.ToScalar();
        using var one = 1.0.ToScalar();
        var filters = Filters(ScalarType.Float64);
        return magnitudes.mul(magnitudes).matmul(filters.t()).add_(floor, one).log_().MoveToOuterDisposeScope();
    }

    protected internal override Tensor ToMagnitudes(Tensor features)
    {
        using var scope = NewDisposeScope();
        using var one = 1.0.ToScalar();
        using var tiny = 1e-30.ToScalar();
        var filters = Filters(ScalarType.Float32);                                                // M [B, K]
        var energies = AboveFloor(features, EnergyFloor, 2 * Math.Log(1024.0 * FrameLength / 2));   // y [F, B]
        var numerator = energies.matmul(filters);                          // Mᵀy per frame, [F, K]
        var power = ones_like(numerator);
        for (var i = 0; i < FitIterations; i++)
        {
            using var step = NewDisposeScope();
            var denominator = power.matmul(filters.t()).matmul(filters).add_(tiny, one);   // MᵀM P
            power.mul_(numerator).div_(denominator);
        }
        return power.sqrt_().MoveToOuterDisposeScope();
    }

    private Tensor Filters(ScalarType dtype) =>
        tensor(_filters, new long[] { Bands, Bins }).to_type(dtype);
}
