using System.Globalization;
using MusicRnn.Audio;
using MusicRnn.Codecs;
using MusicRnn.Tests.Cli;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// The streaming inspect and transcode print and write what the whole-file pipeline
/// (decode everything, mix, resample, round-trip, write, read back) gives.
/// </summary>
[Collection("Console")]
public sealed class StreamingCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A 44.1 kHz stereo file of 7 s (several transcode stretches), 16-bit, channels differing.</summary>
    private string StereoSong()
    {
        const int rate = 44100;
        var random = new Random(4);
        var samples = new List<long>();
        for (int i = 0; i < 7 * rate; i++)
        {
            double t = (double)i / rate;
            samples.Add((long)(12000 * Math.Sin(2 * Math.PI * 220 * t) + (3000 * ((2 * random.NextDouble()) - 1))));
            samples.Add((long)(9000 * Math.Sin(2 * Math.PI * 330 * t)));
        }
        string path = _dir.File("stereo.wav");
        File.WriteAllBytes(path, new Audio.WavBuilder().Fmt(1, 2, rate, 16).Data(Audio.WavBuilder.Ints(samples, 2)).ToBytes());
        return path;
    }

    [Theory]
    [InlineData("rfft", "2048", "s16")]
    [InlineData("mdct", "1024", "f32")]
    public void Should_transcode_as_the_whole_file_pipeline_does(string codecName, string frame, string format)
    {
        // Given a stereo song, and what the whole-file pipeline makes of it
        string song = StereoSong();
        var codec = CodecFactory.Create(codecName, int.Parse(frame, CultureInfo.InvariantCulture));
        var sampleFormat = format == "s16" ? SampleFormat.S16 : SampleFormat.F32;
        var samples = AudioFile.ReadMono(song, 22050);
        string expected = _dir.File("expected.wav");
        AudioFile.WriteWav(expected, codec.RoundTrip(samples), 22050, sampleFormat);
        double snr = Snr.SnrDb(samples, AudioFile.ReadMono(expected, 22050));

        // When transcoding it from the command line
        string output = _dir.File("out.wav");
        var result = CliHarness.Run("transcode", song, output, "--codec", codecName, "--frame", frame, "--sample-format", format);

        // Then the file is the same, within float rounding of the codec, and so is the reported SNR
        Assert.True(result.ExitCode == 0, result.Error);
        var written = AudioFile.ReadMono(output, 22050);
        var reference = AudioFile.ReadMono(expected, 22050);
        Assert.Equal(reference.Length, written.Length);
        Assert.True(MusicRnn.Tests.Codecs.TestSignals.MaxAbsDifference(reference, written) <= (format == "s16" ? 1 / 32768.0 : 1e-6));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{samples.Length} samples at 22050 Hz"), result.Out);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"round-trip SNR {snr:0.0} dB"), result.Out);
        Assert.False(File.Exists(output + ".part"));
    }

    [Fact]
    public void Should_inspect_peak_and_rms_of_the_mono_mix_as_the_whole_file_gives()
    {
        // Given a stereo song and its whole-file mono mix
        string song = StereoSong();
        var mono = Mixdown.ToMono(AudioFile.Read(song).Channels);

        // When inspected, then peak and RMS are those of the whole mix
        var result = CliHarness.Run("inspect", song);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"peak:        {Loudness.PeakDbfs(mono):0.00} dBFS"), result.Out);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"rms:         {Loudness.RmsDbfs(mono):0.00} dBFS"), result.Out);
        Assert.Contains("(308700 samples per channel)", result.Out);
    }

    [Fact]
    public void Should_create_no_output_for_an_input_that_is_not_audio()
    {
        // Given a file that only starts like a WAV
        string fake = _dir.File("fake.wav");
        File.WriteAllText(fake, "RIFF....WAVEjunk");
        string output = _dir.File("never.wav");

        // When transcoding it, then exit 2 naming the input, and no output or partial file
        var result = CliHarness.Run("transcode", fake, output);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"musicrnn: {fake}", Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".part"));
    }

    [Fact]
    public void Should_leave_no_output_when_the_input_breaks_after_output_was_written()
    {
        // Given a float WAV whose 30th second holds a NaN, long after the first stretches are written
        var samples = Enumerable.Range(0, 40 * 22050).Select(i => (float)(0.5 * Math.Sin(i * 0.05))).ToArray();
        samples[30 * 22050] = float.NaN;
        string song = _dir.File("nan.wav");
        File.WriteAllBytes(song, new Audio.WavBuilder().Fmt(3, 1, 22050, 32).Data(Audio.WavBuilder.Floats(samples)).ToBytes());
        string output = _dir.File("out.wav");

        // When transcoding it
        var result = CliHarness.Run("transcode", song, output);

        // Then exit 2 naming the input and the sample, and neither the output nor its partial data remain
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"musicrnn: {song}: WAV sample at frame {30 * 22050}", Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".part"));
    }
}
