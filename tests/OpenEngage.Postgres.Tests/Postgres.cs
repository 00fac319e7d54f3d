namespace OpenEngage.Postgres.Tests;

/// <summary>The settings that point a server process at a PostgreSQL database.</summary>
internal static class Postgres
{
    public static string[] Settings(string connectionString) =>
        ["Storage:Provider=postgres", $"Storage:ConnectionString={connectionString}"];
}
