using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class StftCodecTests
{
    private const int Rate = TestSignals.SampleRate;

    [Fact]
    public void Should_put_a_bin_centred_sine_in_its_bin_at_a_quarter_of_the_frame_times_its_amplitude()
    {
        // Given a sine of amplitude 0.5 exactly at bin 37 of 1024-sample frames
        var codec = new StftCodec(1024, 256);
        const int bin = 37;
        const double amplitude = 0.5;
        var samples = Enumerable.Range(0, 8 * 1024).Select(i => (float)(amplitude * Math.Sin((2 * Math.PI * bin * i / 1024) + 0.3))).ToArray();

        // When encoded
        using var frames = codec.Encode(samples);

        // Then each frame inside the song has N/2 + 1 features; the periodic Hann window's transform is
        // N/2 at 0 and −N/4 at ±1, so the sine's bin holds a·N/4, its neighbours a·N/8, the rest nothing (ε)
        Assert.Equal(new long[] { codec.FrameCount(samples.Length), 513 }, frames.shape);
        for (var f = codec.Overlap - 1; f < (samples.Length / 256) - 1; f++)
        {
            var row = frames[f].data<float>().ToArray();
            Assert.Equal(Math.Log((amplitude * 1024 / 4) + codec.Epsilon), row[bin], 4);
            Assert.Equal(Math.Log((amplitude * 1024 / 8) + codec.Epsilon), row[bin - 1], 4);
            Assert.Equal(Math.Log((amplitude * 1024 / 8) + codec.Epsilon), row[bin + 1], 4);
            Assert.Equal(Math.Log(codec.Epsilon), row[bin + 5], 3);
            Assert.Equal(bin, Array.IndexOf(row, row.Max()));
        }
    }

    [Fact]
    public void Should_match_torch_stft_of_the_padded_song()
    {
        // Given seeded noise of a ragged length
        var codec = new StftCodec(512, 128);
        var samples = TestSignals.WhiteNoise(5000, seed: 4);

        // When encoded, and framed independently by torch.stft over N − H zeros, the song, and zeros
        using var frames = codec.Encode(samples);
        var count = codec.FrameCount(samples.Length);
        var padded = new double[((count - 1) * 128) + 512];
        for (var i = 0; i < samples.Length; i++) padded[512 - 128 + i] = samples[i];
        using var reference = tensor(padded).stft(512, 128, window: hann_window(512, periodic: true, dtype: ScalarType.Float64), center: false, return_complex: true)
            .abs().add(codec.Epsilon).log().t();

        // Then the features are torch's log magnitudes, frame for frame
        Assert.Equal(reference.shape, frames.shape);
        Assert.True(frames.to_type(ScalarType.Float64).allclose(reference, rtol: 0, atol: 1e-5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    [InlineData(4 * 256)]
    public void Should_keep_the_length_contract(int length)
    {
        // Given a song of `length` samples and frames of 256 every 64 samples (R = 4), and every 128 (R = 2)
        foreach (var hop in new[] { 64, 128 })
        {
            var codec = new StftCodec(256, hop, phaseIterations: 2);
            var samples = TestSignals.Chord(length, seed: length);

            // When encoded and decoded
            using var frames = codec.Encode(samples);
            var decoded = codec.Decode(frames);

            // Then there are ⌈L/H⌉ + R − 1 frames (none for no samples), and F·H samples come back
            var expected = length == 0 ? 0 : ((length + hop - 1) / hop) + (256 / hop) - 1;
            Assert.Equal(expected, codec.FrameCount(length));
            Assert.Equal(expected, frames.shape[0]);
            Assert.Equal(expected * hop, decoded.Length);
            Assert.True(decoded.Length >= length);
        }
    }

    [Fact]
    public void Should_cover_every_sample_by_R_windows_the_first_one_included()
    {
        // Given impulses at the song's sample 1 and at sample 3·64 + 1 of 256-sample frames, hop 64
        var codec = new StftCodec(256, 64);
        var window = Enumerable.Range(0, 256).Select(n => 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / 256))).ToArray();
        foreach (var at in new[] { 1, (3 * 64) + 1 })
        {
            var samples = new float[1000];
            samples[at] = 1;

            // When encoded
            using var frames = codec.Encode(samples);

            // Then exactly the R = 4 frames j … j + 3 (j = at / 64) see it, each with the flat spectrum w_n of the
            // window position n the impulse has in that frame (the song starts N − H = 192 samples into frame 0)
            for (var f = 0; f < frames.shape[0]; f++)
            {
                var magnitude = Math.Exp(frames[f, 0].item<float>()) - codec.Epsilon;
                var inside = f >= at / 64 && f < (at / 64) + 4;
                var expected = inside ? window[192 + at - (64 * f)] : 0;
                Assert.True(Math.Abs(magnitude - expected) < 1e-5, $"frame {f}: {magnitude} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData("chord", 0.135, 0.165, 0.78, 0.95)]
    [InlineData("noise", 0.098, 0.120, 1.70, 2.05)]
    [InlineData("excerpt", 0.085, 0.105, 1.75, 2.15)]
    public void Should_decode_to_the_stated_spectral_convergence_and_distance(string signal, double minSc, double maxSc, double minLsd, double maxLsd)
    {
        // Given 3 s of a chord, of white noise, or of real music, and the default stft codec (1024/256, 32 iterations)
        var samples = signal == "excerpt" ? TestSignals.Excerpt() : TestSignals.Make(signal, 3 * Rate, seed: 1);
        var codec = CodecFactory.Create(new CodecSettings("stft", 1024, Rate));

        // When round-tripped
        var restored = codec.RoundTrip(samples);

        // Then the spectra agree to the measured figures (SC 0.150, 0.108, 0.095; LSD 0.87, 1.87, 1.96 dB) within about 10%:
        // the algorithm is deterministic, so the margin only absorbs FFT rounding across libtorch builds
        var (sc, lsd) = TestSignals.SpectralDistance(samples, restored);
        Assert.InRange(sc, minSc, maxSc);
        Assert.InRange(lsd, minLsd, maxLsd);
    }

    [Theory]
    [InlineData("chord")]
    [InlineData("excerpt")]
    public void Should_not_get_worse_with_more_phase_iterations(string signal)
    {
        // Given a chord and real music
        var samples = signal == "excerpt" ? TestSignals.Excerpt() : TestSignals.Chord(3 * Rate, seed: 1);

        // When decoded with 8, 32 and 100 fast Griffin-Lim iterations
        var convergence = new[] { 8, 32, 100 }
            .Select(iterations => TestSignals.SpectralDistance(samples, new StftCodec(1024, 256, iterations).RoundTrip(samples)).Convergence)
            .ToArray();

        // Then the spectral convergence falls (measured: chord 0.204, 0.150, 0.121; excerpt 0.169, 0.095, 0.067)
        Assert.True(convergence[0] > convergence[1] && convergence[1] > convergence[2], string.Join(", ", convergence));
        Assert.True(convergence[2] < 0.8 * convergence[0], string.Join(", ", convergence));
    }

    [Fact]
    public void Should_decode_the_same_frames_to_the_same_samples()
    {
        // Given frames of noise
        var codec = new StftCodec(512, 128);
        using var frames = codec.Encode(TestSignals.WhiteNoise(20_000, seed: 8));

        // When decoded twice
        // Then the samples are bit for bit the same
        Assert.Equal(codec.Decode(frames), codec.Decode(frames));
    }

    [Fact]
    public void Should_decode_digital_silence_to_silence()
    {
        // Given the frames of silence (every feature log ε)
        var codec = new StftCodec(256, 64);
        using var frames = codec.Encode(new float[3000]);

        // When decoded, then nothing but zeros comes back
        Assert.All(codec.Decode(frames), sample => Assert.Equal(0f, sample));
    }

    [Fact]
    public void Should_turn_wild_predictions_into_finite_audio_and_keep_nan_visible()
    {
        // Given frames a diverging model might predict: huge and minus-infinite log magnitudes
        var codec = new StftCodec(256, 64, phaseIterations: 4);
        using var huge = full(12, codec.FeatureCount, 1e6f);
        using var silent = full(12, codec.FeatureCount, float.NegativeInfinity);
        using var broken = full(12, codec.FeatureCount, float.NaN);

        // When decoded
        // Then huge gives finite (loud) samples, −∞ gives silence, and NaN stays NaN for the caller to report
        Assert.All(codec.Decode(huge), sample => Assert.True(float.IsFinite(sample)));
        Assert.All(codec.Decode(silent), sample => Assert.Equal(0f, sample));
        Assert.Contains(codec.Decode(broken), float.IsNaN);
    }
}
