using System.Data.Common;

namespace OpenEngage.Storage.Relational;

/// <summary>What a backend tells <see cref="RelationalSavedFilterStore"/>: its connections, parameter marker and time column.</summary>
public sealed class RelationalSavedFilterDialect
{
    /// <summary>The placeholder's marker, written before each parameter name in the SQL: <c>$</c>, <c>@</c>.</summary>
    public required string ParameterMarker { get; init; }

    /// <summary>Throws when the store is not initialized or is disposed.</summary>
    public required Action EnsureOpen { get; init; }

    /// <summary>Opens a connection for reading; the caller disposes it.</summary>
    public required Func<CancellationToken, Task<DbConnection>> OpenReaderAsync { get; init; }

    /// <summary>Opens a connection for a change, durable when the statement returns; the caller disposes it.</summary>
    public required Func<CancellationToken, Task<DbConnection>> OpenWriterAsync { get; init; }

    /// <summary>
    /// The value stored in <c>created_at</c> for the creation time given; null when the database stamps
    /// the column itself (its default).
    /// </summary>
    public Func<DateTimeOffset, object>? CreatedAtValue { get; init; }

    /// <summary>Reads <c>created_at</c> from a row.</summary>
    public required Func<DbDataReader, int, DateTimeOffset> ReadCreatedAt { get; init; }
}
