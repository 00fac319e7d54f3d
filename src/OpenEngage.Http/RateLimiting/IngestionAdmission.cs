using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OpenEngage.Http.RateLimiting;

/// <summary>The ingestion endpoints' side of the records-per-second limit.</summary>
public static class IngestionAdmission
{
    /// <summary>
    /// Takes the records' budget; when the request does not fit, answers it (429 with
    /// <c>Retry-After</c>, or 413) in the request's own response format and returns true.
    /// </summary>
    public static async Task<bool> RefuseAsync(HttpContext context, IngestionParameters parameters, IReadOnlyList<JsonElement> records)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.RequestServices.GetService<RecordRateLimiter>() is not { IsEnabled: true } limiter)
        {
            return false;
        }

        var admission = limiter.Admit(records);
        if (admission.IsAdmitted)
        {
            return false;
        }

        if (admission.StatusCode == 429)
        {
            HttpMetrics.Refused(HttpMetrics.RecordsLimit);
            context.Response.Headers.RetryAfter = admission.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        await IngestionResponse.WriteErrorAsync(context.Response, parameters, admission.StatusCode, admission.Message).ConfigureAwait(false);
        return true;
    }
}
