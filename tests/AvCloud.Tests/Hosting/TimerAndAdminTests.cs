using System.Net;

namespace AvCloud.Tests.Hosting;

public sealed class TimerAndAdminTests(LocalCloudFixture fixture)
{
    [Fact]
    public async Task A_timer_function_runs_on_demand_through_the_admin_api()
    {
        var before = fixture.Probes.Ticks.Count;

        using var response = await fixture.Admin.PostAsync("/admin/functions/TickProbe", content: null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before + 1, fixture.Probes.Ticks.Count);
        var tick = fixture.Probes.Ticks.Last();
        Assert.False(tick.IsPastDue);
        Assert.NotNull(tick.ScheduleStatus);
        Assert.True(tick.ScheduleStatus.Next > tick.ScheduleStatus.Last);
    }

    [Fact]
    public async Task Running_an_unknown_function_is_not_found()
    {
        using var response = await fixture.Admin.PostAsync("/admin/functions/NoSuchTimer", content: null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-master-key")]
    [InlineData("blobs_extension")]
    public async Task The_admin_api_without_the_master_key_is_unauthorized_and_runs_nothing(string? key)
    {
        var before = fixture.Probes.Ticks.Count;
        // The blobs_extension key opens the webhook, not the admin API, as in Azure.
        var given = key == "blobs_extension" ? fixture.Cloud.Keys.BlobsExtensionKey : key;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/functions/TickProbe");
        if (given is not null)
        {
            request.Headers.Add("x-functions-key", given);
        }

        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);
        using var byCode = await fixture.Http.PostAsync($"/admin/functions/TickProbe?code={Uri.EscapeDataString(given ?? "")}", content: null,
            TestContext.Current.CancellationToken);
        using var listing = await fixture.Http.GetAsync("/admin/functions", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byCode.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, listing.StatusCode);
        Assert.Equal(before, fixture.Probes.Ticks.Count);
    }

    [Fact]
    public async Task The_master_key_runs_a_function_from_the_header_or_the_code_parameter()
    {
        var before = fixture.Probes.Ticks.Count;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/functions/TickProbe");
        request.Headers.Add("x-functions-key", fixture.Cloud.Keys.Master);

        using var byHeader = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);
        using var byCode = await fixture.Http.PostAsync($"/admin/functions/TickProbe?code={Uri.EscapeDataString(fixture.Cloud.Keys.Master)}",
            content: null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, byHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, byCode.StatusCode);
        Assert.Equal(before + 2, fixture.Probes.Ticks.Count);
    }
}

public sealed class ClockTests(LocalCloudFixture fixture)
{
    [Fact]
    public async Task The_host_serves_its_clock_for_the_WORM_gateway()
    {
        using var response = await fixture.Http.GetAsync("/admin/clock", TestContext.Current.CancellationToken);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        var served = DateTimeOffset.Parse(body["now"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(served, DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(10));
    }

    [Fact]
    public void A_clock_offset_shifts_the_time_the_functions_see()
    {
        var shifted = new Local.ShiftedClock(TimeSpan.FromDays(400));

        Assert.InRange(shifted.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromDays(400) - TimeSpan.FromSeconds(5), TimeSpan.FromDays(400) + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Shifts_add_up_on_the_offset_the_clock_started_with()
    {
        var clock = new Local.ShiftedClock(TimeSpan.FromDays(1));

        clock.Shift(TimeSpan.FromDays(8));
        clock.Shift(TimeSpan.FromHours(-1));

        Assert.Equal(TimeSpan.FromDays(9) - TimeSpan.FromHours(1), clock.Offset);
        Assert.InRange(clock.GetUtcNow() - DateTimeOffset.UtcNow, clock.Offset - TimeSpan.FromSeconds(5), clock.Offset + TimeSpan.FromSeconds(5));
    }
}
