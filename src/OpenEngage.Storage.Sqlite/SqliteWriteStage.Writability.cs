using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Data files that become unwritable while the server runs (<c>chattr +i</c>, a read-only
/// remount, changed permissions) fail the writes with a clear error and leave the reads running.
/// </summary>
/// <remarks>
/// <para>
/// SQLite keeps the WAL index in the <c>-shm</c> file mapped into memory, and every connection
/// writes to that mapping: the writer when it commits or checkpoints, a reader when it records
/// which WAL frame it reads up to. Writing to a mapped page of a file that has become immutable
/// does not return an error: the kernel kills the process with SIGBUS. (Writes through
/// <c>write()</c> fail with EPERM, which SQLite reports as an ordinary I/O error.) So the store
/// never lets SQLite reach that mapping with files it cannot write:
/// </para>
/// <list type="bullet">
/// <item>before each commit (and before reopening the write connection) the writer checks that
/// the database, WAL and WAL-index files are writable (<c>access(2)</c>, which refuses immutable
/// files even to root) and otherwise fails the group with an <see cref="IOException"/> naming the
/// file, without touching SQLite;</item>
/// <item>right after each commit the writer starts and ends a read transaction, which records the
/// new end of the WAL in the index, so readers that come later find it recorded and only read
/// the mapping;</item>
/// <item>a write connection closed while the files are unwritable does not checkpoint on close
/// (which would write the index).</item>
/// </list>
/// <para>
/// What remains is the moment the files change during a commit itself; the checks make the process
/// survive every change made between commits. Once the files are writable again, the next commit
/// goes through.
/// </para>
/// </remarks>
internal sealed partial class SqliteWriteStage
{
    private const int WriteAccess = 2;

    /// <summary>The files SQLite writes: the database, its WAL and its WAL index.</summary>
    private string[] DataFiles => [DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm"];

    /// <summary>Throws an <see cref="IOException"/> naming the first data file that exists and cannot be written.</summary>
    private void EnsureDataFilesWritable()
    {
        if (UnwritableDataFile() is { } unwritable)
        {
            throw new IOException(
                $"The data file {unwritable.Path} is not writable ({unwritable.Reason}); profile updates are refused until it is, and reads go on.");
        }
    }

    /// <summary>The first data file that exists and cannot be written, and why; null when all can be.</summary>
    private (string Path, string Reason)? UnwritableDataFile()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (var path in DataFiles)
        {
            if (Access(path, WriteAccess) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error != ENoEnt)
                {
                    return (path, Marshal.GetPInvokeErrorMessage(error));
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Records the end of the WAL just committed in the WAL index (a read transaction on the write
    /// connection), so the readers that follow need not write it themselves.
    /// </summary>
    /// <remarks>The group is committed already: a failure here only leaves the recording to the next reader.</remarks>
    private void RecordCommittedFrames()
    {
        try
        {
            _touch ??= CreateTouch(_writer!);
            _touch.ExecuteScalar();
        }
        catch (SqliteException)
        {
        }
    }

    private static SqliteCommand CreateTouch(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = "PRAGMA schema_version;";
        command.Prepare();
        return command;
    }

    /// <summary>Before closing the write connection: no checkpoint on close while the files cannot be written.</summary>
    private void SkipCheckpointOnCloseIfUnwritable(SqliteConnection connection)
    {
        if (connection.State == System.Data.ConnectionState.Open && UnwritableDataFile() is not null)
        {
            SQLitePCL.raw.sqlite3_db_config(connection.Handle, SQLitePCL.raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        }
    }

    private const int ENoEnt = 2;

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
