"use strict";
// The WORM gateway: blob immutability on one machine.
//
// Azurite answers 501 to Set/Delete Blob Immutability Policy and Set Blob Legal Hold and ignores the same settings
// on upload, so nothing would stop footage from being deleted. The gateway runs inside Azurite's process and decides
// on Azurite's own reading of each request: it sits in Azurite's handler middleware, which runs after Azurite has
// resolved the account (path- or host-style, "-secondary" alias stripped), container and blob, dispatched the request
// to an operation (method override header, query keys, required headers and all), checked the signature and
// deserialized the parameters (snapshot, versionid, policy and hold headers). The same middleware runs for every
// sub-request of a blob batch, at the service and the container level, so each sub-request is judged on its own.
// A second parser beside Azurite's would read some phrasing differently, and each difference would be a way to
// delete footage; there is none here. On that reading the gateway:
//  - keeps policies (until-date, Unlocked/Locked) and legal holds per blob, in worm.json under --data when given;
//  - refuses what Azure refuses while a policy is unexpired or a hold is set (see RULES), with Azure's status,
//    x-ms-error-code and XML error body;
//  - refuses, with 501, any operation it has not classified when it touches a protected blob or its container;
//  - reports policies and holds on Get Blob, Get Blob Properties and List Blobs (include=immutabilitypolicy,legalhold);
//  - applies a policy and hold passed with an upload.
// Policies expire by the local cloud's clock, which the gateway asks the local host for (--clock-url).

const fs = require("fs");
const path = require("path");
const { generateBlobSASSignature } = require("azurite/dist/src/blob/authentication/IBlobSASSignatureValues");
const { BlobSASResourceType } = require("azurite/dist/src/blob/authentication/BlobSASResourceType");
const HandlerMiddlewareFactory = require("azurite/dist/src/blob/generated/middleware/HandlerMiddlewareFactory").default;
const BlobRequestListenerFactory = require("azurite/dist/src/blob/BlobRequestListenerFactory").default;
const Operation = require("azurite/dist/src/blob/generated/artifacts/operation").default;
const BlobStorageContext = require("azurite/dist/src/blob/context/BlobStorageContext").default;
const StorageError = require("azurite/dist/src/blob/errors/StorageError").default;
const { BLOB_API_VERSION } = require("azurite/dist/src/blob/utils/constants");
const blobSasPermissions = require("azurite/dist/src/blob/authentication/OperationBlobSASPermission");
const accountSasPermissions = require("azurite/dist/src/blob/authentication/OperationAccountSASPermission");
const { AccountSASService } = require("azurite/dist/src/common/authentication/AccountSASServices");
const { AccountSASResourceType } = require("azurite/dist/src/common/authentication/AccountSASResourceTypes");

// Codes and messages from Azure's recorded sessions and the Blob service error reference.
const ERRORS = {
  policy: [409, "BlobImmutableDueToPolicy", "This operation is not permitted as the blob is immutable due to a policy."],
  legalHold: [409, "BlobImmutableDueToLegalHold", "This operation is not permitted as the blob is immutable due to one or more legal holds."],
  pastDate: [400, "InvalidExpiryTime", "The expiry time specified is in the past."],
  deleteLocked: [409, "ImmutabilityPolicyDeleteOnLockedPolicy", "This operation is not permitted as the immutability policy is locked."],
  // Azure documents that a Locked policy can only be extended; no recorded session shows the code for a shorter
  // date or a switch back to Unlocked, and the blob stays immutable due to its policy, so that is the answer.
  shortenLocked: [409, "BlobImmutableDueToPolicy", "This operation is not permitted as the blob is immutable due to a locked policy, which can only be extended."],
  unlockLocked: [409, "BlobImmutableDueToPolicy", "This operation is not permitted as the blob is immutable due to a locked policy, which cannot be unlocked."],
  container: [409, "ContainerImmutableStorageWithVersioningEnabled", "The requested operation is not allowed as the container has a immutable storage with versioning enabled."],
  missingUntil: [400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.", { HeaderName: "x-ms-immutability-policy-until-date" }],
  // "Mutable" is in the policy-mode enum but is no mode a policy can be set to. Azure's answer to it is not on record:
  // the SDK refuses it before sending (its SetImmutibilityPolicyAsync_Mutable session holds no request), so this
  // answer, Azure's usual one for a header value it does not take, is the gateway's own. Nothing is set or written.
  mutableMode: [400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.", { HeaderName: "x-ms-immutability-policy-mode", HeaderValue: "Mutable" }],
  // Azurite keeps snapshots but the gateway keeps policies on current blobs only; a policy on a snapshot would be a
  // promise it does not keep, so it is refused rather than pretended.
  snapshotPolicy: [501, "NotImplemented", "The local WORM gateway keeps immutability policies and legal holds on current blobs only, not on snapshots."],
  unclassified: [501, "NotImplemented", "The local WORM gateway has not classified this operation and refuses it on an immutable blob or its container."],
};

// What each of Azurite's operations does to a blob that may be protected, read off Azurite's operation table.
//  free: does not change the blob's data, metadata, properties or existence (reads, tags, leases, tier, staging
//        uncommitted blocks, snapshots of it); runs as Azurite runs it. A batch runs: its sub-requests are judged
//        one by one by the same middleware.
//  read: as free, and the answer reports the policy and hold.
//  list: as free, and each listed blob reports its policy and hold when asked to.
//  write: refused while protected (Azure: BlobImmutableDueToPolicy / BlobImmutableDueToLegalHold).
//  replace: a write that replaces the blob's content; on success the upload's own policy and hold apply.
//  delete: Delete Blob; refused while protected unless Azurite resolved it to one snapshot (non-empty snapshot).
//  deleteContainer: refused while any blob in the container is protected.
//  setPolicy, deletePolicy, setLegalHold: served by the gateway (Azurite has no implementation).
// An operation that is not listed is refused (501) whenever it touches a protected blob or its container.
const RULES = {
  Service_SetProperties: "free", Service_GetProperties: "free", Service_GetStatistics: "free",
  Service_ListContainersSegment: "free", Service_GetUserDelegationKey: "free", Service_GetAccountInfo: "free",
  Service_GetAccountInfoWithHead: "free", Service_SubmitBatch: "free", Service_FilterBlobs: "free",
  Container_Create: "free", Container_GetProperties: "free", Container_GetPropertiesWithHead: "free",
  Container_Delete: "deleteContainer", Container_SetMetadata: "free", Container_GetAccessPolicy: "free",
  Container_SetAccessPolicy: "free", Container_Restore: "free", Container_SubmitBatch: "free", Container_FilterBlobs: "free",
  Container_AcquireLease: "free", Container_ReleaseLease: "free", Container_RenewLease: "free", Container_BreakLease: "free",
  Container_ChangeLease: "free", Container_ListBlobFlatSegment: "list", Container_ListBlobHierarchySegment: "list",
  Container_GetAccountInfo: "free", Container_GetAccountInfoWithHead: "free",
  Blob_Download: "read", Blob_GetProperties: "read", Blob_Delete: "delete",
  Blob_SetExpiry: "write", Blob_SetHTTPHeaders: "write", Blob_SetMetadata: "write",
  Blob_SetImmutabilityPolicy: "setPolicy", Blob_DeleteImmutabilityPolicy: "deletePolicy", Blob_SetLegalHold: "setLegalHold",
  Blob_AcquireLease: "free", Blob_ReleaseLease: "free", Blob_RenewLease: "free", Blob_ChangeLease: "free", Blob_BreakLease: "free",
  Blob_CreateSnapshot: "free", Blob_StartCopyFromURL: "replace", Blob_CopyFromURL: "replace", Blob_AbortCopyFromURL: "free",
  Blob_SetTier: "free", Blob_GetAccountInfo: "free", Blob_GetAccountInfoWithHead: "free", Blob_Query: "free",
  Blob_GetTags: "free", Blob_SetTags: "free",
  PageBlob_Create: "replace", PageBlob_UploadPages: "write", PageBlob_ClearPages: "write", PageBlob_UploadPagesFromURL: "write",
  PageBlob_GetPageRanges: "free", PageBlob_GetPageRangesDiff: "free", PageBlob_Resize: "write",
  PageBlob_UpdateSequenceNumber: "write", PageBlob_CopyIncremental: "replace",
  AppendBlob_Create: "replace", AppendBlob_AppendBlock: "write", AppendBlob_AppendBlockFromUrl: "write", AppendBlob_Seal: "write",
  BlockBlob_Upload: "replace", BlockBlob_PutBlobFromUrl: "replace", BlockBlob_StageBlock: "free",
  BlockBlob_StageBlockFromURL: "free", BlockBlob_CommitBlockList: "replace", BlockBlob_GetBlockList: "free",
};

function createGateway({ dataDir, clockUrl, accountKeys, log = () => {} }) {
  const file = dataDir ? path.join(dataDir, "worm.json") : null;
  const blobs = new Map(); // "account/container/blob" -> { until: ms | null, mode: "unlocked"|"locked"|null, hold: bool }
  if (file && fs.existsSync(file)) {
    for (const [key, value] of Object.entries(JSON.parse(fs.readFileSync(file, "utf8")))) blobs.set(key, value);
  }

  function save() {
    if (!file) return;
    fs.mkdirSync(dataDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(Object.fromEntries(blobs)));
    fs.renameSync(temporary, file);
  }

  function setProtection(key, protection) {
    if (!protection || (protection.until === null && !protection.hold)) blobs.delete(key);
    else blobs.set(key, protection);
    save();
  }

  // The local cloud's clock. Unknown time (the host unreachable) counts as "not expired": a WORM store fails closed.
  async function now() {
    if (!clockUrl) return Date.now();
    try {
      const response = await fetch(clockUrl);
      const body = await response.json();
      return Date.parse(body.now);
    } catch (err) {
      log(`clock unavailable (${err.message}); treating policies as unexpired`);
      return -Infinity;
    }
  }

  // Why a write to the blob's data or metadata is refused, or null. Asks the clock only when a policy exists.
  async function refusal(protection) {
    if (!protection) return null;
    if (protection.hold) return ERRORS.legalHold;
    if (protection.until !== null && protection.until > (await now())) return ERRORS.policy;
    return null;
  }

  const key = (account, container, blob) => `${account}/${container}/${blob}`;

  async function protectedUnder(prefix) {
    for (const [k, protection] of blobs) {
      if (k.startsWith(prefix) && (await refusal(protection))) return true;
    }
    return false;
  }

  // A refusal goes through Azurite's own error middleware (status, x-ms-error-code, XML body). The request body is
  // read (and discarded) first: a client sending a large block would otherwise see its connection reset, not the error.
  async function refuse(context, next, [status, code, message, details]) {
    const body = context.request && typeof context.request.getBodyStream === "function" ? context.request.getBodyStream() : null;
    if (body && typeof body.resume === "function" && !body.complete && !body.readableEnded) {
      await new Promise(resolve => {
        body.once("end", resolve);
        body.once("error", resolve);
        body.once("close", resolve);
        body.resume();
      });
    }
    next(new StorageError(status, code, message, context.contextId, details));
  }

  function answer(context, next, options, fields) {
    context.handlerResponses = {
      statusCode: 200,
      requestId: context.contextId,
      version: BLOB_API_VERSION,
      date: context.startTime,
      clientRequestId: options.requestId,
      ...fields,
    };
    next();
  }

  // Azure answers 404 BlobNotFound for a missing blob and 412 for a failed If-Unmodified-Since; Azurite's own Get
  // Blob Properties makes both decisions with the request's own conditions, on its own reading of the name.
  async function existing(context, handlers, options) {
    await handlers.blobHandler.getProperties({ modifiedAccessConditions: options.modifiedAccessConditions }, context);
  }

  async function setPolicy(context, handlers, next, k, options) {
    if (options.immutabilityPolicyExpiry === undefined) return refuse(context, next, ERRORS.missingUntil);
    const mode = (options.immutabilityPolicyMode || "Unlocked").toLowerCase();
    if (mode === "mutable") return refuse(context, next, ERRORS.mutableMode);
    await existing(context, handlers, options);
    const until = Math.floor(options.immutabilityPolicyExpiry.getTime() / 1000) * 1000;
    const current = blobs.get(k) || { until: null, mode: null, hold: false };
    const time = await now();
    if (until <= time) return refuse(context, next, ERRORS.pastDate);
    if (current.mode === "locked" && current.until !== null && current.until > time) {
      if (mode !== "locked") return refuse(context, next, ERRORS.unlockLocked);
      if (until < current.until) return refuse(context, next, ERRORS.shortenLocked);
    }
    setProtection(k, { ...current, until, mode });
    return answer(context, next, options, { immutabilityPolicyExpiry: new Date(until), immutabilityPolicyMode: mode });
  }

  async function deletePolicy(context, handlers, next, k, options) {
    await existing(context, handlers, options);
    const current = blobs.get(k) || { until: null, mode: null, hold: false };
    if (current.mode === "locked" && current.until !== null && current.until > (await now())) {
      return refuse(context, next, ERRORS.deleteLocked);
    }
    setProtection(k, { ...current, until: null, mode: null });
    return answer(context, next, options, {});
  }

  async function setLegalHold(context, handlers, next, k, hold, options) {
    await existing(context, handlers, options);
    const current = blobs.get(k) || { until: null, mode: null, hold: false };
    setProtection(k, { ...current, hold: hold === true });
    return answer(context, next, options, { legalHold: hold === true });
  }

  function protectionFields(protection) {
    const fields = {};
    if (!protection) return fields;
    if (protection.until !== null) {
      fields.immutabilityPolicyExpiresOn = new Date(protection.until);
      fields.immutabilityPolicyMode = protection.mode;
    }
    if (protection.hold) fields.legalHold = true;
    return fields;
  }

  // Runs Azurite's handler, then `after` on its answer when it succeeded.
  function run(context, handle, next, after) {
    handle(context, err => {
      if (err) return next(err);
      try {
        if (after) after(context.handlerResponses);
      } catch (e) {
        return next(e);
      }
      return next();
    });
  }

  // Everything below operates on Azurite's context: the operation it dispatched to, the account, container and blob
  // it resolved, and the parameters it deserialized.
  async function guard(context, handlers, handle, next) {
    const rule = RULES[Operation[context.operation]];
    const storage = new BlobStorageContext(context);
    const { account, container, blob } = storage;
    const parameters = context.handlerParameters || {};
    const options = parameters.options || {};
    const k = key(account, container, blob);
    const onBlob = Boolean(container) && Boolean(blob);
    const snapshot = typeof options.snapshot === "string" && options.snapshot !== "";

    switch (rule) {
      case "free":
        return run(context, handle, next);
      case "read":
        return run(context, handle, next, response => {
          if (!snapshot && response) Object.assign(response, protectionFields(blobs.get(k)));
        });
      case "list": {
        const include = new Set((options.include || []).map(value => String(value).toLowerCase()));
        return run(context, handle, next, response => {
          const items = response && response.segment && response.segment.blobItems;
          if (!items) return;
          for (const item of items) {
            if (item.snapshot) continue;
            const protection = blobs.get(key(account, container, item.name));
            if (!protection) continue;
            const fields = protectionFields(protection);
            if (!include.has("immutabilitypolicy")) {
              delete fields.immutabilityPolicyExpiresOn;
              delete fields.immutabilityPolicyMode;
            }
            if (!include.has("legalhold")) delete fields.legalHold;
            item.properties = { ...item.properties, ...fields };
          }
        });
      }
      case "write": {
        const refused = onBlob ? await refusal(blobs.get(k)) : null;
        if (refused) return refuse(context, next, refused);
        return run(context, handle, next);
      }
      case "replace": {
        const refused = onBlob ? await refusal(blobs.get(k)) : null;
        if (refused) return refuse(context, next, refused);
        const until = options.immutabilityPolicyExpiry ? Math.floor(options.immutabilityPolicyExpiry.getTime() / 1000) * 1000 : null;
        const mode = until === null ? null : (options.immutabilityPolicyMode || "Unlocked").toLowerCase();
        if (mode === "mutable") return refuse(context, next, ERRORS.mutableMode);
        if (until !== null && until <= (await now())) return refuse(context, next, ERRORS.pastDate);
        return run(context, handle, next, () => setProtection(k, { until, mode, hold: options.legalHold === true }));
      }
      case "delete": {
        // Azurite deletes the snapshot a non-empty snapshot parameter names (404 if there is none) and the current
        // blob otherwise, whatever versionid says: it keeps no versions.
        if (snapshot) return run(context, handle, next);
        const refused = await refusal(blobs.get(k));
        if (refused) return refuse(context, next, refused);
        return run(context, handle, next, () => {
          if (blobs.delete(k)) save();
        });
      }
      case "deleteContainer": {
        const prefix = `${account}/${container}/`;
        if (await protectedUnder(prefix)) return refuse(context, next, ERRORS.container);
        return run(context, handle, next, () => {
          for (const k2 of [...blobs.keys()]) if (k2.startsWith(prefix)) blobs.delete(k2);
          save();
        });
      }
      case "setPolicy":
      case "deletePolicy":
      case "setLegalHold":
        if (snapshot) return refuse(context, next, ERRORS.snapshotPolicy);
        if (rule === "setPolicy") return setPolicy(context, handlers, next, k, options);
        if (rule === "deletePolicy") return deletePolicy(context, handlers, next, k, options);
        return setLegalHold(context, handlers, next, k, parameters.legalHold, options);
      default: {
        const scope = onBlob ? `${k}` : container ? `${account}/${container}/` : `${account}/`;
        const touches = onBlob ? Boolean(await refusal(blobs.get(k))) : await protectedUnder(scope);
        if (touches) return refuse(context, next, ERRORS.unclassified);
        return run(context, handle, next);
      }
    }
  }

  // Azure lets a create-only SAS stage blocks and commit the block list of a blob that does not exist yet (added in
  // a recent service release for user-delegation SAS, the kind AvCloud issues in Azure); Azurite 3.37 asks for write.
  // This is the one decision taken before Azurite reads the request, since it concerns authorisation: the gateway
  // checks the signature itself with the account key and, for a blob that does not exist, hands Azurite the same SAS
  // with write added and signed again. If Azurite reads the request differently, its own signature check fails
  // (the widened signature names the blob the gateway saw); and whatever it then dispatches to still meets the guard.
  async function createOnlyBlocks(req, blobExists) {
    const parsed = new URL(req.url, "http://local");
    const q = {};
    for (const [k, v] of parsed.searchParams) q[k.toLowerCase()] = v;
    const parts = parsed.pathname.split("/").slice(1);
    if (req.method !== "PUT" || parts.length < 3) return;
    const comp = (q.comp || "").toLowerCase();
    if (comp !== "block" && comp !== "blocklist") return;
    const account = decodeURIComponent(parts[0]);
    const container = decodeURIComponent(parts[1]);
    const blob = decodeURIComponent(parts.slice(2).join("/"));
    const sp = q.sp || "";
    const accountKey = accountKeys[account];
    if (!q.sig || q.skoid || q.sr !== "b" || !sp.includes("c") || sp.includes("w") || !accountKey || !blob) return;
    const values = permissions => ({
      version: q.sv, protocol: q.spr, startTime: q.st, expiryTime: q.se, permissions, ipRange: q.sip, identifier: q.si,
      containerName: container, blobName: blob, encryptionScope: q.ses, signedResource: q.sr, snapshot: q.snapshot,
      cacheControl: q.rscc, contentDisposition: q.rscd, contentEncoding: q.rsce, contentLanguage: q.rscl, contentType: q.rsct,
    });
    const keyBytes = Buffer.from(accountKey, "base64");
    const [expected] = generateBlobSASSignature(values(sp), BlobSASResourceType.Blob, account, keyBytes);
    if (expected !== q.sig || (await blobExists(account, container, blob))) return;
    const widened = sp.replace("c", "cw");
    const [signature] = generateBlobSASSignature(values(widened), BlobSASResourceType.Blob, account, keyBytes);
    for (const name of [...parsed.searchParams.keys()]) {
      if (name.toLowerCase() === "sp") parsed.searchParams.set(name, widened);
      if (name.toLowerCase() === "sig") parsed.searchParams.set(name, signature);
    }
    req.url = parsed.pathname + parsed.search;
  }

  let metadataStore = null;

  return {
    // Puts the guard into Azurite's handler middleware (top-level requests and batch sub-requests alike) and gives
    // the immutability operations the SAS permission Azure asks for ("i"); Azurite has none for them and fails such
    // a SAS with a 500.
    install() {
      const createRequestListener = BlobRequestListenerFactory.prototype.createRequestListener;
      BlobRequestListenerFactory.prototype.createRequestListener = function createRequestListenerWithStore(...args) {
        metadataStore = this.metadataStore;
        return createRequestListener.apply(this, args);
      };
      const original = HandlerMiddlewareFactory.prototype.createHandlerMiddleware;
      HandlerMiddlewareFactory.prototype.createHandlerMiddleware = function createGuardedHandlerMiddleware() {
        const handle = original.call(this);
        const handlers = this.handlers;
        return (context, next) => {
          guard(context, handlers, handle, next).catch(err => {
            if (!(err instanceof StorageError)) log(`gateway error: ${err.stack || err}`);
            next(err);
          });
        };
      };
      for (const operation of ["Blob_SetImmutabilityPolicy", "Blob_DeleteImmutabilityPolicy", "Blob_SetLegalHold"]) {
        const id = Operation[operation];
        blobSasPermissions.OPERATION_BLOB_SAS_BLOB_PERMISSIONS.set(id, new blobSasPermissions.OperationBlobSASPermission("i"));
        blobSasPermissions.OPERATION_BLOB_SAS_CONTAINER_PERMISSIONS.set(id, new blobSasPermissions.OperationBlobSASPermission("i"));
        accountSasPermissions.default.set(id, new accountSasPermissions.OperationAccountSASPermission(AccountSASService.Blob, AccountSASResourceType.Object, "i"));
      }
    },
    wrap(listener) {
      const blobExists = async (account, container, blob) => {
        if (!metadataStore) return true;
        try {
          await metadataStore.getBlobProperties({ contextId: "worm-gateway" }, account, container, blob);
          return true;
        } catch (err) {
          return err.statusCode !== 404;
        }
      };
      return (req, res) => {
        createOnlyBlocks(req, blobExists).then(() => listener(req, res), err => {
          log(`gateway error: ${err.stack || err}`);
          listener(req, res);
        });
      };
    },
  };
}

module.exports = { createGateway, RULES };
