using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AvCloud.Functions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Audit;

/// <summary>
/// The audit chain in Cosmos: appended through <see cref="AuditTrail"/>, tampered with directly through the Cosmos
/// SDK as an insider with database access could, and checked through <c>GET /api/audit/verify</c>.
/// </summary>
public sealed class AuditChainTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private AuditTrail Trail => fixture.Cloud.Services.GetRequiredService<AuditTrail>();

    private Container Audit => fixture.Cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Audit);

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private async Task AppendAsync(string unit, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Trail.AppendAsync(new AuditEntry(unit, "keeper-1", Roles.Keeper, AuditAction.FootageRead, $"footage/{i}", AuditOutcomes.Success,
                new Dictionary<string, string> { ["case"] = "2026-17" }), Cancel);
        }
    }

    private async Task<ChainReport> VerifyAsync(string unit)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/audit/verify", fixture.TokenFor(unit, Roles.Head));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ChainReport>(AvCloudJson.Options, Cancel))!;
    }

    private async Task<JsonObject> RawAsync(string unit, long sequence) =>
        JsonNode.Parse((await Audit.ReadItemAsync<JsonObject>(AuditEvent.IdFor(sequence), new PartitionKey(unit), cancellationToken: Cancel)).Resource.ToJsonString())!.AsObject();

    [Fact]
    public async Task An_untouched_chain_verifies_and_the_verification_is_itself_audited()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 5);

        var report = await VerifyAsync(unit);

        Assert.True(report.Intact);
        Assert.Equal(5, report.EventsChecked);
        var second = await VerifyAsync(unit);
        Assert.True(second.Intact);
        Assert.Equal(6, second.EventsChecked);
        var verified = await RawAsync(unit, 6);
        Assert.Equal(AuditAction.AuditVerified.Name, verified["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_edited_event_is_found()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 5);
        var third = await RawAsync(unit, 3);
        third["target"] = "footage/other";
        await Audit.ReplaceItemAsync(third, AuditEvent.IdFor(3), new PartitionKey(unit), cancellationToken: Cancel);

        var report = await VerifyAsync(unit);

        Assert.False(report.Intact);
        Assert.Equal(3, report.FirstBreak!.Sequence);
        Assert.Contains("changed", report.FirstBreak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_event_is_found()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 5);
        await Audit.DeleteItemAsync<JsonObject>(AuditEvent.IdFor(3), new PartitionKey(unit), cancellationToken: Cancel);

        var report = await VerifyAsync(unit);

        Assert.False(report.Intact);
        Assert.Equal(3, report.FirstBreak!.Sequence);
        Assert.Contains("missing", report.FirstBreak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_last_event_is_found_through_the_head()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 4);
        await Audit.DeleteItemAsync<JsonObject>(AuditEvent.IdFor(4), new PartitionKey(unit), cancellationToken: Cancel);

        var report = await VerifyAsync(unit);

        Assert.False(report.Intact);
        Assert.Equal(4, report.FirstBreak!.Sequence);
    }

    [Fact]
    public async Task A_reordered_pair_is_found()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 5);
        var third = await RawAsync(unit, 3);
        var fourth = await RawAsync(unit, 4);
        // Swap the two events' places in the chain, keeping each one's own content and hashes.
        third["sequence"] = 4;
        fourth["sequence"] = 3;
        third["id"] = AuditEvent.IdFor(4);
        fourth["id"] = AuditEvent.IdFor(3);
        await Audit.UpsertItemAsync(fourth, new PartitionKey(unit), cancellationToken: Cancel);
        await Audit.UpsertItemAsync(third, new PartitionKey(unit), cancellationToken: Cancel);

        var report = await VerifyAsync(unit);

        Assert.False(report.Intact);
        Assert.Equal(3, report.FirstBreak!.Sequence);
    }

    [Fact]
    public async Task Fifty_concurrent_writers_make_one_unbroken_chain()
    {
        var unit = NewUnit();

        var written = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => Task.Run(() => Trail.AppendAsync(
            new AuditEntry(unit, $"writer-{i}", Roles.Keeper, AuditAction.FootageRead, $"footage/{i}", AuditOutcomes.Success), Cancel))));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), written.Select(e => e.Sequence).Order());
        var report = await VerifyAsync(unit);
        Assert.True(report.Intact, report.FirstBreak?.Reason);
        Assert.Equal(50, report.EventsChecked);
        Assert.Equal(50, (await Trail.ReadHeadAsync(unit, Cancel))!.Sequence - 1);
    }

    [Fact]
    public async Task Batches_appended_beside_single_writers_keep_their_order_in_one_unbroken_chain()
    {
        var unit = NewUnit();
        AuditEntry Entry(string actor, string target) => new(unit, actor, Roles.Reviewer, AuditAction.ReadLinkIssued, target, AuditOutcomes.Success);

        var batches = Enumerable.Range(1, 5).Select(b => Task.Run(() => Trail.AppendAllAsync(
            [.. Enumerable.Range(1, 10).Select(i => Entry($"batch-{b}", $"footage/{b}-{i:D2}"))], Cancel))).ToList();
        var singles = Enumerable.Range(1, 20).Select(i => Task.Run(() => Trail.AppendAsync(Entry($"writer-{i}", $"footage/{i}"), Cancel))).ToList();
        var appended = await Task.WhenAll(batches);
        await Task.WhenAll(singles);

        foreach (var batch in appended)
        {
            Assert.Equal(batch.Select(e => e.Target).Order(StringComparer.Ordinal), batch.Select(e => e.Target));
            Assert.Equal(batch.Select(e => e.Sequence).Order(), batch.Select(e => e.Sequence));
        }

        Assert.Equal(Enumerable.Range(1, 70).Select(i => (long)i),
            appended.SelectMany(b => b.Select(e => e.Sequence)).Concat(singles.Select(s => s.Result.Sequence)).Order());
        var report = await VerifyAsync(unit);
        Assert.True(report.Intact, report.FirstBreak?.Reason);
        Assert.Equal(70, report.EventsChecked);
    }

    [Fact]
    public async Task A_batch_spanning_two_units_is_refused_and_writes_nothing()
    {
        var (first, second) = (NewUnit(), NewUnit());

        await Assert.ThrowsAsync<ArgumentException>(() => Trail.AppendAllAsync(
        [
            new AuditEntry(first, "keeper-1", Roles.Keeper, AuditAction.FootageRead, "footage/1", AuditOutcomes.Success),
            new AuditEntry(second, "keeper-1", Roles.Keeper, AuditAction.FootageRead, "footage/2", AuditOutcomes.Success),
        ], Cancel));

        Assert.Null(await Trail.ReadHeadAsync(first, Cancel));
        Assert.Null(await Trail.ReadHeadAsync(second, Cancel));
    }

    [Fact]
    public async Task Reading_the_trail_is_paged_filtered_newest_first_and_audited()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 7);
        var token = fixture.TokenFor(unit, Roles.Supervisor);

        using var first = await fixture.SendAsync(HttpMethod.Get, "/api/audit?action=footage.read&pageSize=3", token);
        var page = (await first.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!;
        Assert.Equal([7L, 6L, 5L], page.Items.Select(e => e.Sequence));
        Assert.NotNull(page.ContinuationToken);
        using var second = await fixture.SendAsync(HttpMethod.Get,
            $"/api/audit?action=footage.read&pageSize=3&continuationToken={Uri.EscapeDataString(page.ContinuationToken)}", token);
        var next = (await second.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!;
        Assert.Equal([4L, 3L, 2L], next.Items.Select(e => e.Sequence));

        using var byTarget = await fixture.SendAsync(HttpMethod.Get, "/api/audit?target=footage/2", token);
        Assert.Equal(2, Assert.Single((await byTarget.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items).Sequence);

        var reads = await fixture.SendAsync(HttpMethod.Get, $"/api/audit?action={AuditAction.AuditRead}", token);
        Assert.Equal(3, (await reads.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items.Count);
    }

    [Theory]
    [InlineData("?from=yesterday")]
    [InlineData("?pageSize=0")]
    [InlineData("?pageSize=1000")]
    [InlineData("?continuationToken=forged")]
    public async Task Bad_listing_parameters_are_a_400_problem(string query)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/audit{query}", fixture.TokenFor(NewUnit(), Roles.Supervisor));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
