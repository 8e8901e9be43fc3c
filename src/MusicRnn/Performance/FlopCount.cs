using MusicRnn.Models;

namespace MusicRnn.Performance;

/// <summary>
/// The analytic amount of arithmetic in one training window, so a measured time becomes a
/// rate (GFLOP/s) that can be set against the machine's own matmul rate.
/// </summary>
/// <remarks>
/// Counting convention (multiply-adds, MAC; 1 MAC = 2 FLOP), per step and per sequence of the batch,
/// for a layer of G gate blocks, H hidden units, I inputs, O outputs:
/// <list type="bullet">
/// <item>input projection W x_t: G·H·I;</item>
/// <item>recurrent product U h_{t-1}: G·H·H;</item>
/// <item>linear head W_y h_t: O·H (once, on the top layer);</item>
/// <item>elementwise work: E·H with a nominal E per architecture (gates, nonlinearities,
/// products) — a few percent of the total at H = 1024, counted so a cell is not flattered;</item>
/// <item>CW-RNN: only the modules that tick at step t count: their k = H/g units' input
/// projection (k·I each) and their rows of the recurrent product (k·H each). With periods
/// 2^i about two modules tick per step, so at 16 modules the work is about 1/8 of the RNN's.</item>
/// </list>
/// Backward is counted as twice the forward matmul work (one product for the deltas, one for the
/// weight gradients) and twice the elementwise work, so forward + backward = 3 × forward.
/// Gradients of the loss, the optimizer step and the carry advance are not counted.
/// </remarks>
public static class FlopCount
{
    /// <summary>Nominal elementwise operations per hidden unit and step, forward.</summary>
    public static int ElementwisePerUnit(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Arch switch
        {
            // a + b, φ
            Architecture.Rnn or Architecture.CwRnn => 2,
            // 4 adds, 3 σ + 2 tanh, c = f c + i g (3), h = o tanh c (1), peepholes 3 MACs
            Architecture.Lstm => spec.Peepholes ? 16 : 13,
            // 3 adds, 2 σ + tanh, r ⊙ h, h = (1 − z) n + z h (3)
            Architecture.Gru => 10,
            _ => 0,
        };
    }

    /// <summary>Gate blocks G of the recurrent matrices.</summary>
    public static int Gates(Architecture arch) => arch switch
    {
        Architecture.Lstm => 4,
        Architecture.Gru => 3,
        _ => 1,
    };

    /// <summary>Forward multiply-adds of one window of <paramref name="steps"/> steps and <paramref name="batch"/> sequences, all layers and the head.</summary>
    /// <param name="spec">The model; recurrent architectures only.</param>
    /// <param name="steps">Window length T.</param>
    /// <param name="batch">Parallel sequences B.</param>
    /// <param name="clock">CW-RNN: the clock at the window's first step (which modules tick depends on it).</param>
    public static double ForwardMacs(ModelSpec spec, int steps, int batch, long clock = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        double h = spec.HiddenSize;
        double perSequence = 0;
        for (var layer = 0; layer < spec.Layers; layer++)
        {
            double input = layer == 0 ? spec.InputSize : spec.HiddenSize;
            if (spec.Arch == Architecture.CwRnn)
            {
                // Active units summed over the window's steps.
                double k = h / spec.Modules;
                double activeUnits = 0;
                for (var t = 0; t < steps; t++)
                    for (var i = 0; i < spec.Modules; i++)
                        if ((clock + t) % spec.PeriodOf(i) == 0) activeUnits += k;
                perSequence += activeUnits * (input + h) + steps * ElementwisePerUnit(spec) * h;
            }
            else
                perSequence += steps * ((Gates(spec.Arch) * h * (input + h)) + (ElementwisePerUnit(spec) * h));
        }
        perSequence += steps * (double)spec.OutputSize * h;
        return perSequence * batch;
    }

    /// <summary>Floating-point operations of forward + backward over one window: 2 FLOP per MAC, backward = 2 × forward.</summary>
    public static double ForwardBackwardFlops(ModelSpec spec, int steps, int batch, long clock = 0) =>
        2 * 3 * ForwardMacs(spec, steps, batch, clock);

    /// <summary>Floating-point operations of an n × n by n × n matmul: 2n³.</summary>
    public static double SquareMatmulFlops(int n) => 2.0 * n * n * n;
}
