namespace OpenEngage.Http.RateLimiting;

/// <summary>Whether a request's records fit their projects' budgets; when not, the answer to give.</summary>
/// <param name="StatusCode">0 when admitted; 429 (retry later) or 413 (never fits).</param>
/// <param name="RetryAfterSeconds">The <c>Retry-After</c> of a 429.</param>
/// <param name="Message">The error of the refusal.</param>
public sealed record RecordAdmission(int StatusCode, int RetryAfterSeconds, string Message)
{
    public static RecordAdmission Admitted { get; } = new(0, 0, "");

    public bool IsAdmitted => StatusCode == 0;
}
