using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Identity;
using AvCloud.Local;
using AvCloud.Tests;

namespace AvCloud.Benchmarks;

/// <summary>
/// Viewing under one approved request covering <c>items</c> recordings: the latency of one open,
/// <c>GET /api/access-requests/{id}/footage/{footageId}/view</c>, as the requester sees it, over the local host's real sockets
/// (each round opens the next recording).
/// </summary>
internal static class AccessScenario
{
    public sealed record Result(int Items, int Rounds, double P50Ms, double P99Ms, double MaxMs);

    public static async Task<Result> RunAsync(int items, int rounds)
    {
        await using var cloud = await LocalCloud.StartAsync(IngestScenario.Options(TimeSpan.FromMilliseconds(250)));
        using var http = new HttpClient { BaseAddress = cloud.BaseAddress };
        const string unit = "unit-access";
        var contents = Enumerable.Range(0, items).Select(i => IngestScenario.Wav(5000 + i)).ToList();
        await IngestScenario.DockAsync(cloud, http, unit, contents);
        var ids = contents.Select(c => Convert.ToHexStringLower(SHA256.HashData(c))).ToArray();

        var reviewer = cloud.Issuer.Mint("reviewer-1", unit, [Roles.Reviewer], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        var keeper = cloud.Issuer.Mint("keeper-1", unit, [Roles.Keeper], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        // The recordings are catalogued in the background; the request can be made once all of them are.
        var request = await Eventually.That(async () =>
        {
            using var asked = await SendAsync(http, HttpMethod.Post, "/api/access-requests", reviewer, new
            {
                footageIds = ids, purpose = "benchmark", caseName = "benchmark", caseNumber = "B-1", mode = "view", duration = "PT8H",
            });
            return asked.IsSuccessStatusCode ? await asked.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options) : null;
        }, "the recordings to be catalogued", TimeSpan.FromMinutes(2));
        using (var approved = await SendAsync(http, HttpMethod.Post, $"/api/access-requests/{request.Id}/approve", keeper, new { }))
        {
            approved.EnsureSuccessStatusCode();
        }

        var latencies = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var footageId = ids[round % items];
            using var view = await SendAsync(http, HttpMethod.Get, $"/api/access-requests/{request.Id}/footage/{footageId}/view", reviewer, null);
            view.EnsureSuccessStatusCode();
            var link = (await view.Content.ReadFromJsonAsync<ReadLink>(AvCloudJson.Options))!;
            clock.Stop();
            if (link.FootageId != footageId)
            {
                throw new InvalidOperationException($"Expected a link to {footageId}, got one to {link.FootageId}.");
            }

            if (round > 0)
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        latencies.Sort();
        return new Result(items, rounds, latencies[latencies.Count / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1], latencies[^1]);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body)
    {
        using var message = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        message.Headers.Authorization = new("Bearer", token);
        return await http.SendAsync(message);
    }
}
