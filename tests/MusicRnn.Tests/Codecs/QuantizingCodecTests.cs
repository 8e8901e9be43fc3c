using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

public sealed class QuantizingCodecTests
{
    [Theory]
    [InlineData("mulaw")]
    [InlineData("linear")]
    public void Should_round_trip_every_level_and_put_silence_at_the_middle(string name)
    {
        // Given the 256-level codec
        var codec = (QuantizingCodec)CodecFactory.Create(new CodecSettings(name, 1, 16000));

        // When every level is decoded and encoded again, then it comes back; silence is L/2; the
        // extremes are the first and last levels; and the levels rise with the amplitude
        for (int level = 0; level < 256; level++) Assert.Equal(level, codec.Level(codec.Sample(level)));
        Assert.Equal(128, codec.Level(0f));
        Assert.Equal((0, 255), (codec.Level(-1f), codec.Level(1f)));
        var sweep = Enumerable.Range(-1000, 2001).Select(i => codec.Level(i / 1000f)).ToArray();
        Assert.True(sweep.Zip(sweep.Skip(1)).All(p => p.First <= p.Second));
        Assert.Equal((1, 1), (codec.FeatureCount, codec.Hop));
        Assert.False(codec.IsExact);
    }

    [Fact]
    public void Should_follow_the_mu_law_curve_worked_out_by_hand()
    {
        // Given μ = 255: c(0.5) = ln(1 + 127.5)/ln 256 = 0.87584, level round(0.93792 · 255) = 239
        var codec = new MuLawCodec(256);
        Assert.Equal(239, codec.Level(0.5f));
        // and level 239 decodes to (256^(2·239/255 − 1) − 1)/255
        Assert.Equal((Math.Pow(256, (2.0 * 239 / 255) - 1) - 1) / 255, codec.Sample(239), 6);
    }

    [Fact]
    public void Should_keep_quiet_music_finer_with_mu_law_than_with_linear_steps()
    {
        // Given a quiet tone (−30 dBFS) through both 8-bit codecs
        var tone = Enumerable.Range(0, 16000).Select(i => (float)(0.0316 * Math.Sin(2 * Math.PI * 440 * i / 16000.0))).ToArray();
        double Snr(IFrameCodec codec) => Snr_(tone, codec.RoundTrip(tone));

        // Then μ-law keeps it far better than linear steps, and clips nothing
        double mu = Snr(new MuLawCodec(256)), linear = Snr(new LinearQuantizerCodec(256));
        Assert.True(mu > 30, $"μ-law SNR {mu:F1} dB");
        Assert.True(mu > linear + 10, $"μ-law {mu:F1} dB against linear {linear:F1} dB");
    }

    [Fact]
    public void Should_clip_samples_beyond_full_scale_to_the_extreme_levels()
    {
        var codec = new LinearQuantizerCodec(16);
        using var frames = codec.Encode([2.5f, -3f, 0.999f]);
        Assert.Equal([15f, 0f, 15f], frames.data<float>().ToArray());
    }

    [Theory]
    [InlineData(2, null, "--frame: the mulaw codec quantizes single samples, so its frame is 1, got 2")]
    [InlineData(1, 1, "--levels: expected 2 to 65536 levels, got 1")]
    public void Should_refuse_settings_a_quantizer_does_not_take(int frame, int? levels, string message)
    {
        var e = Assert.Throws<InputException>(() => new CodecSettings("mulaw", frame, 16000) { Levels = levels }.Validate());
        Assert.Equal(message, e.Message);
        var other = Assert.Throws<InputException>(() => new CodecSettings("rfft", 512, 16000) { Levels = 256 }.Validate());
        Assert.StartsWith("--levels: only the quantizing codecs", other.Message);
    }

    private static double Snr_(float[] reference, float[] test) => Snr.SnrDb(reference, test);
}
