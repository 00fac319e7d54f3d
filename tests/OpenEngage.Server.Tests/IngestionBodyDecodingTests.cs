using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpenEngage.Http;

namespace OpenEngage.Server.Tests;

/// <summary>
/// A compressed ingestion body is decoded once when it arrives promptly and compresses ordinarily,
/// and kept as wire bytes (decoded again at the end) when it compresses beyond the edge's ratio, so
/// that a trickling client pins what it sent, not what it decodes to.
/// </summary>
public sealed class IngestionBodyDecodingTests
{
    private static readonly IngestionLimitsOptions Limits = new();

    /// <summary>200 ordinary records: JSON that compresses about 10×.</summary>
    private static readonly byte[] Records = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, 200).Select(i =>
        $$$"""{"$token":"t","$distinct_id":"user-{{{i * 7919 % 100_003}}}","$set":{"plan":"{{{(i % 3 == 0 ? "pro" : "free")}}}","visits":{{{i * 37 % 1000}}},"email":"user{{{i}}}@example.com"}}"""))
        + "]");

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task An_ordinary_body_that_arrives_at_once_is_decoded_once(string encoding)
    {
        var budget = new BodyBufferBudget(Limits.MaxBufferedBodyBytes);

        var (body, decodes) = await ReadAsync(Compress(Records, encoding), encoding, budget);

        using (body)
        {
            Assert.Equal(Records, body.Memory.ToArray());
            Assert.Equal(1, decodes);
        }

        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task A_body_that_compresses_beyond_the_ratio_is_held_as_wire_bytes_and_decoded_at_the_end()
    {
        // 2 MB of white space in a list: about 2 KB of gzip, a thousand times the ratio the edge keeps.
        var padded = Encoding.UTF8.GetBytes("[" + new string(' ', 2 * 1024 * 1024) + "]");
        var budget = new BodyBufferBudget(Limits.MaxBufferedBodyBytes);

        var (body, decodes) = await ReadAsync(Compress(padded, "gzip"), "gzip", budget);

        using (body)
        {
            Assert.Equal(padded, body.Memory.ToArray());
            Assert.Equal(2, decodes);
        }

        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task An_uncompressed_body_is_not_decoded()
    {
        var budget = new BodyBufferBudget(Limits.MaxBufferedBodyBytes);

        var (body, decodes) = await ReadAsync(Records, "", budget);

        using (body)
        {
            Assert.Equal(Records, body.Memory.ToArray());
            Assert.Equal(0, decodes);
        }
    }

    private static Task<(BudgetedBuffer Body, int Decodes)> ReadAsync(byte[] wire, string encoding, BodyBufferBudget budget)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(wire);
        context.Request.ContentLength = wire.Length;
        if (encoding.Length > 0)
        {
            context.Request.Headers.ContentEncoding = encoding;
        }

        return IngestionBodyReader.ReadBodyAsync(context.Request, Limits, budget);
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var compressed = new MemoryStream();
        using (Stream compressor = encoding == "gzip" ? new GZipStream(compressed, CompressionLevel.Optimal) : new ZLibStream(compressed, CompressionLevel.Optimal))
        {
            compressor.Write(data);
        }

        return compressed.ToArray();
    }
}
