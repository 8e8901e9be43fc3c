using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class MelCodecTests
{
    private const int Rate = TestSignals.SampleRate;

    [Theory]
    [InlineData(300.0)]
    [InlineData(1000.0)]
    [InlineData(4000.0)]
    public void Should_put_a_sine_in_the_band_that_weighs_its_bin_most(double hz)
    {
        // Given a sine at a bin-centred frequency near hz, and the default mel codec at 1024/256
        var codec = (MelCodec)CodecFactory.Create(new CodecSettings("mel", 1024, Rate));
        var bin = (int)Math.Round(hz * 1024 / Rate);
        var samples = Enumerable.Range(0, 6 * 1024).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * bin * i / 1024))).ToArray();

        // When encoded
        using var frames = codec.Encode(samples);

        // Then a frame has B = 128 features, and the loudest band is the filterbank's heaviest at that bin
        var bank = new MelFilterbank(128, 1024, Rate);
        var heaviest = Enumerable.Range(0, 128).MaxBy(b => bank[b, bin]);
        Assert.Equal(new long[] { codec.FrameCount(samples.Length), 128 }, frames.shape);
        var row = frames[10].data<float>().ToArray();
        Assert.Equal(heaviest, Array.IndexOf(row, row.Max()));
    }

    [Fact]
    public void Should_be_the_log_of_the_filterbank_applied_to_torch_stft_power()
    {
        // Given seeded noise, framed independently by torch.stft as the stft codec frames it
        var codec = new MelCodec(512, Rate, 128, bands: 40);
        var samples = TestSignals.WhiteNoise(4000, seed: 6);
        var count = codec.FrameCount(samples.Length);
        var padded = new double[((count - 1) * 128) + 512];
        for (var i = 0; i < samples.Length; i++) padded[384 + i] = samples[i];
        using var power = tensor(padded).stft(512, 128, window: hann_window(512, periodic: true, dtype: ScalarType.Float64), center: false, return_complex: true)
            .abs().pow(2).t();

        // When encoded
        using var frames = codec.Encode(samples);

        // Then each feature is log(Σ_k M_bk |X_k|² + ε_mel) with the Slaney filterbank
        using var expected = power.matmul(new MelFilterbank(40, 512, Rate).ToTensor(ScalarType.Float64).t()).add(codec.EnergyFloor).log();
        Assert.True(frames.to_type(ScalarType.Float64).allclose(expected, rtol: 0, atol: 1e-5));
        Assert.Equal(codec.Epsilon * codec.Epsilon * 512 / Rate, codec.EnergyFloor, 15);
    }

    [Fact]
    public void Should_fit_the_band_energies_better_than_the_clipped_pseudo_inverse()
    {
        // Given the true magnitudes of a chord and the band energies the mel codec keeps of them
        var codec = new MelCodec(1024, Rate, 256);
        var stft = new StftCodec(1024, 256);
        var samples = TestSignals.Chord(2 * Rate, seed: 3);
        using var scope = NewDisposeScope();
        var magnitudes = stft.ToMagnitudes(stft.Encode(samples));
        var filters = new MelFilterbank(128, 1024, Rate).ToTensor();
        var energies = magnitudes.mul(magnitudes).matmul(filters.t());

        // When the mel codec recovers magnitudes from its features, and the pseudo-inverse M⁺ y clipped at 0 does
        var fitted = codec.ToMagnitudes(codec.Encode(samples));
        var pseudo = energies.matmul(linalg.pinv(filters.to_type(ScalarType.Float64)).to_type(ScalarType.Float32).t()).clamp_min(0).sqrt();

        // Then the fit is non-negative, reproduces the band energies to 2%, and is closer to the true magnitudes
        // (measured 0.107 against 0.154)
        double Convergence(Tensor estimate) => (estimate - magnitudes).norm().item<float>() / magnitudes.norm().item<float>();
        var residual = (fitted.mul(fitted).matmul(filters.t()) - energies).norm().item<float>() / energies.norm().item<float>();
        Assert.True(fitted.min().item<float>() >= 0);
        Assert.True(residual < 0.02, $"fit residual {residual}");
        Assert.True(Convergence(fitted) < 0.9 * Convergence(pseudo), $"fit {Convergence(fitted)}, pseudo-inverse {Convergence(pseudo)}");
        Assert.InRange(Convergence(fitted), 0.09, 0.12);
    }

    [Theory]
    [InlineData("chord", 0.18, 0.22, 1.2, 1.6)]
    [InlineData("noise", 0.38, 0.43, 4.9, 5.6)]
    [InlineData("excerpt", 0.22, 0.26, 7.6, 8.6)]
    public void Should_decode_to_the_stated_spectral_convergence_and_distance(string signal, double minSc, double maxSc, double minLsd, double maxLsd)
    {
        // Given 3 s of a chord, of white noise, or of real music, and the default mel codec (1024/256, 128 bands, 32 iterations)
        var samples = signal == "excerpt" ? TestSignals.Excerpt() : TestSignals.Make(signal, 3 * Rate, seed: 1);
        var codec = CodecFactory.Create(new CodecSettings("mel", 1024, Rate));

        // When round-tripped
        var restored = codec.RoundTrip(samples);

        // Then the spectra agree to the measured figures (SC 0.200, 0.405, 0.241; LSD 1.40, 5.27, 8.14 dB) within about
        // 10%: 128 bands cannot keep the fine structure of 513 bins, which costs more than the phase does
        var (sc, lsd) = TestSignals.SpectralDistance(samples, restored);
        Assert.InRange(sc, minSc, maxSc);
        Assert.InRange(lsd, minLsd, maxLsd);
    }

    [Fact]
    public void Should_decode_digital_silence_to_silence()
    {
        // Given the frames of silence
        var codec = new MelCodec(512, Rate, 128, bands: 40);
        using var frames = codec.Encode(new float[5000]);

        // When decoded, then nothing but zeros comes back
        Assert.All(codec.Decode(frames), sample => Assert.Equal(0f, sample));
    }
}
