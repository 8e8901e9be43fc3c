using System.Buffers.Binary;
using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

/// <summary>
/// The damaged files the fuzzer (<see cref="FuzzTests"/>) found mishandled, each reduced to the
/// one field that mattered. Ogg pages are re-signed after the change so that NVorbis, which checks
/// page CRCs, believes the lie instead of skipping the page.
/// </summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Should_refuse_an_ogg_file_cut_inside_its_first_page_header_as_truncated()
    {
        // Given the first 5 bytes of an Ogg Vorbis file (the check once overflowed on a missing segment count)
        var path = _temp.Write("cut.ogg", Ogg()[..5]);

        // When read
        var ex = Assert.Throws<InputException>(() => AudioFile.Read(path));

        // Then our own check says so, rather than a wrapped ArgumentOutOfRangeException
        Assert.Equal($"{path}: truncated Ogg page header", ex.Message);
    }

    [Fact]
    public async Task Should_not_hang_when_the_last_ogg_granule_is_before_the_samples_already_decoded()
    {
        // Given a file whose last page claims the stream ends at sample 0 (NVorbis trimmed to it in an endless loop)
        var bytes = Ogg();
        var last = FuzzLayout.OggPages(bytes)[^1].At;
        var path = _temp.Write("granule.ogg", Resigned(bytes, last, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(last + 6), 0)));

        // When read on a worker, with a deadline
        var read = Task.Run(() => Assert.Throws<InputException>(() => AudioFile.Read(path)));

        // Then it finishes, refusing a stream that runs on past its declared end
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20))));
        Assert.Contains("samples its last page declares", (await read).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_size_the_first_buffer_from_the_file_not_from_a_lying_ogg_length()
    {
        // Given a 5580-byte file whose last page declares 999 samples per file byte (5.6 M, just plausible)
        var bytes = Ogg();
        var last = FuzzLayout.OggPages(bytes)[^1].At;
        var path = _temp.Write("long.ogg", Resigned(bytes, last, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(last + 6), 999L * b.Length)));

        // When read
        var (audio, allocated) = Measured(() => AudioFile.Read(path));

        // Then it decodes its real 2 s (and the last block's padding, as the claimed end is past it) without a 22 MB buffer sized from the claim
        Assert.InRange(audio.Channels[0].Length, 44100, 44100 + 8192);
        Assert.InRange(allocated, 0, 8L << 20);
    }

    [Fact]
    public void Should_refuse_an_ogg_comment_header_whose_vendor_string_is_longer_than_the_packet()
    {
        // Given a vendor string length of 2 GiB in the comment header
        var bytes = Ogg();
        int at = bytes.AsSpan().IndexOf("\u0003vorbis"u8) + 7;
        var path = _temp.Write("vendor.ogg", Resigned(bytes, PageOf(bytes, at), b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), 0x7FFFFFF0)));

        // When read
        var (ex, allocated) = Measured(() => Assert.Throws<InputException>(() => AudioFile.Read(path)));

        // Then it is refused by our check, before NVorbis allocates the string
        Assert.Contains("vendor string", ex.Message, StringComparison.Ordinal);
        Assert.InRange(allocated, 0, 16L << 20);
    }

    [Fact]
    public void Should_refuse_ogg_codebooks_that_declare_gigabytes_of_tables()
    {
        // Given the first codebook declaring 65535 dimensions of 16 M entries (a 2^40-float table)
        var bytes = Ogg();
        int book = bytes.AsSpan().IndexOf("\u0005vorbis"u8) + 8;
        Assert.True(bytes.AsSpan(book, 3).SequenceEqual("BCV"u8));
        var path = _temp.Write("books.ogg", Resigned(bytes, PageOf(bytes, book), b =>
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(book + 3), 0xFFFF);
            b[book + 5] = b[book + 6] = b[book + 7] = 0xFF;
        }));

        // When read
        var (ex, allocated) = Measured(() => Assert.Throws<InputException>(() => AudioFile.Read(path)));

        // Then it is refused before any table is built
        Assert.Contains("codebooks declare tables", ex.Message, StringComparison.Ordinal);
        Assert.InRange(allocated, 0, 16L << 20);
    }

    [Fact]
    public void Should_refuse_vorbis_block_sizes_outside_what_vorbis_allows()
    {
        // Given block sizes of 2^15 (the 4-bit field's largest value; Vorbis stops at 2^13)
        var bytes = Ogg();
        int at = bytes.AsSpan().IndexOf("\u0001vorbis"u8) + 28;
        var path = _temp.Write("blocks.ogg", Resigned(bytes, 0, b => b[at] = 0xFF));

        // When read
        var ex = Assert.Throws<InputException>(() => AudioFile.Read(path));

        // Then the header is refused by name
        Assert.Contains("block sizes 2^15 and 2^15", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_call_mp3_data_that_trips_the_decoder_library_damaged()
    {
        // Given an MP3 whose first frame's side information is overwritten, which makes NLayer index past its tables
        var bytes = File.ReadAllBytes(Signals.Fixture("tone_mono_1000hz_44100.mp3"));
        int frame = FuzzLayout.Mp3Frames(bytes)[0];
        bytes[frame + 7] = 0xFF;
        var path = _temp.Write("side.mp3", bytes);

        // When read
        var ex = Assert.Throws<InputException>(() => AudioFile.Read(path));

        // Then the message says the data is damaged instead of repeating the library's index fault, which stays attached
        Assert.Equal($"{path}: cannot decode MP3: the data is damaged (the decoder failed with IndexOutOfRangeException)", ex.Message);
        Assert.IsType<IndexOutOfRangeException>(ex.InnerException);
    }

    private static byte[] Ogg() => File.ReadAllBytes(Signals.Fixture("tone_mono_1000hz_22050.ogg"));

    private static int PageOf(byte[] bytes, int offset) =>
        FuzzLayout.OggPages(bytes).Last(p => p.At <= offset).At;

    private static byte[] Resigned(byte[] bytes, int page, Action<byte[]> change)
    {
        var b = (byte[])bytes.Clone();
        change(b);
        return FuzzLayout.WithOggCrc(b, page);
    }

    private static (T Result, long Allocated) Measured<T>(Func<T> work)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = work();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
