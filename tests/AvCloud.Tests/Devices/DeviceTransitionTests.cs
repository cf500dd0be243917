using AvCloud.Functions;
using AvCloud.Functions.Devices;

namespace AvCloud.Tests.Devices;

/// <summary>Art. 4: the device's rules on their own, no storage or host involved.</summary>
public sealed class DeviceTransitionTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static Device Camera(DeviceStatus status = DeviceStatus.InService) => new()
    {
        Id = "cam-1", UnitId = "unit-a", Kind = DeviceKind.BodyWornCamera, Serial = "SN-1", Model = "DSJ-V9", Status = status,
        RegisteredBy = "keeper-1", RegisteredAt = Morning.AddDays(-30),
    };

    private static DeviceCheckout To(string officer, DateTimeOffset at) => new(officer, at, "keeper-1", "charged");

    private static Refusal Refused<T>(Outcome<T> outcome, int status)
        where T : class
    {
        Assert.Null(outcome.Value);
        var refusal = Assert.IsType<Refusal>(outcome.Refusal);
        Assert.Equal(status, refusal.Status);
        Assert.False(string.IsNullOrWhiteSpace(refusal.Detail));
        Assert.False(string.IsNullOrWhiteSpace(refusal.Reason));
        return refusal;
    }

    [Fact]
    public void A_device_in_service_is_checked_out_to_one_officer()
    {
        var out1 = Camera().CheckOut(To("officer-zhang", Morning)).Value!;

        Assert.Equal("officer-zhang", out1.Holder!.OfficerId);
        Assert.Equal(Morning, out1.Holder.At);
        var twice = Refused(out1.CheckOut(To("officer-wang", Morning.AddHours(1))), 409);
        Assert.Contains("officer-zhang", twice.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeviceStatus.UnderRepair)]
    [InlineData(DeviceStatus.Retired)]
    public void Only_a_device_in_service_is_checked_out(DeviceStatus status) =>
        Refused(Camera(status).CheckOut(To("officer-zhang", Morning)), 409);

    [Fact]
    public void A_return_follows_a_checkout_and_not_before_it()
    {
        Refused(Camera().Return(Morning), 409);
        var held = Camera().CheckOut(To("officer-zhang", Morning)).Value!;
        Refused(held.Return(Morning.AddMinutes(-1)), 409);

        var back = held.Return(Morning.AddHours(9)).Value!;

        Assert.Null(back.Holder);
        Assert.Equal(Morning.AddHours(9), back.LastReturnedAt);
    }

    [Fact]
    public void A_return_of_a_named_checkout_ends_only_that_one()
    {
        var first = To("officer-zhang", Morning);
        var held = Camera().CheckOut(first).Value!;
        var again = held.Return(Morning.AddHours(1)).Value!.CheckOut(To("officer-wang", Morning.AddHours(2))).Value!;

        // A retry of the first return finds another checkout: it ends nothing.
        Refused(again.Return(Morning.AddHours(3), of: first), 409);
        Assert.Null(again.Return(Morning.AddHours(3), of: again.Holder).Value!.Holder);
    }

    [Fact]
    public void A_checkout_cannot_start_before_the_last_return()
    {
        var back = Camera().CheckOut(To("officer-zhang", Morning)).Value!.Return(Morning.AddHours(8)).Value!;

        Refused(back.CheckOut(To("officer-wang", Morning.AddHours(7))), 409);
        Assert.NotNull(back.CheckOut(To("officer-wang", Morning.AddHours(8))).Value);
    }

    [Fact]
    public void A_status_change_keeps_its_history_and_a_retired_device_stays_retired()
    {
        var repair = Camera().ChangeStatus(DeviceStatus.UnderRepair, "cracked lens", "keeper-1", Morning).Value!;
        var retired = repair.ChangeStatus(DeviceStatus.Retired, "beyond repair", "head-1", Morning.AddDays(1)).Value!;

        Assert.Equal(DeviceStatus.Retired, retired.Status);
        Assert.Equal([DeviceStatus.InService, DeviceStatus.UnderRepair], retired.StatusChanges.Select(c => c.From));
        Assert.Equal("beyond repair", retired.StatusChanges[^1].Reason);
        Refused(retired.ChangeStatus(DeviceStatus.InService, "found it", "head-1", Morning.AddDays(2)), 409);
    }

    [Fact]
    public void A_device_out_with_an_officer_is_not_sent_for_repair_or_retired()
    {
        var held = Camera().CheckOut(To("officer-zhang", Morning)).Value!;

        Refused(held.ChangeStatus(DeviceStatus.UnderRepair, "cracked", "keeper-1", Morning), 409);
        Refused(held.ChangeStatus(DeviceStatus.Retired, "old", "keeper-1", Morning), 409);
        Assert.Equal(DeviceStatus.InService, held.ChangeStatus(DeviceStatus.InService, "checked", "keeper-1", Morning).Value!.Status);
    }

    [Fact]
    public void The_ledger_line_of_a_use_names_the_checkout_and_the_return()
    {
        var checkout = To("officer-zhang", Morning);
        var use = DeviceUse.Of(Camera(), checkout, Morning.AddHours(9), "keeper-2", "scratched");

        Assert.Equal(DeviceUse.IdFor("cam-1", Morning), use.Id);
        Assert.Equal(("officer-zhang", "keeper-1", "charged", "keeper-2", "scratched"), (use.OfficerId, use.HandedOverBy, use.ConditionOut, use.ReceivedBy, use.ConditionIn));
    }
}
