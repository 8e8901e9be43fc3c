using System.Buffers.Binary;
using System.Text;

namespace MusicRnn.Tests.Audio;

/// <summary>A folder under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("musicrnn-audio-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>
/// Builds WAV files byte by byte, independently of the code under test, so tests can make
/// every layout a real file may have: any chunk order, odd chunks, lies in the header.
/// </summary>
internal sealed class WavBuilder
{
    private readonly List<byte> _body = [];

    public static readonly Guid PcmSubformat = new("00000001-0000-0010-8000-00aa00389b71");

    /// <summary>A chunk with its true size (or <paramref name="declaredSize"/>), padded to even length unless told not to.</summary>
    public WavBuilder Chunk(string id, byte[] body, uint? declaredSize = null, bool pad = true)
    {
        _body.AddRange(Encoding.ASCII.GetBytes(id));
        _body.AddRange(Le32(declaredSize ?? (uint)body.Length));
        _body.AddRange(body);
        if (pad && body.Length % 2 == 1)
            _body.Add(0);
        return this;
    }

    public WavBuilder Fmt(int tag, int channels, int sampleRate, int bits, int? blockAlign = null)
    {
        int align = blockAlign ?? (channels * ((bits + 7) / 8));
        var b = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)tag);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)(sampleRate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)bits);
        return Chunk("fmt ", b);
    }

    public WavBuilder FmtExtensible(Guid subformat, int channels, int sampleRate, int bits, int validBits)
    {
        int align = channels * (bits / 8);
        var b = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(b, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)(sampleRate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)bits);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), (ushort)validBits);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), 0);
        subformat.TryWriteBytes(b.AsSpan(24));
        return Chunk("fmt ", b);
    }

    public WavBuilder Data(byte[] body, uint? declaredSize = null) => Chunk("data", body, declaredSize);

    public byte[] ToBytes()
    {
        var bytes = new List<byte>();
        bytes.AddRange("RIFF"u8.ToArray());
        bytes.AddRange(Le32((uint)(_body.Count + 4)));
        bytes.AddRange("WAVE"u8.ToArray());
        bytes.AddRange(_body);
        return [.. bytes];
    }

    /// <summary>Little-endian two's complement integers of <paramref name="bytes"/> bytes each.</summary>
    public static byte[] Ints(IEnumerable<long> values, int bytes)
    {
        var list = new List<byte>();
        foreach (long v in values)
        {
            for (int k = 0; k < bytes; k++)
                list.Add((byte)(v >> (8 * k)));
        }
        return [.. list];
    }

    public static byte[] Floats(IEnumerable<float> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static byte[] Doubles(IEnumerable<double> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Le32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }
}

/// <summary>Signals and measurements for audio tests.</summary>
internal static class Signals
{
    public static float[] Sine(double hz, int sampleRate, int count, double amplitude = 0.5, double phase = 0) =>
        Enumerable.Range(0, count).Select(n => (float)(amplitude * Math.Sin((2 * Math.PI * hz * n / sampleRate) + phase))).ToArray();

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>
    /// Fits a·cos(ωt) + b·sin(ωt) + c with ω free (the IEEE 1057 four-parameter fit) to
    /// x[start .. start+count) and reports the frequency and the THD+N: the power left after
    /// removing the fitted sine, relative to the sine's power. A frequency error as small as 1e-5
    /// would leave a visible residual over thousands of cycles, which is why ω is fitted too.
    /// </summary>
    public static (double Hz, double ThdPlusNoiseDb) FitSine(float[] x, int sampleRate, int start, int count)
    {
        var seg = x.AsSpan(start, count).ToArray();
        double centre = (count - 1) / 2.0;
        double w = 2 * Math.PI * ZeroCrossingHz(seg, sampleRate) / sampleRate;
        double a = 0, b = 0, c = 0;
        for (int iter = 0; iter < 30; iter++)
        {
            bool withFrequency = iter > 0;
            int m = withFrequency ? 4 : 3;
            var ata = new double[m, m];
            var aty = new double[m];
            var row = new double[m];
            for (int n = 0; n < count; n++)
            {
                double t = n - centre, cos = Math.Cos(w * t), sin = Math.Sin(w * t);
                row[0] = cos;
                row[1] = sin;
                row[2] = 1;
                if (withFrequency)
                    row[3] = t * ((-a * sin) + (b * cos));
                for (int i = 0; i < m; i++)
                {
                    aty[i] += row[i] * seg[n];
                    for (int j = 0; j < m; j++)
                        ata[i, j] += row[i] * row[j];
                }
            }
            var p = Solve(ata, aty);
            (a, b, c) = (p[0], p[1], p[2]);
            if (withFrequency)
            {
                w += p[3];
                if (Math.Abs(p[3]) < 1e-15)
                    break;
            }
        }

        double signal = 0, residual = 0;
        for (int n = 0; n < count; n++)
        {
            double t = n - centre;
            double fit = (a * Math.Cos(w * t)) + (b * Math.Sin(w * t));
            signal += fit * fit;
            double r = seg[n] - fit - c;
            residual += r * r;
        }
        return (w * sampleRate / (2 * Math.PI), 10 * Math.Log10(residual / signal));
    }

    /// <summary>Frequency from the first and last upward zero crossings, each placed by linear interpolation.</summary>
    public static double ZeroCrossingHz(float[] x, int sampleRate)
    {
        double first = -1, last = -1;
        int crossings = 0;
        for (int n = 1; n < x.Length; n++)
        {
            if (x[n - 1] < 0 && x[n] >= 0)
            {
                double at = n - 1 + (x[n - 1] / (double)(x[n - 1] - x[n]));
                if (first < 0)
                    first = at;
                last = at;
                crossings++;
            }
        }
        return (crossings - 1) / (last - first) * sampleRate;
    }

    private static double[] Solve(double[,] a, double[] y)
    {
        int m = y.Length;
        var x = (double[])y.Clone();
        var A = (double[,])a.Clone();
        for (int col = 0; col < m; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < m; r++)
            {
                if (Math.Abs(A[r, col]) > Math.Abs(A[pivot, col]))
                    pivot = r;
            }
            for (int k = 0; k < m; k++)
                (A[col, k], A[pivot, k]) = (A[pivot, k], A[col, k]);
            (x[col], x[pivot]) = (x[pivot], x[col]);
            for (int r = 0; r < m; r++)
            {
                if (r == col)
                    continue;
                double f = A[r, col] / A[col, col];
                for (int k = 0; k < m; k++)
                    A[r, k] -= f * A[col, k];
                x[r] -= f * x[col];
            }
        }
        for (int i = 0; i < m; i++)
            x[i] /= A[i, i];
        return x;
    }
}
