using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Server.Cli;

/// <summary>
/// <c>restore &lt;file&gt;</c>: puts a file written by <c>backup</c> into the data directory of a
/// stopped server. It takes the data directory's lock, so it refuses while a server (or an import)
/// uses it; a store already there is replaced only with <c>--force</c>, and kept beside, renamed.
/// </summary>
internal static class RestoreCommand
{
    public static async Task<int> RunAsync(string[] settings, FileInfo file, bool force, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = CommandLineVerbs.Build(settings);
            var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (storage.IsPostgres)
            {
                throw new CommandLineException("The PostgreSQL store is restored with PostgreSQL's tools: pg_restore --dbname=<database> <file written by pg_dump>.");
            }

            if (!file.Exists)
            {
                throw new CommandLineException($"No file {file.FullName}.");
            }

            using var lease = new DataDirectoryLease();
            try
            {
                lease.Acquire(storage.Path);
            }
            catch (DataDirectoryException e) when (e.InUse)
            {
                throw new CommandLineException(e.Message + " Stop the server before restoring into its data directory.");
            }

            var database = Path.Combine(storage.Path, SqliteProfileStore.DatabaseFileName);
            var project = Path.Combine(storage.Path, DefaultProject.FileName);
            var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            if (File.Exists(database) && !force)
            {
                throw new CommandLineException($"The data directory {storage.Path} already holds a store; restoring replaces it. Add --force to do so (the store there is kept as {SqliteProfileStore.DatabaseFileName}.replaced-<time>).");
            }

            var incoming = database + ".restoring";
            File.Copy(file.FullName, incoming, overwrite: true);
            try
            {
                var files = await PrepareAsync(incoming, file.FullName, cancellationToken);
                if (File.Exists(database))
                {
                    await SetAsideAsync(database, stamp, cancellationToken);
                }

                foreach (var (name, content) in files)
                {
                    var path = Path.Combine(storage.Path, name);
                    if (File.Exists(path))
                    {
                        File.Move(path, $"{path}.replaced-{stamp}");
                    }

                    await File.WriteAllBytesAsync(path, content, cancellationToken);
                }

                File.Move(incoming, database);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                File.Delete(incoming);
            }

            await error.WriteLineAsync($"Restored {file.FullName} into {storage.Path}{(File.Exists(project) ? $" (with its {DefaultProject.FileName})" : "")}. Start the server on it.");
            return 0;
        }
        catch (CommandLineException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await error.WriteLineAsync("restore failed: " + StartupFailure.Describe(e));
            return 1;
        }
    }

    /// <summary>Checks the copy is an intact OpenEngage store, and takes the data directory's files out of it.</summary>
    private static async Task<List<(string Name, byte[] Content)>> PrepareAsync(string incoming, string source, CancellationToken cancellationToken)
    {
        var files = new List<(string, byte[])>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = incoming, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        try
        {
            command.CommandText = "PRAGMA quick_check;";
            var check = (string?)await command.ExecuteScalarAsync(cancellationToken);
            command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('profiles', 'schema_version');";
            var tables = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (check != "ok" || tables != 2)
            {
                throw new CommandLineException($"{source} is not an intact OpenEngage backup ({(check != "ok" ? "integrity check: " + check : "no profiles table")}).");
            }
        }
        catch (SqliteException e)
        {
            throw new CommandLineException($"{source} is not an OpenEngage backup: {e.Message}");
        }

        command.CommandText = $"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '{BackupCommand.FilesTable}';";
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 1)
        {
            command.CommandText = $"SELECT name, content FROM {BackupCommand.FilesTable};";
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var name = reader.GetString(0);
                    if (name == DefaultProject.FileName)
                    {
                        files.Add((name, (byte[])reader.GetValue(1)));
                    }
                }
            }

            command.CommandText = $"DROP TABLE {BackupCommand.FilesTable};";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return files;
    }

    /// <summary>Folds the old store's WAL into it and renames it, so it stays whole beside the restored one.</summary>
    private static async Task SetAsideAsync(string database, string stamp, CancellationToken cancellationToken)
    {
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        {
            await old.OpenAsync(cancellationToken);
            using var checkpoint = old.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }

        File.Move(database, $"{database}.replaced-{stamp}");
        File.Delete(database + "-wal");
        File.Delete(database + "-shm");
    }
}
