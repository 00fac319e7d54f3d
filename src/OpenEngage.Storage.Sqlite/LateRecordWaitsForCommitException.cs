namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// Thrown while preparing a group when a late record's profile was changed by the group being
/// committed: its record log is read from the database, so the group is prepared again once that
/// commit is done (see <see cref="SqlitePipelinedWriter"/>).
/// </summary>
internal sealed class LateRecordWaitsForCommitException : Exception
{
    public LateRecordWaitsForCommitException()
        : base("A late record's profile is part of the group being committed.")
    {
    }

    public LateRecordWaitsForCommitException(string message)
        : base(message)
    {
    }

    public LateRecordWaitsForCommitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
