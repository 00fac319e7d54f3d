using Npgsql;

namespace OpenEngage.Bench;

/// <summary>
/// A fresh, empty PostgreSQL database for one measurement on the PostgreSQL store (as each
/// embedded measurement gets a fresh data directory), dropped when disposed.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _administration;
    private readonly string _name;

    private PostgresDatabase(string administration, string name, string connectionString)
    {
        _administration = administration;
        _name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string of the new database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates a database named after a new GUID on the server <paramref name="connectionString"/> names (through its own database).</summary>
    public static async Task<PostgresDatabase> CreateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var name = $"openengage_bench_{Guid.NewGuid():N}";
        var administration = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await ExecuteAsync(administration, $"CREATE DATABASE {name};", cancellationToken);
        return new PostgresDatabase(administration, name, new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_administration, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE);", CancellationToken.None);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
