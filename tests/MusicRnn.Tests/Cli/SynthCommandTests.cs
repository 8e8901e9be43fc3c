using MusicRnn.Audio;
using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Cli;

[Collection("Console")]
public sealed class SynthCommandTests
{
    [Fact]
    public void Should_write_the_rendered_track_as_a_wav_file()
    {
        // Given a temp folder
        using var dir = new TempDir();
        string path = dir.File("track.wav");

        // When synthesising 2 s at 16 kHz, seed 3
        var result = CliHarness.Run("synth", "--out", path, "--seconds", "2", "--seed", "3", "--sample-rate", "16000", "--bpm", "128");

        // Then it succeeds and the file holds the library's render, to 16-bit precision
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("track.wav", result.Out);
        float[] expected = TrackSynthesizer.Render(new TrackSpec { Seconds = 2, Seed = 3, SampleRate = 16000, Bpm = 128 });
        var info = AudioFile.Probe(path);
        Assert.Equal((16000, 1, 32000L), (info.SampleRate, info.Channels, info.FramesPerChannel));
        float[] written = AudioFile.ReadMono(path, 16000);
        Assert.Equal(expected.Length, written.Length);
        Assert.All(expected.Zip(written), p => Assert.Equal(p.First, p.Second, 1.0 / 16384));
    }

    [Theory]
    [InlineData("--bpm", "500")]
    [InlineData("--seconds", "0")]
    [InlineData("--sample-rate", "4000")]
    [InlineData("--sample-format", "u8")]
    public void Should_exit_2_naming_an_out_of_range_option(string option, string value)
    {
        // Given a bad value for one option
        using var dir = new TempDir();

        // When running synth with it
        var result = CliHarness.Run("synth", "--out", dir.File("x.wav"), option, value);

        // Then exit 2 with one line that starts with the option, and no file
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"musicrnn: {option}:", Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(dir.File("x.wav")));
    }

    [Fact]
    public void Should_exit_2_without_an_output_path()
    {
        // When running synth without --out, then it is a usage error
        var result = CliHarness.Run("synth", "--seconds", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--out", result.Error);
    }
}
