"use strict";
// The WORM gateway: blob immutability on one machine.
//
// Azurite answers 501 to Set/Delete Blob Immutability Policy and Set Blob Legal Hold and ignores the same settings
// on upload, so nothing would stop footage from being deleted. This gateway wraps Azurite's request listener inside
// Azurite's own process (no extra network hop: footage streams straight through), and:
//  - keeps policies (until-date, Unlocked/Locked) and legal holds per blob, in worm.json under --data when given;
//  - refuses what Azure refuses while a policy is unexpired or a hold is set: Delete Blob, overwriting the blob
//    (Put Blob, Put Block List, Copy), Set Blob Metadata, page and append writes, and deleting a container that
//    holds such a blob, with Azure's status, x-ms-error-code and XML error body;
//  - reports policies and holds on Get Blob, Get Blob Properties and List Blobs (include=immutabilitypolicy,legalhold);
//  - applies a policy and hold passed with an upload.
// Everything else reaches Azurite unchanged, which keeps checking shared-key and SAS signatures. Policies expire by
// the local cloud's clock, which the gateway asks the local host for (--clock-url) whenever an expiry matters.

const crypto = require("crypto");
const fs = require("fs");
const http = require("http");
const path = require("path");
const { generateBlobSASSignature } = require("azurite/dist/src/blob/authentication/IBlobSASSignatureValues");
const { BlobSASResourceType } = require("azurite/dist/src/blob/authentication/BlobSASResourceType");

const POLICY_UNTIL = "x-ms-immutability-policy-until-date";
const POLICY_MODE = "x-ms-immutability-policy-mode";
const LEGAL_HOLD = "x-ms-legal-hold";

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
  notFound: [404, "BlobNotFound", "The specified blob does not exist."],
  permission: [403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission."],
  batch: [501, "NotImplemented", "Blob batch requests are not served by the local WORM gateway, which cannot check each subrequest against immutability policies."]
};

function createGateway({ dataDir, clockUrl, accountKeys, log = () => {} }) {
  const file = dataDir ? path.join(dataDir, "worm.json") : null;
  const blobs = new Map(); // "account/container/blob" -> { until: ms | null, mode: "unlocked"|"locked"|null, hold: bool }
  if (file && fs.existsSync(file)) {
    for (const [key, value] of Object.entries(JSON.parse(fs.readFileSync(file, "utf8")))) blobs.set(key, value);
  }
  let port = null;

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

  function parseTarget(url) {
    const parsed = new URL(url, "http://local");
    const parts = parsed.pathname.split("/").slice(1);
    const account = decodeURIComponent(parts[0] || "");
    const container = parts[1] ? decodeURIComponent(parts[1]) : null;
    const blob = parts.length > 2 && parts.slice(2).join("/") ? decodeURIComponent(parts.slice(2).join("/")) : null;
    const query = {};
    for (const [k, v] of parsed.searchParams) query[k.toLowerCase()] = v;
    return { account, container, blob, query, pathname: parsed.pathname };
  }

  const key = (account, container, blob) => `${account}/${container}/${blob}`;

  // Refusals are answered after the request body has been read (and discarded), as a client sending a large block
  // would otherwise see its connection reset instead of the error.
  function sendError(req, res, error) {
    if (req.complete || req.readableEnded) return writeError(req, res, error);
    req.once("end", () => writeError(req, res, error));
    req.resume();
    return undefined;
  }

  function writeError(req, res, [status, code, message]) {
    const requestId = crypto.randomUUID();
    const body = `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}\nRequestId:${requestId}\nTime:${new Date().toISOString().replace("Z", "0000Z")}</Message></Error>`;
    standardHeaders(req, res, requestId);
    res.setHeader("x-ms-error-code", code);
    res.setHeader("content-type", "application/xml");
    res.setHeader("content-length", Buffer.byteLength(body));
    res.statusCode = status;
    res.end(body);
  }

  function sendOk(req, res, headers) {
    standardHeaders(req, res, crypto.randomUUID());
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader("content-length", 0);
    res.statusCode = 200;
    res.end();
  }

  function standardHeaders(req, res, requestId) {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.setHeader("x-ms-request-id", requestId);
    res.setHeader("x-ms-version", req.headers["x-ms-version"] || "2025-11-05");
    if (req.headers["x-ms-client-request-id"]) res.setHeader("x-ms-client-request-id", req.headers["x-ms-client-request-id"]);
    res.setHeader("date", new Date().toUTCString());
    res.setHeader("server", "Azurite-Blob (AvCloud WORM gateway)");
  }

  function parseProtectionHeaders(req, requirePolicy) {
    const untilText = req.headers[POLICY_UNTIL];
    const modeText = req.headers[POLICY_MODE];
    const holdText = req.headers[LEGAL_HOLD];
    const result = { until: null, mode: null, hold: null, error: null };
    if (!untilText) {
      if (requirePolicy) result.error = [400, "MissingRequiredHeader", `An HTTP header that's mandatory for this request is not specified.\nHeaderName:${POLICY_UNTIL}`];
    } else {
      const until = Date.parse(untilText);
      if (Number.isNaN(until)) result.error = invalidHeader(POLICY_UNTIL);
      else result.until = Math.floor(until / 1000) * 1000;
    }
    if (untilText) {
      const mode = (modeText || "unlocked").toLowerCase();
      if (mode !== "unlocked" && mode !== "locked") result.error = invalidHeader(POLICY_MODE);
      result.mode = mode;
    }
    if (holdText !== undefined) {
      if (!/^(true|false)$/i.test(holdText)) result.error = invalidHeader(LEGAL_HOLD);
      result.hold = holdText.toLowerCase() === "true";
    }
    return result;
  }

  function invalidHeader(name) {
    return [400, "InvalidHeaderValue", `The value for one of the HTTP headers is not in the correct format.\nHeaderName:${name}`];
  }

  function protectionHeaders(protection) {
    const headers = {};
    if (protection && protection.until !== null) {
      headers[POLICY_UNTIL] = new Date(protection.until).toUTCString();
      headers[POLICY_MODE] = protection.mode;
    }
    if (protection && protection.hold) headers[LEGAL_HOLD] = "true";
    return headers;
  }

  // Runs Azurite's handler for the request but keeps its answer: for the operations Azurite does not implement,
  // its 501 comes after it has checked the signature, so 501 means "authorised"; anything else is replayed.
  function capture(req, res, listener) {
    return new Promise(resolve => {
      const original = { writeHead: res.writeHead, write: res.write, end: res.end };
      const chunks = [];
      let status = null;
      res.writeHead = function writeHead(code, ...rest) {
        status = code;
        const headers = rest.find(r => r && typeof r === "object");
        if (headers) for (const [n, v] of Object.entries(headers)) res.setHeader(n, v);
        return res;
      };
      res.write = chunk => {
        if (chunk) chunks.push(Buffer.from(chunk));
        return true;
      };
      res.end = chunk => {
        if (chunk && typeof chunk !== "function") chunks.push(Buffer.from(chunk));
        Object.assign(res, original);
        resolve({ status: status || res.statusCode, body: Buffer.concat(chunks) });
        return res;
      };
      listener(req, res);
    });
  }

  function replay(res, captured) {
    res.statusCode = captured.status;
    res.setHeader("content-length", captured.body.length);
    res.end(captured.body);
  }

  // Azurite answers 501 without looking for the blob; Azure answers 404. The gateway asks Azurite, signed with the key.
  function blobExists(account, pathname) {
    return new Promise((resolve, reject) => {
      const date = new Date().toUTCString();
      const version = "2021-08-06";
      const stringToSign = `HEAD\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${date}\nx-ms-version:${version}\n/${account}${pathname}`;
      const key = accountKeys[account];
      if (!key) {
        resolve(false);
        return;
      }
      const signature = crypto.createHmac("sha256", Buffer.from(key, "base64")).update(stringToSign, "utf8").digest("base64");
      const request = http.request(
        { host: "127.0.0.1", port, method: "HEAD", path: pathname, headers: { "x-ms-date": date, "x-ms-version": version, authorization: `SharedKey ${account}:${signature}` } },
        response => {
          response.resume();
          resolve(response.statusCode === 200);
        }
      );
      request.on("error", reject);
      request.end();
    });
  }

  async function authorisedAndExisting(req, res, listener, target) {
    const captured = await capture(req, res, listener);
    if (captured.status !== 501) {
      // Azurite fails a SAS without the needed permission with a 500; Azure answers 403.
      if (captured.status === 500 && target.query.sig) sendError(req, res, ERRORS.permission);
      else replay(res, captured);
      return false;
    }
    if (!(await blobExists(target.account, target.pathname))) {
      sendError(req, res, ERRORS.notFound);
      return false;
    }
    return true;
  }

  async function setPolicy(req, res, listener, target, k) {
    const parsed = parseProtectionHeaders(req, true);
    if (parsed.error) return sendError(req, res, parsed.error);
    if (!(await authorisedAndExisting(req, res, listener, target))) return undefined;
    const current = blobs.get(k) || { until: null, mode: null, hold: false };
    const time = await now();
    if (parsed.until <= time) return sendError(req, res, ERRORS.pastDate);
    if (current.mode === "locked" && current.until !== null && current.until > time) {
      if (parsed.mode !== "locked") return sendError(req, res, ERRORS.unlockLocked);
      if (parsed.until < current.until) return sendError(req, res, ERRORS.shortenLocked);
    }
    setProtection(k, { ...current, until: parsed.until, mode: parsed.mode });
    return sendOk(req, res, { [POLICY_UNTIL]: new Date(parsed.until).toUTCString(), [POLICY_MODE]: parsed.mode });
  }

  async function deletePolicy(req, res, listener, target, k) {
    if (!(await authorisedAndExisting(req, res, listener, target))) return undefined;
    const current = blobs.get(k) || { until: null, mode: null, hold: false };
    if (current.mode === "locked" && current.until !== null && current.until > (await now())) {
      return sendError(req, res, ERRORS.deleteLocked);
    }
    setProtection(k, { ...current, until: null, mode: null });
    return sendOk(req, res, {});
  }

  async function setLegalHold(req, res, listener, target, k) {
    const text = req.headers[LEGAL_HOLD];
    if (text === undefined) {
      return sendError(req, res, [400, "MissingRequiredHeader", `An HTTP header that's mandatory for this request is not specified.\nHeaderName:${LEGAL_HOLD}`]);
    }
    if (!/^(true|false)$/i.test(text)) return sendError(req, res, invalidHeader(LEGAL_HOLD));
    if (!(await authorisedAndExisting(req, res, listener, target))) return undefined;
    const hold = text.toLowerCase() === "true";
    const current = blobs.get(k) || { until: null, mode: null, hold: false };
    setProtection(k, { ...current, hold });
    return sendOk(req, res, { [LEGAL_HOLD]: hold ? "true" : "false" });
  }

  // Put Blob, Put Block List and Copy replace the blob's content; an upload may carry a policy and a hold.
  async function overwrite(req, res, listener, k) {
    const refused = await refusal(blobs.get(k));
    if (refused) return sendError(req, res, refused);
    const parsed = parseProtectionHeaders(req, false);
    if (parsed.error) return sendError(req, res, parsed.error);
    if (parsed.until !== null && parsed.until <= (await now())) return sendError(req, res, ERRORS.pastDate);
    res.on("finish", () => {
      if (res.statusCode >= 200 && res.statusCode < 300) {
        setProtection(k, { until: parsed.until, mode: parsed.until === null ? null : parsed.mode, hold: parsed.hold === true });
      }
    });
    return listener(req, res);
  }

  // Adds the policy and hold to a successful Get Blob / Get Blob Properties, as Azure reports them.
  function withProtectionHeaders(res, protection) {
    const headers = protectionHeaders(protection);
    if (Object.keys(headers).length === 0) return;
    const writeHead = res.writeHead;
    res.writeHead = function patched(code, ...rest) {
      if (code >= 200 && code < 300) for (const [n, v] of Object.entries(headers)) res.setHeader(n, v);
      return writeHead.call(this, code, ...rest);
    };
  }

  // List Blobs with include=immutabilitypolicy and/or legalhold: Azurite accepts the values but reports nothing,
  // so the gateway adds the elements to each blob's <Properties>, as Azure does (and leaves them out when unset).
  async function list(req, res, listener, target, include) {
    const captured = await capture(req, res, listener);
    let body = captured.body.toString("utf8");
    if (captured.status === 200) {
      body = body.replace(/<Blob>([\s\S]*?)<\/Blob>/g, (whole, inner) => {
        const nameMatch = /<Name(?: Encoded="(true|false)")?>([\s\S]*?)<\/Name>/.exec(inner);
        if (!nameMatch) return whole;
        const name = nameMatch[1] === "true" ? decodeURIComponent(nameMatch[2]) : unescapeXml(nameMatch[2]);
        const protection = blobs.get(key(target.account, target.container, name));
        if (!protection) return whole;
        let added = "";
        if (include.has("immutabilitypolicy") && protection.until !== null) {
          added += `<ImmutabilityPolicyUntilDate>${new Date(protection.until).toUTCString()}</ImmutabilityPolicyUntilDate><ImmutabilityPolicyMode>${protection.mode}</ImmutabilityPolicyMode>`;
        }
        if (include.has("legalhold") && protection.hold) added += "<LegalHold>true</LegalHold>";
        return whole.replace("</Properties>", `${added}</Properties>`);
      });
    }
    res.statusCode = captured.status;
    res.removeHeader("transfer-encoding");
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
  }

  // Azure authorises before it looks at the blob: a SAS without the permission an operation needs is refused with 403
  // before any immutability refusal. (A SAS whose signature does not match is refused by Azurite itself.)
  function sasLacks(target, permission) {
    return target.query.sig !== undefined && !(target.query.sp || "").includes(permission);
  }

  // Azure lets a create-only SAS stage blocks and commit the block list of a blob that does not exist yet (added in
  // a recent service release for user-delegation SAS, the kind AvCloud issues in Azure); Azurite 3.37 asks for write.
  // The gateway checks the signature itself with the account key and, for a blob that does not exist, hands Azurite
  // the same SAS with write added and signed again. Anything else is left to Azurite: a forged signature is refused
  // there, an existing blob still needs write.
  async function createOnlyBlocks(req, target) {
    const q = target.query;
    const sp = q.sp || "";
    const accountKey = accountKeys[target.account];
    if (!q.sig || q.skoid || q.sr !== "b" || !sp.includes("c") || sp.includes("w") || !accountKey) return;
    const values = permissions => ({
      version: q.sv, protocol: q.spr, startTime: q.st, expiryTime: q.se, permissions, ipRange: q.sip, identifier: q.si,
      containerName: target.container, blobName: target.blob, encryptionScope: q.ses, signedResource: q.sr, snapshot: q.snapshot,
      cacheControl: q.rscc, contentDisposition: q.rscd, contentEncoding: q.rsce, contentLanguage: q.rscl, contentType: q.rsct,
    });
    const keyBytes = Buffer.from(accountKey, "base64");
    const [expected] = generateBlobSASSignature(values(sp), BlobSASResourceType.Blob, target.account, keyBytes);
    if (expected !== q.sig || (await blobExists(target.account, target.pathname))) return;
    const widened = sp.replace("c", "cw");
    const [signature] = generateBlobSASSignature(values(widened), BlobSASResourceType.Blob, target.account, keyBytes);
    const url = new URL(req.url, "http://local");
    for (const name of [...url.searchParams.keys()]) {
      if (name.toLowerCase() === "sp") url.searchParams.set(name, widened);
      if (name.toLowerCase() === "sig") url.searchParams.set(name, signature);
    }
    req.url = url.pathname + url.search;
  }

  async function handle(req, res, listener) {
    const target = parseTarget(req.url);
    const method = req.method;
    const comp = (target.query.comp || "").toLowerCase();
    if (!target.container) return listener(req, res);
    if (comp === "batch") return sendError(req, res, ERRORS.batch);

    if (!target.blob) {
      const isContainer = (target.query.restype || "").toLowerCase() === "container";
      if (isContainer && method === "DELETE") {
        const prefix = `${target.account}/${target.container}/`;
        for (const [k, protection] of blobs) {
          if (k.startsWith(prefix) && (await refusal(protection))) return sendError(req, res, ERRORS.container);
        }
        res.on("finish", () => {
          if (res.statusCode >= 200 && res.statusCode < 300) {
            for (const k of [...blobs.keys()]) if (k.startsWith(prefix)) blobs.delete(k);
            save();
          }
        });
        return listener(req, res);
      }
      if (isContainer && comp === "list") {
        const include = new Set((target.query.include || "").toLowerCase().split(",").map(s => s.trim()));
        if (include.has("immutabilitypolicy") || include.has("legalhold")) return list(req, res, listener, target, include);
      }
      return listener(req, res);
    }

    const k = key(target.account, target.container, target.blob);
    if (method === "PUT" && (comp === "block" || comp === "blocklist")) await createOnlyBlocks(req, target);
    const versionOrSnapshot = target.query.snapshot !== undefined || target.query.versionid !== undefined;
    if (comp === "immutabilitypolicies" && method === "PUT") return setPolicy(req, res, listener, target, k);
    if (comp === "immutabilitypolicies" && method === "DELETE") return deletePolicy(req, res, listener, target, k);
    if (comp === "legalhold" && method === "PUT") return setLegalHold(req, res, listener, target, k);
    if (versionOrSnapshot) return listener(req, res);
    if (method === "DELETE" && comp === "") {
      if (sasLacks(target, "d")) return sendError(req, res, ERRORS.permission);
      const refused = await refusal(blobs.get(k));
      if (refused) return sendError(req, res, refused);
      res.on("finish", () => {
        if (res.statusCode >= 200 && res.statusCode < 300 && blobs.delete(k)) save();
      });
      return listener(req, res);
    }
    if (method === "PUT" && (comp === "" || comp === "blocklist")) {
      if (blobs.has(k) && sasLacks(target, "w")) return sendError(req, res, ERRORS.permission);
      return overwrite(req, res, listener, k);
    }
    if (method === "PUT" && ["metadata", "page", "appendblock", "seal"].includes(comp)) {
      if (sasLacks(target, "w")) return sendError(req, res, ERRORS.permission);
      const refused = await refusal(blobs.get(k));
      if (refused) return sendError(req, res, refused);
      return listener(req, res);
    }
    if ((method === "GET" || method === "HEAD") && comp === "") withProtectionHeaders(res, blobs.get(k));
    return listener(req, res);
  }

  return {
    setPort(value) {
      port = value;
    },
    wrap(listener) {
      return (req, res) => {
        handle(req, res, listener).catch(err => {
          log(`gateway error: ${err.stack || err}`);
          if (!res.headersSent) sendError(req, res, [500, "InternalError", "The local WORM gateway failed; see its log."]);
        });
      };
    }
  };
}

function escapeXml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function unescapeXml(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

module.exports = { createGateway };
