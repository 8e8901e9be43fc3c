#:property OutputType=Library
#:property TargetFramework=net10.0

// A .NET startup hook (DOTNET_STARTUP_HOOKS) for bench/gc-stress.sh: it starts a thread in the
// musicrnn process that forces a full blocking collection and drains the finalizer queue over and
// over, so a collection can land inside any native call, including inside the no-collection regions
// that TensorWork opens (an induced collection ends such a region). The same loop as the test's
// CollectorStress (tests/MusicRnn.Tests/Reliability/GcStressTests.cs), for the real executable.
internal static class StartupHook
{
    public static void Initialize()
    {
        var thread = new Thread(() =>
        {
            long collections = 0;
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                Console.Error.WriteLine($"gc-stress: {Interlocked.Read(ref collections)} forced collections");
            while (true)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        }) { IsBackground = true, Name = "gc-stress collector" };
        thread.Start();
    }
}
