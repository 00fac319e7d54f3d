namespace OpenEngage.Storage.Sqlite;

/// <summary>One row of <c>profile_history</c> to insert.</summary>
internal readonly record struct SqlitePreparedLogRow(long Time, long Received, string Source, string Credential, string Kind, string Changes, string Record);
