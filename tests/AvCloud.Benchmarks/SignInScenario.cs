using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Local;
using AvCloud.Local.Identity;
using AvCloud.Tests.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace AvCloud.Benchmarks;

/// <summary>
/// An authorised list request (<c>GET /api/devices</c> by a keeper) while nobody else calls, then while 30 clients,
/// each from its own loopback address, send forged tokens as fast as the host answers them, then quiet again; all in
/// one run against one host. Also counts what the flood added to the chain of failed sign-ins while it lasted.
/// </summary>
internal static class SignInScenario
{
    public sealed record Phase(string Name, int Requests, double P50Ms, double P99Ms, long Forged, double ForgedPerSecond);

    public sealed record Result(IReadOnlyList<Phase> Phases, long EventsDuringFlood);

    public static async Task<Result> RunAsync(int rounds, int attackers)
    {
        await using var cloud = await LocalCloud.StartAsync(IngestScenario.Options(TimeSpan.FromSeconds(5)));
        using var http = new HttpClient { BaseAddress = cloud.BaseAddress };
        const string unit = "unit-signin";
        var keeper = cloud.Issuer.Mint("keeper-bench", unit, [Roles.Keeper], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        for (var i = 0; i < 20; i++)
        {
            using var register = new HttpRequestMessage(HttpMethod.Post, "/api/devices")
            {
                Content = JsonContent.Create(new { id = $"bwc-{i}", kind = "bodyWornCamera", serial = $"SN-{i}", model = "bench" }),
            };
            register.Headers.Authorization = new("Bearer", keeper);
            using var registered = await http.SendAsync(register);
            registered.EnsureSuccessStatusCode();
        }

        var forged = ForgedTokens(cloud.Issuer, unit);
        var audit = cloud.Services.GetRequiredService<AuditTrail>();
        var phases = new List<Phase>();
        await MeasureAsync(http, keeper, rounds / 5); // warm-up, not reported
        phases.Add(await QuietAsync("without forged tokens", http, keeper, rounds));

        var before = await CountAsync(audit);
        using var stop = new CancellationTokenSource();
        var sent = new long[attackers];
        var flood = Enumerable.Range(0, attackers).Select(a => Task.Run(() => AttackAsync(cloud.BaseAddress, a, forged, sent, stop.Token))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2)); // every attacker connected and sending
        var floodClock = Stopwatch.StartNew();
        var sentBefore = sent.Sum();
        var during = await MeasureAsync(http, keeper, rounds);
        var forgedDuring = sent.Sum() - sentBefore;
        floodClock.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(flood);
        var eventsDuringFlood = await CountAsync(audit) - before;
        phases.Add(new Phase($"with {attackers} forged-token clients", during.Count, Percentile(during, 0.5), Percentile(during, 0.99),
            forgedDuring, forgedDuring / floodClock.Elapsed.TotalSeconds));

        phases.Add(await QuietAsync("without forged tokens, after", http, keeper, rounds));
        return new Result(phases, eventsDuringFlood);
    }

    private static async Task<Phase> QuietAsync(string name, HttpClient http, string token, int rounds)
    {
        var latencies = await MeasureAsync(http, token, rounds);
        return new Phase(name, latencies.Count, Percentile(latencies, 0.5), Percentile(latencies, 0.99), 0, 0);
    }

    private static async Task<List<double>> MeasureAsync(HttpClient http, string token, int rounds)
    {
        var latencies = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/devices");
            request.Headers.Authorization = new("Bearer", token);
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            _ = await response.Content.ReadAsByteArrayAsync();
            clock.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The authorised list answered {(int)response.StatusCode}.");
            }

            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        return latencies;
    }

    // One attacker: its own loopback address and connection, one forged request after another.
    private static async Task AttackAsync(Uri baseAddress, int attacker, string[] forged, long[] sent, CancellationToken stop)
    {
        using var client = LoopbackSource.ClientFrom(new IPAddress([127, 0, 10, (byte)(attacker + 1)]), baseAddress);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/devices");
            request.Headers.Authorization = new("Bearer", forged[i % forged.Length]);
            try
            {
                using var response = await client.SendAsync(request, stop);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    throw new InvalidOperationException($"A forged token was answered {(int)response.StatusCode}.");
                }

                Interlocked.Increment(ref sent[attacker]);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>What a thief without the key can send: a token re-signed by another key, an edited payload under the real signature, garbage.</summary>
    private static string[] ForgedTokens(LocalIssuer issuer, string unit)
    {
        using var impostor = LocalIssuer.LoadOrCreate(null);
        var parts = issuer.Mint("keeper-bench", unit, [Roles.Officer], TimeSpan.FromHours(2), DateTimeOffset.UtcNow).Split('.');
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        claims["roles"] = new JsonArray("Keeper", "Head");
        return
        [
            impostor.Mint("keeper-bench", unit, [Roles.Keeper], TimeSpan.FromHours(2), DateTimeOffset.UtcNow),
            $"{parts[0]}.{Base64UrlEncoder.Encode(claims.ToJsonString())}.{parts[2]}",
            "forged.token.value",
        ];
    }

    private static async Task<long> CountAsync(AuditTrail audit)
    {
        var count = 0L;
        await foreach (var _ in audit.ReadChainAsync(AuthenticationMiddleware.UnauthenticatedUnit, CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];
}
