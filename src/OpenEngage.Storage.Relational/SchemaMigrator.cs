using System.Data.Common;

namespace OpenEngage.Storage.Relational;

/// <summary>
/// Brings a database to the latest of an ordered list of migrations, in one transaction, and
/// records each applied version in <c>schema_version</c>. A database newer than the list is
/// refused. Each backend supplies its migrations, its <c>schema_version</c> table, how a version
/// is recorded, and how the transaction keeps a second migrator out (PostgreSQL: an advisory
/// lock; SQLite: a write transaction).
/// </summary>
public sealed class SchemaMigrator
{
    private readonly string _versionTable;
    private readonly string _recordVersion;
    private readonly string _versionParameter;
    private readonly Func<DbConnection, CancellationToken, Task<DbTransaction>> _beginExclusive;

    /// <param name="migrations">The migrations, by ascending version.</param>
    /// <param name="versionTable">Creates <c>schema_version</c> if it does not exist.</param>
    /// <param name="recordVersion">Records one version, given as the parameter <paramref name="versionParameter"/>.</param>
    /// <param name="versionParameter">The name of the version parameter in <paramref name="recordVersion"/>.</param>
    /// <param name="beginExclusive">Begins the transaction the migration runs in, once no other migrator can run.</param>
    public SchemaMigrator(
        IReadOnlyList<SchemaMigration> migrations,
        string versionTable,
        string recordVersion,
        string versionParameter,
        Func<DbConnection, CancellationToken, Task<DbTransaction>> beginExclusive)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentException.ThrowIfNullOrWhiteSpace(versionTable);
        ArgumentException.ThrowIfNullOrWhiteSpace(recordVersion);
        ArgumentException.ThrowIfNullOrWhiteSpace(versionParameter);
        ArgumentNullException.ThrowIfNull(beginExclusive);
        if (migrations.Count == 0)
        {
            throw new ArgumentException("A schema needs at least one migration.", nameof(migrations));
        }

        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version <= migrations[i - 1].Version)
            {
                throw new ArgumentException($"Migration {migrations[i].Version} follows {migrations[i - 1].Version}: versions must ascend.", nameof(migrations));
            }
        }

        Migrations = migrations;
        _versionTable = versionTable;
        _recordVersion = recordVersion;
        _versionParameter = versionParameter;
        _beginExclusive = beginExclusive;
    }

    public IReadOnlyList<SchemaMigration> Migrations { get; }

    public int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Brings the database to <see cref="LatestVersion"/> in one transaction and returns the
    /// migrations it applied (none when the schema is already current).
    /// </summary>
    /// <param name="connection">The open connection to migrate on.</param>
    /// <param name="starting">Told of each migration just before it runs (one can take a while on a large database).</param>
    /// <param name="cancellationToken">Stops the migration; nothing of it is kept.</param>
    /// <exception cref="InvalidOperationException">The database has a newer schema than <see cref="LatestVersion"/>.</exception>
    public async Task<IReadOnlyList<SchemaMigration>> MigrateAsync(DbConnection connection, Action<SchemaMigration>? starting = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var transaction = await _beginExclusive(connection, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, _versionTable, cancellationToken).ConfigureAwait(false);

        long current;
        await using (var query = Command(connection, transaction, "SELECT coalesce(max(version), 0) FROM schema_version;"))
        {
            current = Convert.ToInt64(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database has schema version {current}, newer than this server understands ({LatestVersion}). Upgrade the server.");
        }

        var applied = new List<SchemaMigration>();
        foreach (var migration in Migrations)
        {
            if (migration.Version <= current)
            {
                continue;
            }

            starting?.Invoke(migration);
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using (var record = Command(connection, transaction, _recordVersion))
            {
                var version = record.CreateParameter();
                version.ParameterName = _versionParameter;
                version.Value = migration.Version;
                record.Parameters.Add(version);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            applied.Add(migration);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
