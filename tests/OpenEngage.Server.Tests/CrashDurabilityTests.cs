using OpenEngage.Tests.Support;

namespace OpenEngage.Server.Tests;

/// <summary>The crash scenario (tests/Support) on the embedded SQLite store.</summary>
public sealed class CrashDurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_update_survives_sigkill()
    {
        var directory = Directory.CreateTempSubdirectory("openengage-crash-").FullName;
        try
        {
            await CrashDurabilityScenario.RunAsync(() => ServerProcess.StartAsync(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
