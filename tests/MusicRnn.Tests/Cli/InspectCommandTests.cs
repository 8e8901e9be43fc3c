using MusicRnn.Tests.Audio;

namespace MusicRnn.Tests.Cli;

/// <summary>
/// The bad-input contract of issue 2 at the command line: exit 2, exactly one line on stderr
/// naming the file, no stack trace. One test per kind of bad file.
/// </summary>
[Collection("Console")]
public sealed class InspectCommandTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_describe_a_good_wav()
    {
        // Given a one-second stereo 16-bit WAV at 44.1 kHz with a full-scale square wave
        string path = _dir.File("good.wav");
        short[] samples = Enumerable.Range(0, 2 * 44100).Select(i => (short)((i / 2 / 50) % 2 == 0 ? 32767 : -32767)).ToArray();
        File.WriteAllBytes(path, Wav(1, 2, 44100, 16, samples.SelectMany(BitConverter.GetBytes).ToArray()));

        // When inspecting it
        var result = CliHarness.Run("inspect", path);

        // Then it succeeds and reports the format, duration and a peak near 0 dBFS
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("WAV", result.Out);
        Assert.Contains("44100 Hz", result.Out);
        Assert.Contains("channels:    2", result.Out);
        Assert.Contains("1.000 s", result.Out);
        Assert.Contains("peak:        -0.00 dBFS", result.Out);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "missing", "no such file" },
        { "directory", "directory" },
        { "empty", "empty" },
        { "truncated-header", "truncated" },
        { "data-longer-than-file", "data" },
        { "random.wav", "" },
        { "random.mp3", "" },
        { "random.ogg", "" },
        { "alaw", "A-law" },
        { "nan-float", "NaN" },
        { "inf-float", "Inf" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Should_refuse_a_bad_file_with_exit_2_and_one_line_naming_it(string kind, string problem)
    {
        // Given a bad input file of this kind
        string path = MakeBadFile(kind);

        // When inspecting it
        var result = CliHarness.Run("inspect", path);

        // Then the exit code is 2 and stderr holds one line naming the file and the problem
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(path, line);
        Assert.Contains(problem, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void Should_refuse_transcode_with_an_unknown_codec_before_reading_audio()
    {
        // Given a file that does not exist and a codec that does not exist
        var result = CliHarness.Run("transcode", _dir.File("nothing.wav"), _dir.File("out.wav"), "--codec", "wavelet");

        // Then the codec is named as the problem: options are checked before any work
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--codec", Assert.Single(result.ErrorLines));
    }

    private string MakeBadFile(string kind)
    {
        string path = _dir.File(kind.Contains('.') ? kind : kind + ".wav");
        var random = new Random(1234);
        byte[] noise = new byte[4096];
        random.NextBytes(noise);
        byte[] pcm = new byte[400];
        switch (kind)
        {
            case "missing":
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            case "truncated-header":
                File.WriteAllBytes(path, Wav(1, 1, 22050, 16, pcm)[..30]);
                break;
            case "data-longer-than-file":
                var bytes = Wav(1, 1, 22050, 16, pcm);
                BitConverter.GetBytes(1_000_000).CopyTo(bytes, 40); // data chunk size field
                File.WriteAllBytes(path, bytes);
                break;
            case "random.wav" or "random.mp3" or "random.ogg":
                File.WriteAllBytes(path, noise);
                break;
            case "alaw":
                File.WriteAllBytes(path, Wav(6, 1, 8000, 8, pcm));
                break;
            case "nan-float" or "inf-float":
                float bad = kind == "nan-float" ? float.NaN : float.PositiveInfinity;
                float[] floats = [0.1f, -0.2f, bad, 0.3f];
                File.WriteAllBytes(path, Wav(3, 1, 22050, 32, floats.SelectMany(BitConverter.GetBytes).ToArray()));
                break;
            default:
                throw new ArgumentException(kind);
        }
        return path;
    }

    private static byte[] Wav(short formatTag, short channels, int rate, short bits, byte[] data) =>
        new WavBuilder().Fmt(formatTag, channels, rate, bits).Data(data).ToBytes();
}
