using System.Buffers.Binary;

namespace MusicRnn.Audio;

/// <summary>
/// A mono WAV file written block by block, for output too long to hold at once (transcoding an
/// hour of audio). It limits samples exactly as <see cref="AudioFile.WriteWav"/> does (s16 clipped
/// to [-1, 1], f32 kept beyond ±1, ±∞ made ±1) and counts what it clipped in <see cref="ClippedSamples"/>. The data goes to PATH.part and the header's sizes are filled in by
/// <see cref="Complete"/>, which then renames it into place: a run that fails or is killed
/// leaves no half-written file under the name the user asked for.
/// </summary>
public sealed class WavFileWriter : IDisposable
{
    private readonly string _path;
    private readonly string _partPath;
    private readonly FileStream _file;
    private readonly SampleFormat _format;
    private readonly int _sampleRate;
    private readonly int _bytesPerSample;
    private readonly int _headerBytes;
    private readonly byte[] _block = new byte[1 << 16];
    private long _samples;
    private bool _completed;

    internal WavFileWriter(string path, int sampleRate, SampleFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        _path = path;
        _partPath = path + ".part";
        _format = format;
        _sampleRate = sampleRate;
        _bytesPerSample = format switch
        {
            SampleFormat.S16 => 2,
            SampleFormat.F32 => 4,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown sample format"),
        };
        _headerBytes = format == SampleFormat.S16 ? 44 : 58;
        try
        {
            _file = new FileStream(_partPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            // A placeholder header of the right size; Complete() writes the real one over it.
            _file.Write(new byte[_headerBytes]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot write: {ex.Message}", ex);
        }
    }

    /// <summary>Samples written so far that the format could not hold and were clipped (s16: beyond ±1; f32: only ±∞).</summary>
    public long ClippedSamples { get; private set; }

    /// <summary>What the file stores for <paramref name="x"/>, as its reader will give it back: limited as the format needs (not counted), and for S16 rounded to 1/32768.</summary>
    public float Stored(float x)
    {
        long ignored = 0;
        float limited = WavWriter.Limit(x, _samples, _format, ref ignored);
        return _format == SampleFormat.S16 ? WavWriter.ToInt16(limited) / 32768f : limited;
    }

    /// <summary>Appends mono samples.</summary>
    /// <exception cref="ArgumentException">A sample is NaN.</exception>
    /// <exception cref="InputException">The file cannot be written, or would pass the 4 GiB WAV limit.</exception>
    public void Write(ReadOnlySpan<float> samples)
    {
        if (_completed) throw new InvalidOperationException("the file is already completed");
        if ((_samples + samples.Length) * _bytesPerSample + _headerBytes - 8 > uint.MaxValue)
            throw InputException.ForFile(_path, $"more than {(uint.MaxValue - _headerBytes + 8) / _bytesPerSample} samples do not fit in a WAV file (4 GiB limit)");
        int perBlock = _block.Length / _bytesPerSample;
        long clipped = ClippedSamples;
        for (int start = 0; start < samples.Length; start += perBlock)
        {
            var chunk = samples.Slice(start, Math.Min(perBlock, samples.Length - start));
            var bytes = _block.AsSpan(0, chunk.Length * _bytesPerSample);
            for (int i = 0; i < chunk.Length; i++)
            {
                float x = WavWriter.Limit(chunk[i], _samples + start + i, _format, ref clipped);
                if (_format == SampleFormat.S16)
                    BinaryPrimitives.WriteInt16LittleEndian(bytes[(2 * i)..], WavWriter.ToInt16(x));
                else
                    BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], x);
            }
            int length = bytes.Length;
            Guard(() => _file.Write(_block, 0, length));
        }
        ClippedSamples = clipped;
        _samples += samples.Length;
    }

    /// <summary>Writes the header for the samples written and moves the file to its name.</summary>
    public void Complete()
    {
        if (_completed) return;
        var header = WavWriter.Header(_format, _sampleRate, (int)Math.Min(int.MaxValue, _samples), _samples * _bytesPerSample, _headerBytes);
        Guard(() =>
        {
            _file.Position = 0;
            _file.Write(header);
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            File.Move(_partPath, _path, overwrite: true);
        });
        _completed = true;
    }

    /// <summary>Closes the file; if it was never completed, its partial data is deleted.</summary>
    public void Dispose()
    {
        _file.Dispose();
        if (!_completed)
        {
            try { File.Delete(_partPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the failure being reported matters more */ }
        }
    }

    private void Guard(Action io)
    {
        try
        {
            io();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{_path}: cannot write: {ex.Message}", ex);
        }
    }
}
