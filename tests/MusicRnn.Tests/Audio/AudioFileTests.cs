using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

/// <summary>Opening files, choosing the decoder by content, and reading mono at a chosen rate.</summary>
public sealed class AudioFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static void AssertRefused(string path, string expectedProblem)
    {
        foreach (var read in new Action[] { () => AudioFile.Probe(path), () => AudioFile.Read(path), () => AudioFile.ReadMono(path, 22050) })
        {
            var ex = Assert.Throws<InputException>(read);
            Assert.Equal($"{path}: {expectedProblem}", ex.Message);
        }
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Should_refuse_a_missing_file()
    {
        // Given a path where nothing exists
        // When / Then
        AssertRefused(_temp.File("nothing-here.wav"), "no such file");
    }

    [Fact]
    public void Should_refuse_a_directory()
    {
        // Given a folder
        // When / Then
        AssertRefused(_temp.Path, "is a directory, not an audio file");
    }

    [Fact]
    public void Should_refuse_an_empty_file()
    {
        // Given a file of 0 bytes
        // When / Then
        AssertRefused(_temp.Write("empty.mp3", []), "empty file (0 bytes)");
    }

    [Theory]
    [InlineData("noise.wav", "not a WAV file (no RIFF/WAVE header)")]
    [InlineData("noise.mp3", "not an MP3 file (no valid MPEG audio frames found)")]
    [InlineData("noise.ogg", "not an Ogg file (no OggS page header)")]
    [InlineData("noise.bin", "not a WAV, MP3 or Ogg Vorbis file")]
    public void Should_refuse_random_bytes_whatever_the_extension(string name, string expected)
    {
        // Given 64 KiB of seeded random bytes (which contain many chance MPEG sync words)
        var path = _temp.Write(name, RandomBytes(65536, seed: name.Length));

        // When / Then the message is worded by what the extension promised
        AssertRefused(path, expected);
    }

    [Fact]
    public void Should_refuse_FLAC_by_name()
    {
        // Given a file that starts like FLAC
        // When / Then
        AssertRefused(_temp.Write("song.flac", [.. "fLaC"u8, .. RandomBytes(100, 3)]), "FLAC is not supported; convert it to WAV");
    }

    [Fact]
    public void Should_choose_the_decoder_by_content_not_by_extension()
    {
        // Given a WAV named .mp3 and an MP3 named .wav
        var wav = _temp.File("really-a-wav.mp3");
        AudioFile.WriteWav(wav, Signals.Sine(440, 8000, 800), 8000, SampleFormat.S16);
        var mp3 = _temp.Write("really-an-mp3.wav", File.ReadAllBytes(Signals.Fixture("tone_mono_1000hz_44100.mp3")));

        // When probed
        var a = AudioFile.Probe(wav);
        var b = AudioFile.Probe(mp3);

        // Then each is decoded as what it is
        Assert.Equal("WAV", a.Container);
        Assert.Equal("MP3", b.Container);
    }

    [Fact]
    public void Should_read_mono_resampled_to_the_requested_rate()
    {
        // Given a stereo 44100 Hz WAV with a 1 kHz tone in phase on both channels (built as 16-bit ints)
        var tone = Signals.Sine(1000, 44100, 44100, amplitude: 0.5);
        var ints = tone.SelectMany(v => new long[] { (long)Math.Round(v * 32767), (long)Math.Round(v * 32767) });
        var path = _temp.Write("stereo.wav", new WavBuilder().Fmt(1, 2, 44100, 16).Data(WavBuilder.Ints(ints, 2)).ToBytes());

        // When read as mono at 22050 Hz
        var mono = AudioFile.ReadMono(path, 22050);

        // Then it lasts one second at 22050 Hz and is still a clean 1 kHz tone at half scale
        Assert.Equal(22050, mono.Length);
        var (hz, thdN) = Signals.FitSine(mono, 22050, 5000, 11025);
        Assert.InRange(hz, 999, 1001);
        Assert.True(thdN < -60, $"THD+N {thdN:F1} dB");
        Assert.InRange(Loudness.PeakDbfs(mono.AsSpan(5000, 11025)), -6.1, -5.9);
    }

    [Fact]
    public void Should_reject_a_sample_rate_that_is_not_positive()
    {
        // Given a valid file
        var path = _temp.File("ok.wav");
        AudioFile.WriteWav(path, new float[10], 8000, SampleFormat.S16);

        // When / Then asking for 0 Hz is a programming error
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioFile.ReadMono(path, 0));
    }
}
