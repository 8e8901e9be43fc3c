using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

/// <summary>
/// MP3 decoding on the SoX-made fixtures (see Fixtures/README.md). Their decoded length is the
/// 2 s of signal plus the encoder's delay and last-frame padding, which these files do not record:
/// at most two MPEG-1 frames (2304 samples) more.
/// </summary>
public sealed class Mp3ReaderTests : IDisposable
{
    private const int MaxCodecExtra = 2304;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Should_decode_a_mono_MPEG1_file_with_its_rate_length_and_tone()
    {
        // Given 2 s of a 1 kHz tone, mono, 44100 Hz, MPEG-1 Layer III
        var path = Signals.Fixture("tone_mono_1000hz_44100.mp3");

        // When probed and read
        var info = AudioFile.Probe(path);
        var audio = AudioFile.Read(path);

        // Then the header facts, the length (2 s plus codec padding) and the frequency are right
        Assert.Equal(("MP3", "MPEG-1 Layer III", 44100, 1), (info.Container, info.Encoding, info.SampleRate, info.Channels));
        Assert.Equal(info.FramesPerChannel, audio.Info.FramesPerChannel);
        Assert.InRange(audio.Channels[0].Length, 88200, 88200 + MaxCodecExtra);
        var (hz, _) = Signals.FitSine(audio.Channels[0], 44100, 22050, 44100);
        Assert.InRange(hz, 999, 1001);
    }

    [Fact]
    public void Should_decode_a_stereo_MPEG2_file_keeping_left_and_right_apart()
    {
        // Given 2 s at 22050 Hz (MPEG-2 Layer III) with 440 Hz on the left and 660 Hz on the right
        var path = Signals.Fixture("tone_stereo_440_660hz_22050.mp3");

        // When read
        var audio = AudioFile.Read(path);

        // Then both channels have the right length and their own tone
        Assert.Equal(("MPEG-2 Layer III", 22050, 2), (audio.Info.Encoding, audio.Info.SampleRate, audio.Info.Channels));
        Assert.All(audio.Channels, c => Assert.InRange(c.Length, 44100, 44100 + MaxCodecExtra));
        Assert.InRange(Signals.FitSine(audio.Channels[0], 22050, 11025, 22050).Hz, 439.56, 440.44);
        Assert.InRange(Signals.FitSine(audio.Channels[1], 22050, 11025, 22050).Hz, 659.34, 660.66);
    }

    [Fact]
    public void Should_report_the_exact_length_of_a_file_with_a_LAME_gapless_tag()
    {
        // Given 2 s of a 1 kHz tone encoded by lame, whose Info frame records delay 576 and padding 1080
        var path = Signals.Fixture("tone_mono_1000hz_44100_lame.mp3");

        // When probed and read
        var info = AudioFile.Probe(path);
        var audio = AudioFile.Read(path);

        // Then both the header walk and the decoder give exactly the 88200 samples that were encoded
        Assert.Equal(88200, info.FramesPerChannel);
        Assert.Equal(88200, audio.Channels[0].Length);
        Assert.InRange(Signals.FitSine(audio.Channels[0], 44100, 22050, 44100).Hz, 999, 1001);
    }

    [Fact]
    public void Should_skip_an_ID3v2_tag_in_front_of_the_audio()
    {
        // Given the mono fixture behind a 1000-byte ID3v2.3 tag (size is syncsafe: 1000 = 7·128 + 104)
        var audio = File.ReadAllBytes(Signals.Fixture("tone_mono_1000hz_44100.mp3"));
        byte[] tag = [.. "ID3"u8, 3, 0, 0, 0, 0, 7, 104, .. new byte[1000]];
        var path = _temp.Write("tagged.mp3", [.. tag, .. audio]);

        // When probed
        var info = AudioFile.Probe(path);

        // Then it finds the same frames as without the tag
        Assert.Equal(AudioFile.Probe(Signals.Fixture("tone_mono_1000hz_44100.mp3")).FramesPerChannel, info.FramesPerChannel);
    }

    [Fact]
    public void Should_refuse_an_ID3_tag_followed_by_no_audio()
    {
        // Given an ID3v2 tag followed by seeded random bytes
        var junk = new byte[20000];
        new Random(5).NextBytes(junk);
        var path = _temp.Write("tag-only.mp3", [.. "ID3"u8, 3, 0, 0, 0, 0, 0, 10, .. new byte[10], .. junk]);

        // When / Then it says no MPEG frames were found
        var ex = Assert.Throws<InputException>(() => AudioFile.Read(path));
        Assert.Equal($"{path}: no valid MPEG audio frames found", ex.Message);
    }

    [Fact]
    public void Should_only_ever_throw_InputException_on_damaged_MP3_data()
    {
        // Given the fixture cut short at several points, and copies with seeded random bytes overwritten
        var whole = File.ReadAllBytes(Signals.Fixture("tone_stereo_440_660hz_22050.mp3"));
        var rng = new Random(7);
        var damaged = new List<byte[]> { whole[..3], whole[..417], whole[..(whole.Length / 2)] };
        for (int k = 0; k < 4; k++)
        {
            var copy = (byte[])whole.Clone();
            for (int i = 0; i < 200; i++)
                copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
            damaged.Add(copy);
        }

        foreach (var bytes in damaged)
        {
            var path = _temp.Write("damaged.mp3", bytes);

            // When read
            var error = Record.Exception(() => AudioFile.Read(path));

            // Then it either decodes or fails with a message about the file
            Assert.True(error is null or InputException, $"{bytes.Length} bytes: {error}");
        }
    }
}
