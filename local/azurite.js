#!/usr/bin/env node
"use strict";
// Starts Azurite's blob service (the pinned npm package) in this process, with AvCloud's WORM gateway wrapped
// around its request handler (see worm/gateway.js), stopping when the local host that started it goes away.
// Usage: node azurite.js --parent-pid PID [--worm-data DIR] [--clock-url URL] [--no-gateway] <azurite-blob arguments>
// (--no-gateway runs Azurite as shipped: benchmarks compare the two.)
const http = require("http");
const { watchParent } = require("./parent-watch");
const { createGateway } = require("./worm/gateway");

// The local storage accounts: Azurite's published development account for footage, and a second account for the
// preservation copies (Art. 16), as Azure has two. The keys protect nothing and are the same on every machine.
const ACCOUNTS = {
  devstoreaccount1: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
  avcloudpreservation: "YXZjbG91ZC1sb2NhbC1wcmVzZXJ2YXRpb24tYWNjb3VudC1rZXktbm90LWEtc2VjcmV0LTAxMjM0NTY3ODlhYg=="
};
process.env.AZURITE_ACCOUNTS = Object.entries(ACCOUNTS).map(([name, key]) => `${name}:${key}`).join(";");

const argv = process.argv.slice(2);
function take(name) {
  const at = argv.indexOf(name);
  if (at < 0) return null;
  const [, value] = argv.splice(at, 2);
  return value;
}

const parentPid = take("--parent-pid");
const noGatewayAt = argv.indexOf("--no-gateway");
const withGateway = noGatewayAt < 0;
if (!withGateway) argv.splice(noGatewayAt, 1);
const gateway = createGateway({
  dataDir: take("--worm-data"),
  clockUrl: take("--clock-url"),
  accountKeys: ACCOUNTS,
  log: message => console.error(`[worm] ${message}`)
});
// The gateway sits in Azurite's own middleware, where Azurite has read the request (see worm/gateway.js). Only the
// create-only SAS adjustment runs before that, around Azurite's request handler (bound with server.on("request")).
if (withGateway) gateway.install();
const createServer = http.createServer;
if (withGateway) http.createServer = function createWrappedServer(...args) {
  const server = createServer.apply(this, args);
  const on = server.on;
  server.on = function onEvent(event, listener) {
    return on.call(this, event, event === "request" ? gateway.wrap(listener) : listener);
  };
  return server;
};

process.argv = [process.argv[0], require.resolve("azurite/dist/src/blob/main.js"), ...argv];
watchParent(parentPid, () => process.kill(process.pid, "SIGTERM"));
require("azurite/dist/src/blob/main.js");
