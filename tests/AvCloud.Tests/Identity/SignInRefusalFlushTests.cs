using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AvCloud.Tests.Identity;

/// <summary>The background writer of refused sign-ins' summaries, on its own clock, against the local Cosmos stand-in.</summary>
public sealed class SignInRefusalFlushTests(LocalCloudFixture fixture)
{
    [Fact]
    public async Task A_window_is_written_once_it_ends_with_no_further_traffic_and_the_rest_when_the_host_stops()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Options.Create(new IdentityOptions
        {
            MetadataAddress = new Uri("http://127.0.0.1/.well-known/openid-configuration"),
            Audience = "api://avcloud",
            RefusalWindow = TimeSpan.FromMinutes(1),
        });
        var services = fixture.Cloud.Services;
        var audit = new AuditTrail(services.GetRequiredService<Database>(), time);
        var refusals = new SignInRefusals(options, time);
        var flush = new SignInRefusalFlush(refusals, () => audit, options, time, NullLogger<SignInRefusalFlush>.Instance);
        var (early, late) = ($"198.51.100.{Random.Shared.Next(256)}-{Guid.NewGuid():N}", $"198.51.100.{Random.Shared.Next(256)}-{Guid.NewGuid():N}");
        await flush.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            for (var i = 0; i < 25; i++)
            {
                refusals.Count(early, "anonymous", AuditAction.AuthenticationFailed, "The bearer token is not valid or has expired.", "GET /api/devices");
            }

            time.Advance(TimeSpan.FromSeconds(45));
            refusals.Count(late, "anonymous", AuditAction.AuthenticationFailed, "The request has no bearer token.", "GET /api/devices");
            Assert.Empty(await SummariesAsync(early));

            // The early window ends; nothing more arrives; the next tick writes it. The late window is still open.
            time.Advance(TimeSpan.FromSeconds(30));
            var written = await Eventually.That(async () => await SummariesAsync(early) is [var one] ? one : null, "the early window's summary", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            Assert.Equal(("25", "anonymous", AuditOutcomes.Denied), (written.Details["count"], written.Actor, written.Outcome));
            Assert.Empty(await SummariesAsync(late));
        }
        finally
        {
            await flush.StopAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal("1", Assert.Single(await SummariesAsync(late)).Details["count"]);
        Assert.Single(await SummariesAsync(early));
    }

    private async Task<List<AuditEvent>> SummariesAsync(string source)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in fixture.Cloud.Services.GetRequiredService<AuditTrail>()
            .ReadChainAsync(AuthenticationMiddleware.UnauthenticatedUnit, TestContext.Current.CancellationToken))
        {
            if (e.Details.TryGetValue("source", out var s) && s == source)
            {
                events.Add(e);
            }
        }

        return events;
    }
}
