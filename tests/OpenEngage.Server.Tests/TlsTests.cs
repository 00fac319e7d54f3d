using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Server.Tests;

/// <summary>HTTPS from PEM files through Kestrel's endpoint configuration, as docs/operations.md describes it.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task The_server_serves_https_from_a_PEM_certificate_and_key()
    {
        var directory = Directory.CreateTempSubdirectory("openengage-tls-").FullName;
        try
        {
            using var certificate = SelfSigned();
            var certificatePath = Path.Combine(directory, "server.crt");
            var keyPath = Path.Combine(directory, "server.key");
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
            using (var key = certificate.GetRSAPrivateKey()!)
            {
                await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            }

            await using var server = await RunningServer.StartAsync(
                "Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
                $"Kestrel:Endpoints:Https:Certificate:Path={certificatePath}",
                $"Kestrel:Endpoints:Https:Certificate:KeyPath={keyPath}");
            Assert.Equal("https", server.Address.Scheme);

            // A client that trusts this certificate, and nothing else, as its root.
            using var trusted = X509CertificateLoader.LoadCertificate(certificate.RawData);
            var handler = new SocketsHttpHandler();
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(trusted);
            using var client = new HttpClient(handler) { BaseAddress = server.Address };

            using var body = new StringContent($$$"""{"$token":"{{{RunningServer.Token}}}","$distinct_id":"tls-user","$set":{"plan":"pro"}}""", Encoding.UTF8, "application/json");
            using var posted = await client.PostAsync("/engage", body);
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            Assert.Equal("1", await posted.Content.ReadAsStringAsync());

            using var query = new HttpRequestMessage(HttpMethod.Get, "/api/query/engage?distinct_id=tls-user");
            query.Headers.Authorization = RunningServer.Basic(RunningServer.Secret, "");
            using var read = await client.SendAsync(query);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            var profile = JsonNode.Parse(await read.Content.ReadAsStringAsync())!["results"]![0]!["$properties"]!;
            Assert.Equal("pro", (string?)profile["plan"]);

            // A client that does not trust the certificate cannot talk to it.
            using var untrusting = new HttpClient { BaseAddress = server.Address };
            await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("/healthz"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
