using System.Net;
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

    private static async Task HandleAsync(HttpContext context, ProfileKind kind)
    {
        var services = context.RequestServices;
        var limits = services.GetRequiredService<IOptions<IngestionLimitsOptions>>().Value;
        var pipeline = services.GetRequiredService<IngestPipeline>();
        var time = services.GetRequiredService<TimeProvider>();
        var receivedAt = time.GetUtcNow();
        var parameters = new IngestionParameters();

        DecodedBatch batch;
        try
        {
            batch = await IngestionRequestReader.ReadAsync(context.Request, parameters, limits, services.GetRequiredService<BodyBufferBudget>());
        }
        catch (WireError error)
        {
            await WriteRefusalAsync(context, parameters, error);
            return;
        }
        catch (Exception error) when (error is IOException or OperationCanceledException)
        {
            // The client went away before its body was complete: nothing to apply, no one to answer.
            LogMessages.BodyLost(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngestionEndpoints)), error);
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

            var clientIp = parameters.UseClientIp ? Unmapped(context.Connection.RemoteIpAddress) : null;
            IngestResult result;
            try
            {
                // Not the request's abort token: once the store has the batch, it is applied and
                // made durable whether or not the client is still waiting.
                result = await pipeline.IngestAsync(batch.Records, new IngestContext(kind, receivedAt, clientIp, kind == ProfileKind.Group ? "groups" : "engage"), CancellationToken.None);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogMessages.StoreFailure(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngestionEndpoints)), error);
                await IngestionResponse.WriteErrorAsync(context.Response, parameters, 500, "the update could not be stored; nothing of it was acknowledged");
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
