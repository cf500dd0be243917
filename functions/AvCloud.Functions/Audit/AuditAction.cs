namespace AvCloud.Functions.Audit;

/// <summary>
/// Every action the audit trail records, in one catalogue. Writers name an action from here (there is no other way to
/// make one), and every reader (the compliance report, the custody view, tests) finds events by the same value, so a
/// renamed action cannot leave a reader looking for the old text.
/// </summary>
public sealed class AuditAction
{
    private static readonly List<AuditAction> Catalogue = [];

    private AuditAction(string name)
    {
        Name = name;
        Catalogue.Add(this);
    }

    /// <summary>As stored in the audit event and hashed into the chain.</summary>
    public string Name { get; }

    /// <summary>The catalogued action called <paramref name="name"/> (as a pending event stores it).</summary>
    public static AuditAction Named(string name) =>
        Catalogue.FirstOrDefault(a => a.Name == name) ?? throw new ArgumentException($"No audit action is called {name}.", nameof(name));

    // Identity.
    public static AuditAction AuthenticationFailed { get; } = new("authentication.failed");

    public static AuditAction AuthorizationDenied { get; } = new("authorization.denied");

    // The trail itself.
    public static AuditAction AuditRead { get; } = new("audit.read");

    public static AuditAction AuditVerified { get; } = new("audit.verify");

    // Ingest (Arts. 13, 18).
    public static AuditAction UploadOpened { get; } = new("upload.opened");

    public static AuditAction UploadMissing { get; } = new("upload.missing");

    public static AuditAction FootageCatalogued { get; } = new("footage.catalogued");

    public static AuditAction FootageDuplicate { get; } = new("footage.duplicate");

    public static AuditAction FootageQuarantined { get; } = new("footage.quarantined");

    // Reading footage (Art. 18: every view is recorded).
    public static AuditAction FootageListed { get; } = new("footage.list");

    public static AuditAction FootageRead { get; } = new("footage.read");

    public static AuditAction CustodyRead { get; } = new("footage.custody");

    // Changing what is known about footage.
    public static AuditAction FootageClassified { get; } = new("footage.classified");

    public static AuditAction FootageCategorised { get; } = new("footage.categorised");

    public static AuditAction FootageLinked { get; } = new("footage.linked");

    /// <summary>Art. 5: a keeper unlinked a recording (with a reason), or the rule's link no longer fits the activity.</summary>
    public static AuditAction FootageUnlinked { get; } = new("footage.unlinked");

    /// <summary>Art. 5: the rule found two or more activities for a recording; it waits for a keeper's decision.</summary>
    public static AuditAction FootageLinkUndecided { get; } = new("footage.link-undecided");

    // Holds (Art. 16).
    public static AuditAction HoldPlaced { get; } = new("hold.placed");

    public static AuditAction HoldReleased { get; } = new("hold.released");

    public static AuditAction PreservationCorrected { get; } = new("preservation.corrected");

    /// <summary>Storage holds more than the record asks for (a legal hold no record hold asks for): reported for the head, never released by the app.</summary>
    public static AuditAction PreservationDiscrepancy { get; } = new("preservation.discrepancy");

    /// <summary>The head released a legal hold storage kept but no record hold asked for.</summary>
    public static AuditAction StorageHoldReleased { get; } = new("hold.storage-released");

    // Retention and disposal (Art. 15).
    public static AuditAction RetentionRecomputed { get; } = new("retention.recomputed");

    public static AuditAction DisposalsListed { get; } = new("disposal.list");

    public static AuditAction DisposalPending { get; } = new("disposal.pending");

    public static AuditAction DisposalApproved { get; } = new("disposal.approved");

    public static AuditAction DisposalExtended { get; } = new("disposal.extended");

    public static AuditAction DisposalCancelled { get; } = new("disposal.cancelled");

    public static AuditAction DisposalBlocked { get; } = new("disposal.blocked");

    public static AuditAction FootagePurged { get; } = new("footage.purged");

    public static AuditAction PurgeRefused { get; } = new("footage.purge-refused");

    // Integrity (Art. 18).
    public static AuditAction IntegrityMismatch { get; } = new("integrity.mismatch");

    // Access (调阅).
    public static AuditAction AccessRequested { get; } = new("access.requested");

    public static AuditAction AccessApproved { get; } = new("access.approved");

    public static AuditAction AccessRejected { get; } = new("access.rejected");

    public static AuditAction AccessRevoked { get; } = new("access.revoked");

    /// <summary>One read link issued (or refused) for one recording.</summary>
    public static AuditAction ReadLinkIssued { get; } = new("access.link");

    /// <summary>One recording put into an evidence package (before any byte of it is sent): who took a copy, under which request.</summary>
    public static AuditAction FootagePackaged { get; } = new("access.packaged");

    /// <summary>An evidence package sent (or refused) under a request: the package's own SHA-256, size and file count.</summary>
    public static AuditAction PackageSent { get; } = new("access.package");

    /// <summary>The requester opened one recording of a view request: who, from where, and the minutes-long link handed out (or the refusal).</summary>
    public static AuditAction FootageViewed { get; } = new("access.view");

    // External shares (prosecutor, court, a party's lawyer).
    public static AuditAction ShareCreated { get; } = new("share.created");

    public static AuditAction ShareApproved { get; } = new("share.approved");

    public static AuditAction ShareRevoked { get; } = new("share.revoked");

    /// <summary>The recipient opened the share (the list of what is shared), or was refused.</summary>
    public static AuditAction ShareOpened { get; } = new("share.opened");

    /// <summary>The recipient played one shared recording (a link valid for minutes), or was refused.</summary>
    public static AuditAction SharePlayed { get; } = new("share.played");

    /// <summary>A wrong passcode was given for a share.</summary>
    public static AuditAction SharePasscodeWrong { get; } = new("share.passcode-wrong");

    /// <summary>Too many wrong passcodes: the share is locked for a while, whatever passcode is given.</summary>
    public static AuditAction ShareLocked { get; } = new("share.locked");

    /// <summary>The recipient of a package-mode share downloaded the evidence package: each recording before its bytes are sent.</summary>
    public static AuditAction ShareDownloaded { get; } = new("share.downloaded");

    // Devices and the ledger (Art. 4).
    public static AuditAction DeviceRegistered { get; } = new("device.registered");

    public static AuditAction DeviceStatusChanged { get; } = new("device.status");

    public static AuditAction DeviceCheckedOut { get; } = new("device.checkout");

    public static AuditAction DeviceReturned { get; } = new("device.return");

    public static AuditAction DeviceLedgerRead { get; } = new("device.ledger");

    // Activities and work records (Arts. 6, 8, 12).
    public static AuditAction ActivityCreated { get; } = new("activity.created");

    /// <summary>A keeper changed an activity's span or officers (with a reason); its recordings are linked again by the rule.</summary>
    public static AuditAction ActivityChanged { get; } = new("activity.changed");

    // Cases (案件): activities grouped, and holds on a whole case (Art. 16).
    public static AuditAction CaseCreated { get; } = new("case.created");

    public static AuditAction CaseRead { get; } = new("case.read");

    public static AuditAction CaseActivityAdded { get; } = new("case.activity-added");

    public static AuditAction CaseActivityRemoved { get; } = new("case.activity-removed");

    public static AuditAction CaseHoldPlaced { get; } = new("case.hold-placed");

    public static AuditAction CaseHoldReleased { get; } = new("case.hold-released");

    public static AuditAction WorkRecordSubmitted { get; } = new("workrecord.submitted");

    public static AuditAction WorkRecordApproved { get; } = new("workrecord.approved");

    public static AuditAction WorkRecordRejected { get; } = new("workrecord.rejected");

    // Reports and reviews (Art. 17).
    public static AuditAction ComplianceReportRead { get; } = new("report.compliance");

    public static AuditAction ReviewCreated { get; } = new("review.created");

    public static AuditAction ReviewScored { get; } = new("review.scored");

    // The unit's rules.
    public static AuditAction UnitSettingsChanged { get; } = new("unit.settings");

    // Article by article (Arts. 3 to 18): what the keeper, the supervisors and the head enter for the obligations the
    // compliance report checks.

    /// <summary>Art. 3: an officer added to the unit's roster.</summary>
    public static AuditAction OfficerRegistered { get; } = new("officer.registered");

    /// <summary>Art. 3: an officer's name, status or issued device kinds changed.</summary>
    public static AuditAction OfficerChanged { get; } = new("officer.changed");

    /// <summary>Art. 4: a fault, repair or inspection in a device's maintenance log.</summary>
    public static AuditAction DeviceMaintained { get; } = new("device.maintenance");

    /// <summary>Art. 5: the keeper settled a recording flagged as unrelated to work (explained, linked, referred).</summary>
    public static AuditAction FlagResolved { get; } = new("footage.flag-resolved");

    /// <summary>Arts. 8 to 11: what an activity's recording showed (opening statement, notice, parties and evidence, photographs).</summary>
    public static AuditAction ActivityConductRecorded { get; } = new("activity.conduct");

    /// <summary>Art. 13: an activity away from the unit, and when its officers returned.</summary>
    public static AuditAction ActivityReturnRecorded { get; } = new("activity.return");

    /// <summary>Art. 13: a recording's handover deadline moved with its activity's return.</summary>
    public static AuditAction HandoverDeadlineMoved { get; } = new("footage.handover-deadline");

    /// <summary>Art. 17: a review completed (every sampled recording scored).</summary>
    public static AuditAction ReviewCompleted { get; } = new("review.completed");

    /// <summary>Art. 18: a misconduct case opened about someone.</summary>
    public static AuditAction MisconductCaseOpened { get; } = new("misconduct.opened");

    /// <summary>Art. 18: a misconduct case closed with its finding and outcome.</summary>
    public static AuditAction MisconductCaseClosed { get; } = new("misconduct.closed");

    public override string ToString() => Name;
}
