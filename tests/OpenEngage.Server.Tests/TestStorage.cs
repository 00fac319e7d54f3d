using System.Collections.Concurrent;
using OpenEngage.Storage.Tests;

namespace OpenEngage.Server.Tests;

/// <summary>
/// The storage the in-process test servers run on: SQLite by default; PostgreSQL when the
/// environment variable <c>OPENENGAGE_TEST_STORAGE</c> is <c>postgres</c>, on one throwaway cluster
/// per test process with a fresh database per data directory.
/// </summary>
public static class TestStorage
{
    public const string Variable = "OPENENGAGE_TEST_STORAGE";

    /// <summary>The database of each data directory, so a restarted server finds its profiles again.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Databases = new(StringComparer.Ordinal);

    public static bool IsPostgres { get; } = (Environment.GetEnvironmentVariable(Variable) ?? "sqlite").Trim().ToLowerInvariant() switch
    {
        "" or "sqlite" => false,
        "postgres" or "postgresql" => true,
        var other => throw new InvalidOperationException($"{Variable}={other}: use 'sqlite' or 'postgres'."),
    };

    /// <summary>The configuration keys that put a server with <paramref name="dataDirectory"/> on the selected storage.</summary>
    public static async Task<IReadOnlyList<string>> SettingsAsync(string dataDirectory)
    {
        if (!IsPostgres)
        {
            return [];
        }

        var database = Databases.GetOrAdd(dataDirectory, _ => new Lazy<Task<string>>(async () =>
            await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("server")));
        return ["Storage:Provider=postgres", $"Storage:ConnectionString={await database.Value}"];
    }
}
