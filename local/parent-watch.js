"use strict";
// The local host starts the emulators as child processes; if the host dies without stopping them
// (killed, crashed), each child notices its parent is gone and stops itself, so nothing is left running.

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

function watchParent(parentPid, onGone) {
  const pid = Number(parentPid);
  if (!pid) return;
  const timer = setInterval(() => {
    if (!alive(pid) || process.ppid !== pid) {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}

module.exports = { watchParent };
