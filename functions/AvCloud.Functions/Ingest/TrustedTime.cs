using System.Globalization;

namespace AvCloud.Functions.Ingest;

/// <summary>How far a dock's claimed times may stray from AvCloud's own clock.</summary>
public sealed record ClockLimits(TimeSpan AheadOfReceipt, TimeSpan BeforeReceipt, TimeSpan MaxDrift);

/// <summary>
/// Arts. 7, 13 and 15: what a dock claims about time is checked against AvCloud's own receipt time (when the session
/// is opened) before anything is stored. The dock's clock at docking may be late (a station that was offline hands over
/// later) but never ahead of AvCloud's; the device's drift is corrected only while it is within the unit's limit
/// (a larger one is an Art. 7 failure, refused and reported, not silently corrected); a corrected recording can never
/// end after AvCloud received it. A recording the device dates before its checkout is kept, not refused: the ledger's
/// attribution flags it as made while the device was not checked out (Arts. 5, 18), and retention never depends on it
/// (<see cref="Retention.RetentionDates.RuleDate(DateTimeOffset, DateTimeOffset, Activities.ActivityKind?, Retention.UnitSettings, IReadOnlyList{string})"/>).
/// </summary>
public static class TrustedTime
{
    /// <summary>Every claim that fails, by field, with how far off it is; empty when the manifest's times can be trusted.</summary>
    public static Dictionary<string, string[]> Problems(UploadManifest manifest, DateTimeOffset receivedAt, ClockLimits limits)
    {
        var errors = new Dictionary<string, string[]>();
        if (manifest.DockedAt is not { } dockedAt || manifest.DeviceClockAtDocking is not { } deviceClock)
        {
            return errors;
        }

        if (dockedAt - receivedAt > limits.AheadOfReceipt)
        {
            errors["dockedAt"] = [$"dockedAt is {Span(dockedAt - receivedAt)} ahead of AvCloud's clock ({receivedAt:O}); the dock's clock must be set (at most {Span(limits.AheadOfReceipt)} ahead)."];
        }
        else if (receivedAt - dockedAt > limits.BeforeReceipt)
        {
            errors["dockedAt"] = [$"dockedAt is {Span(receivedAt - dockedAt)} before AvCloud received the manifest ({receivedAt:O}); at most {Span(limits.BeforeReceipt)} is accepted."];
        }

        var drift = dockedAt - deviceClock;
        if (drift.Duration() > limits.MaxDrift)
        {
            errors["deviceClockAtDocking"] = [$"The device's clock is {Span(drift.Duration())} {(drift > TimeSpan.Zero ? "behind" : "ahead of")} the dock's; "
                + $"more than the unit's limit of {Span(limits.MaxDrift)} is an Art. 7 fault to report and fix, not to correct silently."];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        for (var i = 0; i < (manifest.Files?.Count ?? 0); i++)
        {
            var file = manifest.Files![i];
            if (file?.RecordedEnd is { } end && end + drift - receivedAt > limits.AheadOfReceipt)
            {
                errors[string.Create(CultureInfo.InvariantCulture, $"files[{i}].recordedEnd")] =
                    [$"Corrected by the device's drift, the recording ends {Span(end + drift - receivedAt)} after AvCloud received it."];
            }
        }

        return errors;
    }

    private static string Span(TimeSpan span) =>
        span.TotalDays >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#} days")
        : span.TotalHours >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} hours")
        : span.TotalMinutes >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} minutes")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} seconds");
}
