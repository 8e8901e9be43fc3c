using System.Globalization;
using System.Text.RegularExpressions;
using MusicRnn.Audio;
using MusicRnn.Tests.Audio;

namespace MusicRnn.Tests.Cli;

[Collection("Console")]
public sealed partial class TranscodeCommandTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("fft")]
    [InlineData("rfft")]
    [InlineData("mdct")]
    [InlineData("raw")]
    public void Should_round_trip_a_chord_at_100_dB_or_better_in_f32(string codec)
    {
        // Given three seconds of a stereo A-minor chord at 44.1 kHz (resampled to 22050 on the way in)
        string input = _dir.File("chord.wav");
        float[] chord = Enumerable.Range(0, 3 * 44100)
            .Select(i => (float)(0.3 * (Math.Sin(2 * Math.PI * 220 * i / 44100) + Math.Sin(2 * Math.PI * 261.63 * i / 44100) + Math.Sin(2 * Math.PI * 329.63 * i / 44100))))
            .ToArray();
        AudioFile.WriteWav(input, chord, 44100, SampleFormat.F32);
        string output = _dir.File($"out-{codec}.wav");

        // When transcoding through the codec with 32-bit float output
        var result = CliHarness.Run("transcode", input, output, "--codec", codec, "--frame", "1024", "--sample-format", "f32");

        // Then the reported SNR is at least 100 dB and the output has the input's length at 22050 Hz
        Assert.Equal(0, result.ExitCode);
        double snr = ParseSnr(result.Out);
        Assert.True(snr >= 100, $"{codec}: SNR {snr} dB");
        Assert.Equal(3 * 22050, AudioFile.Probe(output).FramesPerChannel);
    }

    [Fact]
    public void Should_report_the_quantisation_of_s16_output_in_its_snr()
    {
        // Given a quiet chord that 16-bit quantisation cannot keep to 100 dB
        string input = _dir.File("quiet.wav");
        float[] tone = Enumerable.Range(0, 22050).Select(i => (float)(0.01 * Math.Sin(2 * Math.PI * 440 * i / 22050))).ToArray();
        AudioFile.WriteWav(input, tone, 22050, SampleFormat.F32);

        // When transcoding to s16
        var result = CliHarness.Run("transcode", input, _dir.File("q16.wav"), "--codec", "raw", "--sample-format", "s16");

        // Then the SNR is that of the stored samples: finite, and well under 100 dB (about 6 dB per bit of a -40 dBFS tone)
        Assert.Equal(0, result.ExitCode);
        double snr = ParseSnr(result.Out);
        Assert.InRange(snr, 30, 80);
    }

    [Fact]
    public void Should_round_trip_a_signal_peaking_at_plus_6_dBFS_exactly_in_f32()
    {
        // Given a 440 Hz sine of amplitude 2 (+6 dBFS), stored as 32-bit float at 22050 Hz
        string input = _dir.File("loud.wav");
        float[] loud = Signals.Sine(440, 22050, 22050, amplitude: 2);
        AudioFile.WriteWav(input, loud, 22050, SampleFormat.F32);

        // When transcoded through raw with 32-bit float output
        var result = CliHarness.Run("transcode", input, _dir.File("loud-out.wav"), "--codec", "raw", "--sample-format", "f32");

        // Then nothing was clipped: the round trip is exact and the output holds the samples beyond ±1
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(double.PositiveInfinity, ParseSnr(result.Out));
        Assert.DoesNotContain("clipped", result.Out);
        Assert.Equal(loud, AudioFile.Read(_dir.File("loud-out.wav")).Channels[0]);
    }

    [Fact]
    public void Should_clip_16_bit_output_and_say_how_many_samples_it_clipped()
    {
        // Given the same +6 dBFS sine
        string input = _dir.File("loud16.wav");
        float[] loud = Signals.Sine(440, 22050, 22050, amplitude: 2);
        AudioFile.WriteWav(input, loud, 22050, SampleFormat.F32);

        // When transcoded to 16-bit output
        var result = CliHarness.Run("transcode", input, _dir.File("loud16-out.wav"), "--codec", "raw", "--sample-format", "s16");

        // Then it reports exactly the samples beyond ±1 (about two thirds of a sine of amplitude 2) as clipped
        Assert.Equal(0, result.ExitCode);
        var beyond = loud.Count(x => Math.Abs(x) > 1);
        Assert.Contains($"clipped {beyond} samples to ±1", result.Out);
        Assert.InRange(beyond, 0.6 * loud.Length, 0.7 * loud.Length);
    }

    [Theory]
    [InlineData("stft", 0.085, 0.105, 1.7, 2.2)]
    [InlineData("mel", 0.22, 0.26, 7.5, 8.7)]
    public void Should_report_spectral_distances_for_the_inexact_codecs(string codec, double minSc, double maxSc, double minLsd, double maxLsd)
    {
        // Given 3 s of real electronic music
        string input = Signals.Fixture("excerpt_digital_pursuit_3s_22050.ogg");
        string output = _dir.File($"{codec}.wav");

        // When transcoded through a codec that rebuilds phase, at 1024/256
        var result = CliHarness.Run("transcode", input, output, "--codec", codec, "--frame", "1024", "--sample-format", "f32");

        // Then it reports spectral convergence and log-spectral distance (no SNR: the waveform is not kept), at the
        // figures the codec tests pin, and writes the song's length
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("SNR", result.Out);
        var match = SpectralPattern().Match(result.Out);
        Assert.True(match.Success, result.Out);
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), minSc, maxSc);
        Assert.InRange(double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), minLsd, maxLsd);
        Assert.Equal(AudioFile.Probe(input).FramesPerChannel, AudioFile.Probe(output).FramesPerChannel);
    }

    [Theory]
    [InlineData("--hop", "300", "--hop: ")]
    [InlineData("--mel-bands", "600", "--mel-bands: ")]
    [InlineData("--phase-iters", "-2", "--phase-iters: ")]
    public void Should_refuse_spectral_options_out_of_range_before_reading(string option, string value, string message)
    {
        // Given an input that does not even exist, and a bad spectral option
        // When transcoding through mel
        var result = CliHarness.Run("transcode", _dir.File("missing.wav"), _dir.File("x.wav"), "--codec", "mel", "--frame", "1024", option, value);

        // Then the option is named, before any file is looked at
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    private static double ParseSnr(string output)
    {
        var match = SnrPattern().Match(output);
        Assert.True(match.Success, output);
        return match.Groups[1].Value == "∞" ? double.PositiveInfinity : double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"SNR (\S+) dB")]
    private static partial Regex SnrPattern();

    [GeneratedRegex(@"spectral convergence (\S+), log-spectral distance (\S+) dB")]
    private static partial Regex SpectralPattern();
}
