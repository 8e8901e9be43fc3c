using MusicRnn.Analysis;
using MusicRnn.Codecs;
using static MusicRnn.Tests.Analysis.AnalysisTestKit;

namespace MusicRnn.Tests.Analysis;

public sealed class LogMelAnalyzerTests
{
    [Fact]
    public void Should_read_white_noise_at_its_level_in_every_band()
    {
        // Given 10 s of white noise at −20 dBFS (σ = 0.1)
        var noise = Noise(10 * Rate, 0.1, seed: 1);

        // When analysed, and each band's power averaged over the frames
        var frames = LogMelAnalyzer.Compute(noise, Rate);
        var bands = frames.Bands;
        var mean = new double[bands];
        for (var t = 0; t < frames.Count; t++)
            for (var b = 0; b < bands; b++) mean[b] += Math.Pow(10, frames.Frame(t)[b] / 10) / frames.Count;

        // Then every band reads 10·log10 σ² = −20 dB: the scale is white noise's, whatever the band's width
        for (var b = 0; b < bands; b++) Assert.InRange(10 * Math.Log10(mean[b]), -20.5, -19.5);
    }

    [Fact]
    public void Should_equal_a_direct_fourier_transform_of_one_frame()
    {
        // Given a seeded signal and frame 5 of its analysis
        var audio = Noise(8192, 0.3, seed: 2);
        var frames = LogMelAnalyzer.Compute(audio, Rate);
        var s = LogMelSettings.Default;

        // When the same frame is computed by hand: a Hann window, a DFT in float64, the filterbank, the dB scale
        var n = s.FrameLength;
        var bank = new MelFilterbank(s.Bands, n, Rate, s.MinHz);
        var window = Enumerable.Range(0, n).Select(i => Math.Pow(Math.Sin(Math.PI * i / n), 2)).ToArray();
        var power = new double[(n / 2) + 1];
        for (var k = 0; k <= n / 2; k++)
        {
            double re = 0, im = 0;
            for (var i = 0; i < n; i++)
            {
                var x = audio[(5 * s.Hop) + i] * window[i];
                re += x * Math.Cos(2 * Math.PI * k * i / n);
                im -= x * Math.Sin(2 * Math.PI * k * i / n);
            }
            power[k] = (re * re) + (im * im);
        }
        var sumSquares = window.Sum(w => w * w);

        // Then each band agrees to a thousandth of a dB
        for (var b = 0; b < s.Bands; b++)
        {
            var mel = Enumerable.Range(0, bank.Bins).Sum(k => bank[b, k] * power[k]) * Rate / (n * sumSquares);
            Assert.Equal(10 * Math.Log10(mel), frames.Frame(5)[b], 3);
        }
    }

    [Fact]
    public void Should_give_the_same_frames_however_the_audio_is_cut()
    {
        // Given 5 s of the synthesized track
        var audio = Track(120, seed: 3, seconds: 5);

        // When analysed in one piece, and in seeded pieces of 1 to 40000 samples
        var whole = LogMelAnalyzer.Compute(audio, Rate);
        var analyzer = new LogMelAnalyzer(Rate);
        var pieces = new List<LogMelFrames>();
        var random = new Random(4);
        for (var at = 0; at < audio.Length;)
        {
            var count = Math.Min(random.Next(1, 40000), audio.Length - at);
            pieces.Add(analyzer.Add(audio.AsSpan(at, count)));
            at += count;
        }
        var chunked = LogMelFrames.Concat(pieces, whole.Bands);

        // Then the frames are the same: as many, and bit for bit
        Assert.Equal(whole.Count, chunked.Count);
        Assert.Equal(((audio.Length - 2048) / 512) + 1, whole.Count);
        Assert.Equal(whole.Values.ToArray(), chunked.Values.ToArray());
    }

    [Fact]
    public void Should_read_digital_silence_at_the_floor_and_make_no_frame_of_less_than_a_window()
    {
        // Given a second of zeros, and 2047 samples of noise
        var silence = LogMelAnalyzer.Compute(new float[Rate], Rate);
        var tooShort = LogMelAnalyzer.Compute(Noise(2047, 0.1, seed: 5), Rate);

        // Then silence reads −100 dB in every band and is silent; less than a window makes no frame
        Assert.All(silence.Values.ToArray(), v => Assert.Equal(-100f, v));
        Assert.True(FrameMatching.IsSilent(silence.Frame(0), LogMelSettings.Default.SilenceDb));
        Assert.Equal(0, tooShort.Count);
    }

    [Fact]
    public void Should_refuse_a_sample_that_is_not_finite_and_name_where_it_is()
    {
        // Given an analyzer that has taken 1000 samples, then audio with a NaN at its 5th sample
        var analyzer = new LogMelAnalyzer(Rate);
        analyzer.Add(new float[1000]);
        var bad = new float[10];
        bad[4] = float.NaN;

        // Then it refuses, naming the sample's position in the whole audio
        var error = Assert.Throws<ArgumentException>(() => analyzer.Add(bad));
        Assert.Contains("sample 1004 is NaN", error.Message);
    }
}
