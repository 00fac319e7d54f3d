namespace OpenEngage.Storage.Sqlite;

/// <summary>Where the head of a profile's history chain was when a group first touched the profile (<see cref="SqliteHistoryChain"/>).</summary>
internal enum SqliteChainHead
{
    /// <summary>
    /// The profile had no history, committed or in the group being committed: its first row starts
    /// the chain. (A write by another connection since would make the group stale before it commits.)
    /// </summary>
    None,

    /// <summary>In the profile's row (or, for a row written with history off, in <c>log_heads</c>).</summary>
    InRow,

    /// <summary>In <c>log_heads</c>: the profile had history but no row.</summary>
    Parked,
}
