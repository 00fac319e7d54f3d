namespace OpenEngage.Storage.Tests;

/// <summary>The change log contract on PostgreSQL, every group's history rows written with <c>COPY</c> (as for a group of many rows).</summary>
public sealed class PostgresChangeLogCopyTests : PostgresChangeLogTests
{
    protected override int CopyLogRowsFrom => 1;
}
