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

    private static double ParseSnr(string output)
    {
        var match = SnrPattern().Match(output);
        Assert.True(match.Success, output);
        return match.Groups[1].Value == "∞" ? double.PositiveInfinity : double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"SNR (\S+) dB")]
    private static partial Regex SnrPattern();
}
