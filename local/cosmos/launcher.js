#!/usr/bin/env node
"use strict";
// AvCloud's Cosmos DB stand-in: the pinned @vercel/cosmosdb-server 1.0.1 data model and handlers, served by
// this launcher, which fixes what Microsoft.Azure.Cosmos (Gateway mode) needs and the package gets wrong:
//   query plans (x-ms-cosmos-is-query-plan-request), ORDER BY / TOP / aggregates / paging / cross-partition
//   queries, partition-scoped queries (x-ms-documentdb-partitionkey), OFFSET/LIMIT and DISTINCT,
//   404 for missing items, 409 for unique-key conflicts on upsert, 304 for If-None-Match, the incremental
//   change feed, TTL, offers (ReadThroughput), keep-alive, and snapshots of the data to --data DIR.
// Usage: node launcher.js --port N [--host 127.0.0.1] [--data DIR] [--parent-pid PID]

const http = require("http");
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { Readable } = require("stream");
const Account = require("@vercel/cosmosdb-server/lib/account").default;
const routes = require("@vercel/cosmosdb-server/lib/routes").default;
const compileQuery = require("@zeit/cosmosdb-query").default;
const { SyntaxError: QuerySyntaxError } = require("@zeit/cosmosdb-query");
const queryHelpers = require("@zeit/cosmosdb-query/lib/helpers");
const { watchParent } = require("../parent-watch");

const args = parseArgs(process.argv.slice(2));
const host = args.host || "127.0.0.1";
const port = Number(args.port || 8081);
const dataDir = args.data ? path.resolve(args.data) : null;
const snapshotFile = dataDir ? path.join(dataDir, "cosmos.json") : null;

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_THROUGHPUT = 400;

const account = new Account(host, port);
// The incremental change feed is ordered by a logical sequence number stamped on every write.
const state = { lsn: 0, offers: new Map() };

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i].startsWith("--")) {
      out[argv[i].slice(2)] = argv[i + 1];
      i += 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Model helpers

function databases() {
  return [...account.databases._data.values()].map(item => item);
}

function collectionsOf(database) {
  return [...database.collections._data.values()];
}

function documentsOf(collection) {
  return [...collection.documents._data.values()].map(item => item.read());
}

function partitionKeyPath(collection) {
  const definition = collection.read();
  const paths = (definition && definition.partitionKey && definition.partitionKey.paths) || [];
  const first = paths[0];
  if (!first || first === "/_partitionKey") return ["id"];
  return first.slice(1).split("/");
}

function valueAt(keys, obj) {
  let current = obj;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = current[key];
  }
  return current;
}

// The header carries a JSON array with one value; "[{}]" is PartitionKey.None (documents without the key).
function partitionKeyFromHeader(headers) {
  const raw = headers["x-ms-documentdb-partitionkey"];
  if (raw === undefined) return { present: false };
  const parsed = JSON.parse(Array.isArray(raw) ? raw[0] : raw);
  const value = Array.isArray(parsed) ? parsed[0] : parsed;
  if (value !== null && typeof value === "object" && Object.keys(value).length === 0) {
    return { present: true, none: true };
  }
  return { present: true, value };
}

function inPartition(collection, pk) {
  const keys = partitionKeyPath(collection);
  return doc => {
    const value = valueAt(keys, doc);
    if (pk.none) return value === undefined;
    return deepEqual(value, pk.value);
  };
}

function deepEqual(a, b) {
  return canonical(a) === canonical(b);
}

function canonical(value) {
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  return `{${Object.keys(value)
    .sort()
    .map(k => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(",")}}`;
}

// TTL: a container's defaultTtl turns expiry on (-1: on, no default); an item's ttl overrides it.
function isExpired(collection, doc, nowSeconds = Math.floor(Date.now() / 1000)) {
  const definition = collection.read();
  if (!definition || definition.defaultTtl === undefined || definition.defaultTtl === null) return false;
  const ttl = typeof doc.ttl === "number" ? doc.ttl : definition.defaultTtl;
  return ttl > 0 && doc._ts + ttl <= nowSeconds;
}

function liveDocuments(collection) {
  const now = Math.floor(Date.now() / 1000);
  return documentsOf(collection).filter(doc => !isExpired(collection, doc, now));
}

function sweepExpired() {
  const now = Math.floor(Date.now() / 1000);
  for (const database of databases()) {
    for (const collection of collectionsOf(database)) {
      const keys = partitionKeyPath(collection);
      for (const doc of documentsOf(collection)) {
        if (isExpired(collection, doc, now)) {
          collection.documents.delete(doc.id, valueAt(keys, doc));
          state.dirty = true;
        }
      }
    }
  }
}

function stamp(doc) {
  if (doc && typeof doc === "object" && doc.id !== undefined) {
    state.lsn += 1;
    // eslint-disable-next-line no-underscore-dangle
    doc._lsn = state.lsn;
    state.dirty = true;
  }
}

function notFound() {
  return {
    status: 404,
    body: { code: "NotFound", message: "Entity with the specified id does not exist in the system." }
  };
}

function badRequest(message) {
  return { status: 400, body: { code: "BadRequest", message } };
}

// ---------------------------------------------------------------------------------------------------------
// Documents

function documentOf(collection, id, pkValue) {
  const doc = collection.document(id, pkValue).read();
  if (!doc || doc.id !== id || isExpired(collection, doc)) return undefined;
  return doc;
}

function readDocument(ctx, collection, docId) {
  const pk = partitionKeyFromHeader(ctx.headers);
  const doc = documentOf(collection, docId, pk.present && !pk.none ? pk.value : docId);
  if (!doc || (pk.present && !inPartition(collection, pk)(doc))) return notFound();
  const ifNoneMatch = ctx.headers["if-none-match"];
  // eslint-disable-next-line no-underscore-dangle
  if (ifNoneMatch && (ifNoneMatch === doc._etag || ifNoneMatch === "*")) {
    return { status: 304, body: null, headers: { etag: doc._etag } };
  }
  return { status: 200, body: doc };
}

// Cosmos refuses a document whose partition key differs from the one the request names.
function partitionMismatch(ctx, collection, body) {
  const pk = partitionKeyFromHeader(ctx.headers);
  if (!pk.present || !body || typeof body !== "object") return null;
  if (inPartition(collection, pk)(body)) return null;
  return badRequest("PartitionKey extracted from document doesn't match the one specified in the header.");
}

function upsertDocument(ctx, collection) {
  const body = JSON.parse(ctx.body.toString() || "null");
  if (!body || typeof body !== "object" || typeof body.id !== "string") return badRequest("missing id");
  const mismatch = partitionMismatch(ctx, collection, body);
  if (mismatch) return mismatch;
  const existing = documentOf(collection, body.id, valueAt(partitionKeyPath(collection), body));
  const ifMatch = ctx.headers["if-match"];
  // eslint-disable-next-line no-underscore-dangle
  if (ifMatch && existing && ifMatch !== existing._etag) {
    return {
      status: 412,
      body: { code: "PreconditionFailed", message: "Operation cannot be performed because one of the specified precondition is not met." }
    };
  }
  try {
    const saved = collection.documents.upsert(body);
    stamp(saved);
    return { status: existing ? 200 : 201, body: saved };
  } catch (err) {
    if (err.conflict) return { status: 409, body: { code: "Conflict", message: err.message } };
    if (err.badRequest) return badRequest(err.message);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Queries
//
// The stand-in keeps every container in one physical partition, so the query plan handed to the SDK asks
// for a plain pass-through and the launcher evaluates the whole query (ORDER BY, TOP, aggregates, DISTINCT,
// OFFSET/LIMIT) over the partition-filtered data, then pages the result with its own continuation token.

function queryPlan() {
  return {
    partitionedQueryExecutionInfoVersion: 2,
    queryInfo: {
      distinctType: "None",
      top: null,
      offset: null,
      limit: null,
      orderBy: [],
      orderByExpressions: [],
      groupByExpressions: [],
      groupByAliases: [],
      aggregates: [],
      groupByAliasToAggregateType: {},
      rewrittenQuery: "",
      hasSelectValue: false,
      dCountInfo: null,
      hasNonStreamingOrderBy: false
    },
    queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }]
  };
}

const DISTINCT = /^(\s*SELECT\s+)DISTINCT\s+/i;
const OFFSET_LIMIT = /\s+OFFSET\s+(@\w+|\d+)\s+LIMIT\s+(@\w+|\d+)\s*$/i;

function literalOrParameter(token, parameters) {
  if (/^\d+$/.test(token)) return Number(token);
  const found = (parameters || []).find(p => p.name === token);
  if (!found || !Number.isInteger(found.value) || found.value < 0) {
    throw Object.assign(new Error(`OFFSET/LIMIT needs a non-negative integer, got ${token}`), { badRequest: true });
  }
  return found.value;
}

function prepareQuery(text, parameters) {
  let sql = text;
  let distinct = false;
  let window = null;
  if (DISTINCT.test(sql)) {
    distinct = true;
    sql = sql.replace(DISTINCT, "$1");
  }
  const offsetLimit = OFFSET_LIMIT.exec(sql);
  if (offsetLimit) {
    window = {
      offset: literalOrParameter(offsetLimit[1], parameters),
      limit: literalOrParameter(offsetLimit[2], parameters)
    };
    sql = sql.slice(0, offsetLimit.index);
  }
  return { sql, distinct, window };
}

// @zeit/cosmosdb-query 0.7.2 builds the FROM set with reduce((acc, c) => [...acc, { c }], []): quadratic, so a query
// over 100,000 documents takes over a minute (10,000: 0.1 s). The same set built in one pass gives the same result.
const QUADRATIC_FROM = /\$c\.reduce\(\(\$, (\w+)\) => typeof \1 !== "undefined" \? \[\.\.\.\$, \{\s*\1: \1\s*\}\] : \$, \[\]\)/g;

function linearise(query) {
  // eslint-disable-next-line no-underscore-dangle
  query._code = query.code.replace(QUADRATIC_FROM, (match, alias) => `$c.filter((${alias}) => typeof ${alias} !== "undefined").map((${alias}) => ({ ${alias}: ${alias} }))`);
  return query;
}

// The same package strips `undefined` from every query's whole result with reduce((o, v) => [...o, v], []): quadratic
// again, so an ordered listing of one unit of 20,000 documents took over 2 s and one of 100,000 did not answer in
// minutes. The same result built in one pass (arrays lose their `undefined` items, objects their `undefined` fields).
function stripUndefined(value) {
  if (Array.isArray(value)) {
    const kept = [];
    for (const item of value) if (typeof item !== "undefined") kept.push(stripUndefined(item));
    return kept;
  }
  if (value && typeof value === "object") {
    const kept = {};
    for (const [key, item] of Object.entries(value)) if (typeof item !== "undefined") kept[key] = stripUndefined(item);
    return kept;
  }
  return value;
}
queryHelpers.stripUndefined = stripUndefined;

const compiled = new Map();
function compile(sql) {
  let query = compiled.get(sql);
  if (!query) {
    query = linearise(compileQuery(sql));
    compiled.set(sql, query);
    if (compiled.size > 500) compiled.delete(compiled.keys().next().value);
  }
  return query;
}

function udfsOf(collection) {
  return collection.userDefinedFunctions.functions || null;
}

function compositeIndexesOf(collection) {
  const definition = collection.read();
  return (definition.indexingPolicy && definition.indexingPolicy.compositeIndexes) || [];
}

function pageOf(results, ctx) {
  const requested = Number.parseInt(ctx.headers["x-ms-max-item-count"] || "-1", 10);
  const size = requested > 0 ? requested : DEFAULT_PAGE_SIZE;
  let start = 0;
  const token = ctx.headers["x-ms-continuation"];
  if (token) {
    try {
      start = JSON.parse(token).offset || 0;
    } catch (err) {
      return { error: badRequest("Invalid continuation token.") };
    }
  }
  const page = results.slice(start, start + size);
  const next = start + size < results.length ? JSON.stringify({ offset: start + size }) : null;
  return { page, next };
}

function runQuery(ctx, collection) {
  if (String(ctx.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() === "true") {
    return { status: 200, body: queryPlan() };
  }
  const request = JSON.parse(ctx.body.toString() || "{}");
  if (!request.query) return badRequest("missing query");
  let results;
  try {
    const { sql, distinct, window } = prepareQuery(request.query, request.parameters);
    let docs = liveDocuments(collection);
    const pk = partitionKeyFromHeader(ctx.headers);
    if (pk.present) docs = docs.filter(inPartition(collection, pk));
    results = compile(sql).exec(docs, {
      parameters: request.parameters,
      udf: udfsOf(collection),
      compositeIndexes: compositeIndexesOf(collection)
    }).result;
    if (distinct) {
      const seen = new Set();
      results = results.filter(item => {
        const key = canonical(item);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    if (window) results = results.slice(window.offset, window.offset + window.limit);
  } catch (err) {
    if (err instanceof QuerySyntaxError || err.badRequest) return badRequest(err.message);
    throw err;
  }
  const { page, next, error } = pageOf(results, ctx);
  if (error) return error;
  const headers = { "x-ms-item-count": String(page.length) };
  if (next) headers["x-ms-continuation"] = next;
  // eslint-disable-next-line no-underscore-dangle
  return { status: 200, body: { _rid: collection.read()._rid, Documents: page, _count: page.length }, headers };
}

// ---------------------------------------------------------------------------------------------------------
// Change feed (latest-version mode): documents whose last write is after the continuation, oldest first.
// The continuation is the ETag the previous page returned; "*" means "from now".

function unquote(value) {
  return value && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

// Headers real change-feed pages carry; the SDK parses some of them (an LSN among them) on every page.
function changeFeedHeaders(etag, count) {
  return {
    etag,
    "x-ms-item-count": String(count),
    lsn: String(state.lsn),
    "x-ms-global-committed-lsn": String(state.lsn),
    "x-ms-documentdb-partitionkeyrangeid": "0"
  };
}

function readChangeFeed(ctx, collection) {
  const ifNoneMatch = unquote(ctx.headers["if-none-match"]);
  const current = String(state.lsn);
  if (ifNoneMatch === "*") {
    return { status: 304, body: null, headers: changeFeedHeaders(`"${current}"`, 0) };
  }
  const since = ifNoneMatch ? Number(ifNoneMatch) : 0;
  if (Number.isNaN(since)) return badRequest("Invalid change feed continuation.");
  let docs = liveDocuments(collection).filter(doc => (doc._lsn || 0) > since);
  const modifiedSince = ctx.headers["if-modified-since"];
  if (modifiedSince) {
    const seconds = Math.floor(Date.parse(modifiedSince) / 1000);
    docs = docs.filter(doc => doc._ts >= seconds);
  }
  const pk = partitionKeyFromHeader(ctx.headers);
  if (pk.present) docs = docs.filter(inPartition(collection, pk));
  docs.sort((a, b) => a._lsn - b._lsn);
  const requested = Number.parseInt(ctx.headers["x-ms-max-item-count"] || "-1", 10);
  const page = docs.slice(0, requested > 0 ? requested : DEFAULT_PAGE_SIZE);
  if (page.length === 0) {
    return { status: 304, body: null, headers: changeFeedHeaders(`"${ifNoneMatch || current}"`, 0) };
  }
  const etag = `"${page[page.length - 1]._lsn}"`;
  return {
    status: 200,
    // eslint-disable-next-line no-underscore-dangle
    body: { _rid: collection.read()._rid, Documents: page, _count: page.length },
    headers: changeFeedHeaders(etag, page.length)
  };
}

// ---------------------------------------------------------------------------------------------------------
// Offers: ReadThroughputAsync queries /offers by the container's resource id.

function offerFor(collection) {
  // eslint-disable-next-line no-underscore-dangle
  const rid = collection.read()._rid;
  let offer = state.offers.get(rid);
  if (!offer) {
    offer = createOffer(collection, DEFAULT_THROUGHPUT);
  }
  return offer;
}

function createOffer(collection, throughput) {
  const definition = collection.read();
  // eslint-disable-next-line no-underscore-dangle
  const rid = definition._rid;
  const id = crypto.createHash("sha256").update(rid).digest("hex").slice(0, 4);
  const offer = {
    id,
    _rid: id,
    _self: `offers/${id}/`,
    _etag: `"${crypto.randomUUID()}"`,
    _ts: Math.floor(Date.now() / 1000),
    offerVersion: "V2",
    offerType: "Invalid",
    // eslint-disable-next-line no-underscore-dangle
    resource: definition._self,
    offerResourceId: rid,
    content: { offerThroughput: throughput, offerIsRUPerMinuteThroughputEnabled: false }
  };
  state.offers.set(rid, offer);
  state.dirty = true;
  return offer;
}

function allCollections() {
  return databases().flatMap(db => collectionsOf(db));
}

function queryOffers(ctx) {
  const request = JSON.parse(ctx.body.toString() || "{}");
  const offers = allCollections().map(offerFor);
  let results = offers;
  if (request.query) {
    results = compile(request.query).exec(offers, { parameters: request.parameters }).result;
  }
  return { status: 200, body: { _rid: "", Offers: results, _count: results.length } };
}

function findOffer(offerId) {
  allCollections().forEach(offerFor);
  return [...state.offers.values()].find(offer => offer.id === offerId);
}

function replaceOffer(ctx, offerId) {
  const existing = findOffer(offerId);
  if (!existing) return notFound();
  const body = JSON.parse(ctx.body.toString() || "{}");
  const throughput = body.content && body.content.offerThroughput;
  if (!Number.isInteger(throughput) || throughput < 400) return badRequest("offerThroughput must be at least 400.");
  existing.content = { ...existing.content, offerThroughput: throughput };
  existing._etag = `"${crypto.randomUUID()}"`;
  state.dirty = true;
  return { status: 200, body: existing };
}

// ---------------------------------------------------------------------------------------------------------
// Request dispatch

const DOC = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs\/([^/]+)$/;
const DOCS = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs$/;
const COLLS = /^\/dbs\/([^/]+)\/colls$/;
const OFFER = /^\/offers\/([^/]+)$/;

function isTrue(value) {
  return String(value).toLowerCase() === "true";
}

function collectionAt(dbId, collId) {
  const collection = account.database(dbId).collection(collId);
  return collection.read() ? collection : null;
}

// Returns a response for requests the launcher answers itself, or null to hand the request to the package.
function answer(ctx) {
  const { method, pathname, headers } = ctx;
  let m;
  if (method === "GET" && pathname === "/") {
    const meta = account.read();
    const endpoint = `http://${host}:${port}/`;
    return {
      status: 200,
      body: {
        ...meta,
        writableLocations: meta.writableLocations.map(l => ({ ...l, databaseAccountEndpoint: endpoint })),
        readableLocations: meta.readableLocations.map(l => ({ ...l, databaseAccountEndpoint: endpoint }))
      }
    };
  }
  if (pathname === "/offers" && method === "POST") return queryOffers(ctx);
  if (pathname === "/offers" && method === "GET") return queryOffers({ ...ctx, body: Buffer.from("{}") });
  if ((m = OFFER.exec(pathname))) {
    if (method === "GET") {
      const offer = findOffer(decodeURIComponent(m[1]));
      return offer ? { status: 200, body: offer } : notFound();
    }
    if (method === "PUT") return replaceOffer(ctx, decodeURIComponent(m[1]));
  }
  if ((m = DOC.exec(pathname))) {
    const collection = collectionAt(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    if (!collection) return notFound();
    const docId = decodeURIComponent(m[3]);
    if (method === "GET") return readDocument(ctx, collection, docId);
    return null;
  }
  if ((m = DOCS.exec(pathname))) {
    const collection = collectionAt(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    if (!collection) return notFound();
    const isQuery = method === "POST" && (isTrue(headers["x-ms-documentdb-isquery"]) || headers["content-type"] === "application/query+json");
    if (isQuery) return runQuery(ctx, collection);
    if (method === "GET" && headers["a-im"]) return readChangeFeed(ctx, collection);
    if (method === "POST" && isTrue(headers["x-ms-documentdb-is-upsert"])) return upsertDocument(ctx, collection);
    if (method === "POST" && !isTrue(headers["x-ms-cosmos-is-batch-request"])) {
      const body = JSON.parse(ctx.body.toString() || "null");
      return partitionMismatch(ctx, collection, body);
    }
  }
  return null;
}

// After the package handled a request: stamp writes for the change feed, keep offers for new containers.
function afterPackage(ctx, status, body) {
  if (status >= 300 || !body) return;
  let m;
  if ((DOCS.test(ctx.pathname) && ctx.method === "POST") || (DOC.test(ctx.pathname) && (ctx.method === "PUT" || ctx.method === "PATCH"))) {
    stamp(body);
  } else if (DOC.test(ctx.pathname) && ctx.method === "DELETE") {
    state.dirty = true;
  } else if ((m = COLLS.exec(ctx.pathname)) && ctx.method === "POST") {
    const collection = collectionAt(decodeURIComponent(m[1]), body.id);
    const requested = Number.parseInt(ctx.headers["x-ms-offer-throughput"] || "", 10);
    if (collection) createOffer(collection, Number.isInteger(requested) ? requested : DEFAULT_THROUGHPUT);
  } else if (ctx.method !== "GET") {
    state.dirty = true;
  }
}

async function delegate(ctx, res) {
  const req = Readable.from(ctx.body.length ? [ctx.body] : []);
  Object.assign(req, { headers: ctx.headers, method: ctx.method, url: ctx.url });
  const route = routes(req);
  if (!route) return { status: 400, body: { code: "BadRequest", message: "no route" } };
  const [params, handler] = route;
  // The package's handlers throw (a 500) where Cosmos answers 404 for a missing database or container.
  if (params.dbId && !account.database(params.dbId).read() && !(ctx.method === "POST" && ctx.pathname === "/dbs")) {
    return notFound();
  }
  if (params.collId && !collectionAt(params.dbId, params.collId)) return notFound();
  res.statusCode = 200;
  let body = await handler(account, req, res, params);
  const status = res.statusCode;
  afterPackage(ctx, status, body);
  if (status >= 400 && body && !body.message) body = { ...body, message: "" };
  const headers = {};
  // The partition key range cache reads /pkranges as a change feed: one page, then "not modified".
  if (ctx.headers["a-im"] && status === 200) {
    headers.etag = '"1"';
    if (ctx.headers["if-none-match"]) return { status: 304, body: null, headers };
  }
  return { status, body, headers };
}

function send(res, ctx, result) {
  const { status, body, headers = {} } = result;
  res.statusCode = status;
  if (body && body._etag && !headers.etag) res.setHeader("etag", body._etag);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("content-type", "application/json");
  res.setHeader("x-ms-activity-id", crypto.randomUUID());
  res.setHeader("x-ms-request-charge", "1");
  res.setHeader("x-ms-gatewayversion", "2.0.0");
  if (status === 204 || status === 304 || body === null || body === undefined) {
    res.end();
  } else {
    res.end(JSON.stringify(body));
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", chunk => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function normalisePath(url) {
  let { pathname } = new URL(url, "http://localhost");
  if (pathname.startsWith("//")) pathname = pathname.slice(1);
  while (pathname.length > 1 && pathname.endsWith("/")) pathname = pathname.slice(0, -1);
  return pathname;
}

async function handle(req, res) {
  const body = await readBody(req);
  const ctx = { method: req.method, url: req.url, pathname: normalisePath(req.url), headers: req.headers, body };
  let result;
  try {
    result = answer(ctx) || (await delegate(ctx, res));
  } catch (err) {
    if (err instanceof SyntaxError) {
      result = badRequest("The request body is not valid JSON.");
    } else {
      console.error(err);
      result = { status: 500, body: { code: "InternalServerError", message: "The stand-in failed; see its log." } };
    }
  }
  send(res, ctx, result);
}

// ---------------------------------------------------------------------------------------------------------
// Snapshots: --data DIR keeps every database, container, document and offer across restarts.

function snapshot() {
  return {
    version: 1,
    lsn: state.lsn,
    offers: [...state.offers.values()],
    databaseCount: account.databases._ridCount,
    databases: databases().map(db => ({
      data: db.read(),
      collectionCount: db.collections._ridCount,
      collections: collectionsOf(db).map(coll => ({
        data: coll.read(),
        documentCount: coll.documents._ridCount,
        documents: documentsOf(coll)
      }))
    }))
  };
}

function restore(saved) {
  state.lsn = saved.lsn || 0;
  for (const offer of saved.offers || []) state.offers.set(offer.offerResourceId, offer);
  account.databases._ridCount = saved.databaseCount || 0;
  for (const db of saved.databases || []) {
    account.databases._set(db.data);
    const database = account.database(db.data.id);
    database.collections._ridCount = db.collectionCount || 0;
    for (const coll of db.collections || []) {
      database.collections._set(coll.data);
      const collection = database.collection(coll.data.id);
      collection.documents._ridCount = coll.documentCount || 0;
      for (const doc of coll.documents || []) collection.documents._set(doc);
    }
  }
}

function saveSnapshot() {
  if (!snapshotFile || !state.dirty) return;
  fs.mkdirSync(dataDir, { recursive: true });
  const temporary = `${snapshotFile}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(snapshot()));
  fs.renameSync(temporary, snapshotFile);
  state.dirty = false;
}

if (snapshotFile && fs.existsSync(snapshotFile)) {
  restore(JSON.parse(fs.readFileSync(snapshotFile, "utf8")));
}

// ---------------------------------------------------------------------------------------------------------

const server = http.createServer((req, res) => {
  handle(req, res).catch(err => {
    console.error(err);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
// Keep connections open longer than the SDK's pooled-connection idle time, so it never reuses a closed one.
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  try {
    saveSnapshot();
  } finally {
    server.close();
    process.exit(0);
  }
}

process.on("SIGINT", stop);
process.on("SIGTERM", stop);
watchParent(args["parent-pid"], stop);
setInterval(sweepExpired, 1000).unref();
setInterval(saveSnapshot, 30000).unref();

server.listen(port, host, () => {
  console.log(`cosmos stand-in listening on http://${host}:${server.address().port}/`);
});
