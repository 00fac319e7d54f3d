using OpenEngage.Storage.Tests;
using OpenEngage.Tests.Support;

namespace OpenEngage.Postgres.Tests;

/// <summary>The crash scenario (tests/Support) on PostgreSQL: the restarted server finds every acknowledged update in the database.</summary>
public sealed class CrashDurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_update_survives_sigkill_on_postgres()
    {
        var connectionString = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("crash");
        var directory = Directory.CreateTempSubdirectory("openengage-crash-").FullName;
        try
        {
            await CrashDurabilityScenario.RunAsync(() => ServerProcess.StartAsync(directory, Postgres.Settings(connectionString)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
