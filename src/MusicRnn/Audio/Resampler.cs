using System.Numerics;

namespace MusicRnn.Audio;

/// <summary>
/// Band-limited sample-rate conversion by a Kaiser-windowed sinc filter in polyphase form.
/// The ratio is reduced to up/down by the gcd of the rates; output sample n sits at input time
/// t = n·down/up, and is Σ_k x[k]·h(t − k) over the taps around t. The low-pass h cuts at the
/// lower of the two Nyquist frequencies, so downsampling cannot alias. Samples outside the
/// signal count as zero.
/// </summary>
public static class Resampler
{
    // Zero crossings of the sinc on each side of the centre, at the filter's cutoff: sets the transition width.
    private const int ZeroCrossings = 32;

    // Cutoff as a fraction of the lower Nyquist frequency. With 32 zero crossings the Kaiser
    // transition band is about ±9% wide, so the stopband starts right at the new Nyquist.
    private const double Rolloff = 0.91;

    // Kaiser β for about 90 dB stopband attenuation (Kaiser's formula β = 0.1102·(A − 8.7)).
    private const double Beta = 9.0;

    // Phases tabulated exactly up to this many; ratios with a larger "up" interpolate between table rows.
    private const int MaxPhases = 4096;

    /// <summary>Resamples <paramref name="x"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    /// <returns>ceil(x.Length · toRate / fromRate) samples.</returns>
    public static float[] Resample(ReadOnlySpan<float> x, int fromRate, int toRate)
    {
        var filter = new Filter(fromRate, toRate);
        if (filter.Up == filter.Down)
            return x.ToArray();

        long outLength = filter.OutputLength(x.Length);
        if (outLength > Array.MaxLength)
            throw new ArgumentException($"{outLength} output samples do not fit in an array", nameof(x));

        var y = new float[outLength];
        var coefficients = new float[filter.Taps];
        for (long n = 0; n < outLength; n++)
            y[n] = filter.Output(x, 0, n, coefficients);
        return y;
    }

    /// <summary>
    /// A resampler for a signal that arrives in blocks (a long file decoded piece by piece): it
    /// keeps only the input the filter still reaches back to, and its output, block after block,
    /// is exactly <see cref="Resample"/>'s of the whole signal.
    /// </summary>
    /// <param name="fromRate">Input rate in Hz.</param>
    /// <param name="toRate">Output rate in Hz.</param>
    public static Stream Streaming(int fromRate, int toRate) => new(new Filter(fromRate, toRate));

    /// <summary>The filter of one rate pair: the polyphase table and the arithmetic of one output sample.</summary>
    internal sealed class Filter
    {
        private readonly float[] _table;
        private readonly int _phases;

        public Filter(int fromRate, int toRate)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
            int gcd = Gcd(fromRate, toRate);
            Up = toRate / gcd;
            Down = fromRate / gcd;
            double cutoff = Math.Min(1.0, (double)Up / Down) * Rolloff;
            Half = (int)Math.Ceiling(ZeroCrossings / cutoff);
            _phases = Math.Min(Up, MaxPhases);
            _table = Up == Down ? [] : BuildTable(_phases, Half, cutoff);
        }

        public int Up { get; }

        public int Down { get; }

        /// <summary>Taps on each side of the output time.</summary>
        public int Half { get; }

        public int Taps => 2 * Half;

        public long OutputLength(long inputLength) => ((inputLength * Up) + Down - 1) / Down;

        /// <summary>First input sample that output <paramref name="n"/> weighs.</summary>
        public long FirstInput(long n) => (n * Down / Up) - Half + 1;

        /// <summary>
        /// Output sample <paramref name="n"/> from <paramref name="x"/>, which holds the input from
        /// sample <paramref name="offset"/> on (and ends where the input ends, or beyond the taps of n).
        /// </summary>
        public float Output(ReadOnlySpan<float> x, long offset, long n, float[] coefficients)
        {
            long num = n * Down;
            long i = num / Up;
            // Position of t between table rows: exact when every phase has a row, interpolated otherwise.
            double row = (double)(num % Up) * _phases / Up;
            int p = (int)row;
            double w = row - p;
            int taps = Taps;
            ReadOnlySpan<float> h = _table.AsSpan(p * taps, taps);
            if (w > 0)
            {
                var next = _table.AsSpan((p + 1) * taps, taps);
                for (int j = 0; j < taps; j++)
                    coefficients[j] = (float)(h[j] + (w * (next[j] - h[j])));
                h = coefficients;
            }
            return Convolve(x, i - Half + 1 - offset, h);
        }
    }

    /// <summary>See <see cref="Streaming"/>: push blocks, then finish; outputs are handed out as they become computable.</summary>
    public sealed class Stream
    {
        private readonly Filter _filter;
        private readonly float[] _coefficients;
        private float[] _input = new float[1 << 16];
        private long _inputStart;   // index in the whole signal of _input[0]
        private int _inputCount;
        private long _next;         // next output index
        private readonly float[] _output = new float[1 << 16];
        private bool _finished;

        internal Stream(Filter filter)
        {
            _filter = filter;
            _coefficients = new float[Math.Max(1, filter.Taps)];
        }

        /// <summary>Adds the next input samples; hands every output sample they complete to <paramref name="take"/> (possibly none).</summary>
        public void Push(ReadOnlySpan<float> block, Action<ReadOnlySpan<float>> take)
        {
            if (_finished) throw new InvalidOperationException("the stream is finished");
            if (_filter.Up == _filter.Down)
            {
                take(block);
                return;
            }
            Append(block);
            // Output n is final once its last tap, input n·down/up + half, has arrived.
            Emit(take, n => (n * _filter.Down / _filter.Up) + _filter.Half < _inputStart + _inputCount);
        }

        /// <summary>Ends the input (samples past it count as zero) and hands out the remaining outputs.</summary>
        public void Finish(Action<ReadOnlySpan<float>> take)
        {
            if (_finished) return;
            _finished = true;
            if (_filter.Up == _filter.Down) return;
            long total = _filter.OutputLength(_inputStart + _inputCount);
            Emit(take, n => n < total);
        }

        private void Emit(Action<ReadOnlySpan<float>> take, Func<long, bool> ready)
        {
            int made = 0;
            var x = _input.AsSpan(0, _inputCount);
            while (ready(_next))
            {
                _output[made++] = _filter.Output(x, _inputStart, _next, _coefficients);
                _next++;
                if (made == _output.Length)
                {
                    take(_output);
                    made = 0;
                }
            }
            if (made > 0) take(_output.AsSpan(0, made));
            Drop();
        }

        private void Append(ReadOnlySpan<float> block)
        {
            if (_inputCount + block.Length > _input.Length)
                Array.Resize(ref _input, Math.Max(2 * _input.Length, _inputCount + block.Length));
            block.CopyTo(_input.AsSpan(_inputCount));
            _inputCount += block.Length;
        }

        /// <summary>Forgets input that no future output reaches back to (never past the signal's start, so edge outputs still see it whole).</summary>
        private void Drop()
        {
            long keepFrom = Math.Max(0, _filter.FirstInput(_next));
            int drop = (int)Math.Clamp(keepFrom - _inputStart, 0, _inputCount);
            if (drop == 0) return;
            _input.AsSpan(drop, _inputCount - drop).CopyTo(_input);
            _inputCount -= drop;
            _inputStart += drop;
        }
    }

    /// <summary>
    /// Row p (0..phases, the last being phase 0 one input sample later) holds the taps for
    /// fractional time p/phases: tap j weighs input sample i − half + 1 + j, whose distance from t is
    /// d = p/phases + half − 1 − j. Each row is scaled to sum to 1 so a constant passes unchanged.
    /// </summary>
    private static float[] BuildTable(int phases, int half, double cutoff)
    {
        int taps = 2 * half;
        var table = new float[(phases + 1) * taps];
        double i0Beta = BesselI0(Beta);
        var row = new double[taps];
        for (int p = 0; p <= phases; p++)
        {
            double sum = 0;
            for (int j = 0; j < taps; j++)
            {
                double d = ((double)p / phases) + half - 1 - j;
                double r = d / half;
                double window = Math.Abs(r) >= 1 ? 0 : BesselI0(Beta * Math.Sqrt(1 - (r * r))) / i0Beta;
                row[j] = cutoff * Sinc(cutoff * d) * window;
                sum += row[j];
            }
            for (int j = 0; j < taps; j++)
                table[(p * taps) + j] = (float)(row[j] / sum);
        }
        return table;
    }

    /// <summary>Σ_j x[start + j]·h[j], with x taken as zero outside its bounds.</summary>
    private static float Convolve(ReadOnlySpan<float> x, long start, ReadOnlySpan<float> h)
    {
        long lo = Math.Max(0, start), hi = Math.Min(x.Length, start + h.Length);
        if (hi <= lo)
            return 0;
        var xs = x[(int)lo..(int)hi];
        var hs = h[(int)(lo - start)..][..xs.Length];

        var acc = Vector<float>.Zero;
        int k = 0;
        for (; k <= xs.Length - Vector<float>.Count; k += Vector<float>.Count)
            acc += new Vector<float>(xs[k..]) * new Vector<float>(hs[k..]);
        float sum = Vector.Sum(acc);
        for (; k < xs.Length; k++)
            sum += xs[k] * hs[k];
        return sum;
    }

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series.</summary>
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; term > 1e-17 * sum; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
