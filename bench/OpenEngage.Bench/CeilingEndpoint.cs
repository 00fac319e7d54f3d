using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEngage.Http;

namespace OpenEngage.Bench;

/// <summary>
/// The benchmark's reference endpoint: it decodes a request exactly as <c>/engage</c> does (the same
/// <see cref="IngestionRequestReader"/>: transports, gzip, JSON parse, limits) and answers <c>1</c>
/// without reading records or storing anything. What the HTTP edge alone can take is the ceiling
/// every ingestion figure is compared with. Only <see cref="CeilingServer"/> maps it.
/// </summary>
internal static class CeilingEndpoint
{
    public const string Path = "/bench/ceiling";

    public static IEndpointRouteBuilder MapCeiling(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, ["GET", "POST"], HandleAsync);
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<IngestionLimitsOptions>>().Value;
        var parameters = new IngestionParameters();
        try
        {
            using var batch = await IngestionRequestReader.ReadAsync(context.Request, parameters, limits, context.RequestServices.GetRequiredService<BodyBufferBudget>());
        }
        catch (WireError error)
        {
            await IngestionEndpoints.WriteRefusalAsync(context, parameters, error);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = 1;
        await context.Response.Body.WriteAsync("1"u8.ToArray());
    }
}
