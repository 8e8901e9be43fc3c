using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

/// <summary>
/// Damaged or unsupported WAV files must give one InputException whose message starts with the
/// path and names the problem; the CLI turns it into exit code 2.
/// </summary>
public sealed class WavReaderBadInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Pcm16(params long[] v) => WavBuilder.Ints(v, 2);

    private void AssertRefused(byte[] bytes, string expectedProblem)
    {
        var path = _temp.Write("bad.wav", bytes);
        foreach (var read in new Action[] { () => AudioFile.Probe(path), () => AudioFile.Read(path), () => AudioFile.ReadMono(path, 22050) })
        {
            var ex = Assert.Throws<InputException>(read);
            Assert.StartsWith(path + ": ", ex.Message);
            Assert.Contains(expectedProblem, ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }
    }

    [Fact]
    public void Should_refuse_a_header_cut_off_before_12_bytes()
    {
        // Given only "RIFF" and half a size field
        // When / Then it is a truncated header
        AssertRefused([.. "RIFF"u8, 0x10, 0x00], "truncated WAV header");
    }

    [Fact]
    public void Should_refuse_a_fmt_chunk_cut_off_by_the_end_of_the_file()
    {
        // Given a file that ends 6 bytes into a 16-byte fmt chunk
        var whole = new WavBuilder().Fmt(1, 1, 8000, 16).Data(Pcm16(1, 2)).ToBytes();

        // When / Then the fmt chunk is reported as cut off
        AssertRefused(whole[..26], "'fmt ' at byte 12 declares 16 bytes but only 6 remain");
    }

    [Fact]
    public void Should_refuse_a_data_chunk_longer_than_the_file()
    {
        // Given a data chunk that declares 1000 bytes but holds 4
        // When / Then it is refused rather than half-decoded
        AssertRefused(new WavBuilder().Fmt(1, 1, 8000, 16).Data(Pcm16(1, 2), declaredSize: 1000).ToBytes(),
            "data chunk declares 1000 bytes but only 4 remain");
    }

    [Fact]
    public void Should_refuse_absurd_declared_sizes_without_allocating_them()
    {
        // Given chunks that declare nearly 4 GiB in a 60-byte file
        // When / Then the declared size is compared with the file before anything is allocated
        AssertRefused(new WavBuilder().Fmt(1, 1, 8000, 16).Data(Pcm16(1, 2), declaredSize: 0xFFFFFFF0).ToBytes(), "declares 4294967280 bytes");
        AssertRefused(new WavBuilder().Chunk("fmt ", new byte[16], declaredSize: 0xFFFFFFF0).ToBytes(), "declares 4294967280 bytes");
    }

    [Fact]
    public void Should_refuse_a_file_without_a_data_chunk()
    {
        // Given only a fmt chunk
        // When / Then the missing data chunk is named
        AssertRefused(new WavBuilder().Fmt(1, 1, 8000, 16).ToBytes(), "no data chunk");
    }

    [Fact]
    public void Should_refuse_a_file_without_a_fmt_chunk()
    {
        // Given only a data chunk
        // When / Then the missing fmt chunk is named
        AssertRefused(new WavBuilder().Data(Pcm16(1, 2)).ToBytes(), "no fmt chunk");
    }

    [Fact]
    public void Should_refuse_A_law_and_name_the_encoding()
    {
        // Given format tag 6 (A-law), 8-bit
        // When / Then the message names A-law and the tag
        AssertRefused(new WavBuilder().Fmt(6, 1, 8000, 8).Data([1, 2]).ToBytes(), "unsupported WAV encoding A-law (format tag 6)");
    }

    [Fact]
    public void Should_refuse_an_extensible_file_with_an_unknown_subformat_GUID()
    {
        // Given WAVE_FORMAT_EXTENSIBLE with a subformat GUID outside the KSDATAFORMAT family
        var guid = new Guid("6dba3190-67bd-11cf-a0f7-0020afd156e4");

        // When / Then the GUID is named
        AssertRefused(new WavBuilder().FmtExtensible(guid, 1, 8000, 16, 16).Data(Pcm16(1, 2)).ToBytes(), "unsupported WAV subformat GUID " + guid);
    }

    [Fact]
    public void Should_refuse_unsupported_sample_sizes()
    {
        // Given 16-bit IEEE float, which WAV allows to be declared but nobody decodes
        // When / Then the size is named
        AssertRefused(new WavBuilder().Fmt(3, 1, 8000, 16).Data(Pcm16(1, 2)).ToBytes(), "IEEE float 16-bit");
    }

    [Fact]
    public void Should_refuse_zero_channels()
    {
        // Given a fmt chunk with 0 channels
        // When / Then it says so
        AssertRefused(new WavBuilder().Fmt(1, 0, 8000, 16, blockAlign: 0).Data(Pcm16(1, 2)).ToBytes(), "0 channels");
    }

    [Fact]
    public void Should_refuse_a_zero_sample_rate()
    {
        // Given a fmt chunk with a sample rate of 0
        // When / Then it says so
        AssertRefused(new WavBuilder().Fmt(1, 1, 0, 16).Data(Pcm16(1, 2)).ToBytes(), "sample rate of 0 Hz");
    }

    [Fact]
    public void Should_refuse_a_block_align_that_contradicts_the_format()
    {
        // Given 16-bit stereo that declares 3-byte frames
        // When / Then the mismatch is named
        AssertRefused(new WavBuilder().Fmt(1, 2, 8000, 16, blockAlign: 3).Data(Pcm16(1, 2)).ToBytes(), "block align 3");
    }

    [Theory]
    [InlineData(float.NaN, "frame 1, channel 0 is NaN")]
    [InlineData(float.PositiveInfinity, "frame 1, channel 0 is infinite")]
    public void Should_refuse_non_finite_float_samples(float bad, string expected)
    {
        // Given a float file whose second sample is not finite
        var path = _temp.Write("nan.wav", new WavBuilder().Fmt(3, 1, 8000, 32).Data(WavBuilder.Floats([0.1f, bad, 0.2f])).ToBytes());

        // When / Then decoding refuses it (probing reads no samples, so only decoding can tell)
        var ex = Assert.Throws<InputException>(() => AudioFile.Read(path));
        Assert.Equal($"{path}: WAV sample at {expected}", ex.Message);
        Assert.Throws<InputException>(() => AudioFile.ReadMono(path, 8000));
    }

    [Fact]
    public void Should_refuse_a_RIFF_file_that_is_not_WAVE()
    {
        // Given a RIFF file of form type AVI
        byte[] bytes = [.. "RIFF"u8, 4, 0, 0, 0, .. "AVI "u8];

        // When / Then the form type is named
        AssertRefused(bytes, "RIFF file of type 'AVI ', not WAVE");
    }
}
