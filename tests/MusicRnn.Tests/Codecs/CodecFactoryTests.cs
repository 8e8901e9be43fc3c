using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

public sealed class CodecFactoryTests
{
    /// <summary>The codecs with frames of N samples (the quantizers have frames of one: QuantizingCodecTests).</summary>
    private static IEnumerable<string> FrameCodecs => CodecFactory.Names.Where(n => !new CodecSettings(n, 1, 22050).Quantizes);

    [Theory]
    [InlineData("fft", typeof(FftCodec), 2 * 512)]
    [InlineData("rfft", typeof(RfftCodec), 512)]
    [InlineData("mdct", typeof(MdctCodec), 512)]
    [InlineData("raw", typeof(RawCodec), 512)]
    [InlineData(" RFFT ", typeof(RfftCodec), 512)]
    [InlineData("stft", typeof(StftCodec), 257)]
    [InlineData("mel", typeof(MelCodec), 128)]
    public void Should_create_the_named_codec(string name, Type type, int features)
    {
        // Given a name as typed on the command line and a frame of 512 samples
        // When the factory makes the codec
        var codec = CodecFactory.Create(name, 512);

        // Then it is the right codec, with the right frame, hop (N/4 for the overlapping ones), feature count and exactness
        var overlapping = type.IsSubclassOf(typeof(SpectralCodec));
        Assert.IsType(type, codec);
        Assert.Equal(name.Trim().ToLowerInvariant(), codec.Name);
        Assert.Equal(512, codec.FrameLength);
        Assert.Equal(overlapping ? 128 : 512, codec.Hop);
        Assert.Equal(features, codec.FeatureCount);
        Assert.Equal(!overlapping, codec.IsExact);
    }

    [Fact]
    public void Should_pass_hop_bands_and_iterations_to_the_spectral_codecs()
    {
        // Given settings for both spectral codecs
        var stft = (StftCodec)CodecFactory.Create(new CodecSettings("stft", 1024, 22050) { Hop = 512, PhaseIterations = 5 });
        var mel = (MelCodec)CodecFactory.Create(new CodecSettings("mel", 1024, 16000) { Hop = 128, MelBands = 64, PhaseIterations = 0 });

        // When made, then each has what was asked for, and defaults fill the rest
        Assert.Equal((512, 5, 513), (stft.Hop, stft.PhaseIterations, stft.FeatureCount));
        Assert.Equal((128, 0, 64, 16000), (mel.Hop, mel.PhaseIterations, mel.Bands, mel.SampleRate));
        var defaults = (SpectralCodec)CodecFactory.Create(new CodecSettings("stft", 1000, 22050));
        Assert.Equal((250, SpectralCodec.DefaultPhaseIterations), (defaults.Hop, defaults.PhaseIterations));
        Assert.Equal(511, CodecFactory.Create("stft", 1022).Hop);   // 4 does not divide 1022: N/2
    }

    [Theory]
    [InlineData("stft", 1024, 2048, null, null, "--hop: ", "2048")]
    [InlineData("stft", 1024, 1024, null, null, "--hop: ", "at most 512")]
    [InlineData("mel", 1024, 300, null, null, "--hop: ", "divides")]
    [InlineData("stft", 1024, 0, null, null, "--hop: ", "got 0")]
    [InlineData("rfft", 1024, 256, null, null, "--hop: ", "only stft and mel")]
    [InlineData("mel", 1024, null, 600, null, "--mel-bands: ", "513")]
    [InlineData("mel", 1024, null, 0, null, "--mel-bands: ", "got 0")]
    [InlineData("mel", 256, null, null, null, "--mel-bands: ", "use at most 76 bands")]
    [InlineData("stft", 1024, null, 64, null, "--mel-bands: ", "only the mel codec")]
    [InlineData("stft", 1024, null, null, -1, "--phase-iters: ", "got -1")]
    [InlineData("mel", 1024, null, null, 10_001, "--phase-iters: ", "10000")]
    [InlineData("mdct", 1024, null, null, 32, "--phase-iters: ", "exact")]
    public void Should_reject_spectral_settings_out_of_range_naming_the_option(string name, int frame, int? hop, int? bands, int? iterations, string option, string detail)
    {
        // Given settings a spectral codec cannot use (or an exact codec does not take)
        var settings = new CodecSettings(name, frame, 22050) { Hop = hop, MelBands = bands, PhaseIterations = iterations };

        // When the factory is asked for the codec
        var error = Assert.Throws<InputException>(() => CodecFactory.Create(settings));

        // Then the one-line message names the option and says what was wrong
        Assert.StartsWith(option, error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void Should_suggest_a_band_count_that_fits()
    {
        // Given the band count suggested for 256-sample frames at 22050 Hz
        // When used, then every band holds a bin, and one band more would leave one empty
        Assert.Null(MelFilterbank.FirstEmptyBand(76, 256, 22050));
        Assert.NotNull(MelFilterbank.FirstEmptyBand(77, 256, 22050));
        Assert.Equal(76, ((MelCodec)CodecFactory.Create(new CodecSettings("mel", 256, 22050) { MelBands = 76 })).Bands);
    }

    [Fact]
    public void Should_list_every_codec_it_can_create()
    {
        // Given the advertised names
        // When each is created
        // Then each codec reports that name
        Assert.Equal(["fft", "rfft", "mdct", "raw", "stft", "mel", "mulaw", "linear"], CodecFactory.Names);
        Assert.All(FrameCodecs, name => Assert.Equal(name, CodecFactory.Create(name, 2048).Name));
        Assert.All(["mulaw", "linear"], name => Assert.Equal(name, CodecFactory.Create(name, 1).Name));
    }

    [Fact]
    public void Should_reject_an_unknown_codec_naming_the_option()
    {
        // Given a codec that does not exist
        // When the factory is asked for it
        var error = Assert.Throws<InputException>(() => CodecFactory.Create("wavelet", 1024));

        // Then the message names --codec, the bad value and the choices
        Assert.StartsWith("--codec: ", error.Message);
        Assert.Contains("wavelet", error.Message);
        Assert.Contains("rfft", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(CodecFactory.MaxFrameLength + 2)]
    public void Should_reject_a_frame_that_is_not_even_and_in_range(int frameLength)
    {
        // Given an invalid frame length
        // When the factory is asked for any codec with it
        // Then it is refused with a message naming --frame, and codecs built in code refuse it too
        foreach (var name in FrameCodecs)
        {
            var error = Assert.Throws<InputException>(() => CodecFactory.Create(name, frameLength));
            Assert.StartsWith("--frame: ", error.Message);
            Assert.Contains(frameLength.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new MdctCodec(frameLength));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1000)]
    public void Should_accept_even_frames_that_are_not_powers_of_two(int frameLength)
    {
        // Given an even frame length that is not a power of two (torch.fft needs none)
        var samples = TestSignals.WhiteNoise(3 * frameLength + 1, seed: frameLength);

        // When every codec round-trips a signal with it
        // Then every exact codec reconstructs the signal, and the inexact ones give back as many samples
        foreach (var name in FrameCodecs)
        {
            // A 2-sample frame's only bins, 0 Hz and Nyquist, lie on the mel filters' edges: no band can hold one.
            if (name == "mel" && frameLength == 2) continue;
            var codec = TestSignals.Codec(name, frameLength);
            var decoded = codec.RoundTrip(samples);
            Assert.Equal(samples.Length, decoded.Length);
            if (codec.IsExact) Assert.True(TestSignals.MaxAbsDifference(samples, decoded) < 1e-5, name);
        }
    }
}
