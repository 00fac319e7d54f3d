namespace OpenEngage.Storage.Sqlite;

/// <summary>One row of <c>profile_history</c> to insert; <paramref name="Changes"/> and <paramref name="Record"/> are UTF-8 JSON texts in the group's arena.</summary>
internal readonly record struct SqlitePreparedLogRow(long Time, long Received, string Source, string Credential, string Kind, ReadOnlyMemory<byte> Changes, ReadOnlyMemory<byte> Record, SqliteLogRowRole Role);
