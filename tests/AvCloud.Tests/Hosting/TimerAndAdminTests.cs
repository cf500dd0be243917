using System.Net;

namespace AvCloud.Tests.Hosting;

public sealed class TimerAndAdminTests(LocalCloudFixture fixture)
{
    [Fact]
    public async Task A_timer_function_runs_on_demand_through_the_admin_api()
    {
        var before = fixture.Probes.Ticks.Count;

        using var response = await fixture.Http.PostAsync("/admin/functions/TickProbe", content: null, TestContext.Current.CancellationToken);

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
        using var response = await fixture.Http.PostAsync("/admin/functions/NoSuchTimer", content: null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
