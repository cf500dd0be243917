#!/usr/bin/env node
"use strict";
// Starts Azurite's blob service (the pinned npm package) in this process, stopping when the local host
// that started it goes away. Usage: node azurite.js --parent-pid PID <azurite-blob arguments>
const { watchParent } = require("./parent-watch");

const argv = process.argv.slice(2);
const at = argv.indexOf("--parent-pid");
let parentPid = null;
if (at >= 0) {
  parentPid = argv[at + 1];
  argv.splice(at, 2);
}
process.argv = [process.argv[0], require.resolve("azurite/dist/src/blob/main.js"), ...argv];
watchParent(parentPid, () => process.kill(process.pid, "SIGTERM"));
require("azurite/dist/src/blob/main.js");
