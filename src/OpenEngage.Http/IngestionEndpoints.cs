using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenEngage.Http.RateLimiting;
using OpenEngage.Ingestion;
using OpenEngage.Profiles;

namespace OpenEngage.Http;

/// <summary>
/// Maps <c>/engage</c> and <c>/groups</c>, GET and POST. Browsers send updates from any origin
/// (contract §1): <see cref="HttpEdgeExtensions.UseHttpEdge"/> answers them with <see cref="CorsPolicy"/>.
/// </summary>
public static class IngestionEndpoints
{
    /// <summary>The CORS policy of the ingestion endpoints, and of no other endpoint.</summary>
    public const string CorsPolicy = "ingestion";

    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, kind) in new[] { ("/engage", ProfileKind.User), ("/groups", ProfileKind.Group) })
        {
            RequestDelegate handler = context => HandleAsync(context, kind);
            // Routing matches "/engage/" too.
            endpoints.MapMethods(path, ["GET", "POST"], handler);
        }

        return endpoints;
    }

    private static Task HandleAsync(HttpContext context, ProfileKind kind)
    {
        var services = context.RequestServices;
        var pipeline = services.GetRequiredService<IngestPipeline>();
        var receivedAt = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var parameters = new IngestionParameters();
        return ReadIngestAndAnswerAsync(context, parameters, typeof(IngestionEndpoints), records =>
        {
            var clientIp = parameters.UseClientIp ? Unmapped(context.Connection.RemoteIpAddress) : null;
            return pipeline.IngestAsync(records, new IngestContext(kind, receivedAt, clientIp, kind == ProfileKind.Group ? "groups" : "engage"), CancellationToken.None);
        }, "the update could not be stored; nothing of it was acknowledged");
    }

    /// <summary>
    /// What every record endpoint (<c>/engage</c>, <c>/groups</c>, <c>/track</c>, <c>/import</c>)
    /// does with a request: reads its records with the transports and limits of contract §1 (a
    /// refusal answers the whole request), checks the callback name and the admission limits, hands
    /// the records to <paramref name="ingestAsync"/> and answers with its result.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="parameters">Its parameters, completed from the body as it is read.</param>
    /// <param name="category">The logger category of the endpoint.</param>
    /// <param name="ingestAsync">
    /// Stores the records. It is given no abort token of the request: once the store has them, they
    /// are applied and made durable whether or not the client is still waiting.
    /// </param>
    /// <param name="storeFailure">The answer's message (with a 500) when storing throws.</param>
    internal static async Task ReadIngestAndAnswerAsync(
        HttpContext context, IngestionParameters parameters, Type category, Func<IReadOnlyList<JsonElement>, Task<IngestResult>> ingestAsync, string storeFailure)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
        DecodedBatch batch;
        try
        {
            batch = await IngestionRequestReader.ReadAsync(context.Request, parameters, services.GetRequiredService<IOptions<IngestionLimitsOptions>>().Value, services.GetRequiredService<BodyBufferBudget>());
        }
        catch (WireError error)
        {
            await WriteRefusalAsync(context, parameters, error);
            return;
        }
        catch (Exception error) when (error is IOException or OperationCanceledException)
        {
            // The client went away before its body was complete: nothing to apply, no one to answer.
            LogMessages.BodyLost(logger, error);
            return;
        }

        using (batch)
        {
            if (parameters.Callback is { } callback && !IngestionResponse.IsSafeCallback(callback))
            {
                await IngestionResponse.WriteErrorAsync(context.Response, parameters, 400, "unsafe callback name");
                return;
            }

            if (await IngestionAdmission.RefuseAsync(context, parameters, batch.Records))
            {
                return;
            }

            IngestResult result;
            try
            {
                result = await ingestAsync(batch.Records);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogMessages.StoreFailure(logger, error);
                await IngestionResponse.WriteErrorAsync(context.Response, parameters, 500, storeFailure);
                return;
            }

            await IngestionResponse.WriteResultAsync(context.Response, parameters, result);
        }
    }

    /// <summary>
    /// A request refused as a whole. A 408 closes the connection (the rest of a slow body is not
    /// waited for); a 503 says when to retry.
    /// </summary>
    public static Task WriteRefusalAsync(HttpContext context, IngestionParameters parameters, WireError error)
    {
        if (error.StatusCode == 408)
        {
            context.Response.Headers.Connection = "close";
        }
        else if (error.StatusCode == 503)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        return IngestionResponse.WriteErrorAsync(context.Response, parameters, error.StatusCode, error.Message);
    }

    private static IPAddress? Unmapped(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
