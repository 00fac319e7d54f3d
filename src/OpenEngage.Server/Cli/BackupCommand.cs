using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Server.Cli;

/// <summary>
/// <c>backup &lt;file&gt;</c>: copies the embedded store into one SQLite file with SQLite's online
/// backup, from one read snapshot, so it is consistent while a server keeps writing. The generated
/// project (<c>project.json</c>), when the data directory has one, goes into the same file.
/// PostgreSQL has its own tool for this: <c>pg_dump</c>.
/// </summary>
internal static class BackupCommand
{
    /// <summary>The table of a backup file that carries the data directory's other files.</summary>
    internal const string FilesTable = "openengage_backup_files";

    public static async Task<int> RunAsync(string[] settings, FileInfo file, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = CommandLineVerbs.Build(settings);
            var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (storage.IsPostgres)
            {
                throw new CommandLineException(
                    "The PostgreSQL store is backed up with PostgreSQL's tools: pg_dump --format=custom --file=<file> <database> "
                    + "(consistent while servers run), and restored with pg_restore.");
            }

            var database = Path.Combine(storage.Path, SqliteProfileStore.DatabaseFileName);
            if (!File.Exists(database))
            {
                throw new CommandLineException($"There is no store to back up in {storage.Path} (no {SqliteProfileStore.DatabaseFileName}).");
            }

            var target = file.FullName;
            var temporary = target + ".partial";
            File.Delete(temporary);
            try
            {
                await CopyAsync(database, temporary, storage.Path, cancellationToken);
                File.Move(temporary, target, overwrite: true);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                File.Delete(temporary);
            }

            await error.WriteLineAsync($"Backed up {database} to {target} ({new FileInfo(target).Length:N0} bytes).");
            return 0;
        }
        catch (CommandLineException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await error.WriteLineAsync("backup failed: " + StartupFailure.Describe(e));
            return 1;
        }
    }

    private static async Task CopyAsync(string database, string temporary, string dataDirectory, CancellationToken cancellationToken)
    {
        // Read-write (not create): a read-only connection could not recover a WAL that no server has open.
        using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString()))
        {
            await source.OpenAsync(cancellationToken);
            await destination.OpenAsync(cancellationToken);
            using (var wait = source.CreateCommand())
            {
                wait.CommandText = "PRAGMA busy_timeout = 10000;";
                await wait.ExecuteNonQueryAsync(cancellationToken);
            }

            // All pages in one step, inside one read transaction of the source: one committed state.
            source.BackupDatabase(destination);

            using var command = destination.CreateCommand();
            command.CommandText = $"""
                PRAGMA journal_mode = DELETE;
                CREATE TABLE {FilesTable} (name TEXT PRIMARY KEY, content BLOB NOT NULL);
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
            var project = Path.Combine(dataDirectory, DefaultProject.FileName);
            if (File.Exists(project))
            {
                command.CommandText = $"INSERT INTO {FilesTable} (name, content) VALUES ($name, $content);";
                command.Parameters.AddWithValue("$name", DefaultProject.FileName);
                command.Parameters.AddWithValue("$content", await File.ReadAllBytesAsync(project, cancellationToken));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        // The copy is complete only once it is on disk.
        await using var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite);
        written.Flush(flushToDisk: true);
    }
}
