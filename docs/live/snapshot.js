// Python's memory right after start-up, taken once when the page is built (node snapshot.js
// PYODIDE_DIR OUT): the page starts Python from it in about a second, where initialising the
// interpreter takes about 3 s on an idle 2-core machine and 8 s or more on a busy one. The files
// (the standard library, gradstep) live outside this memory and are added at every start.
"use strict";
const fs = require("fs");
const path = require("path");

async function main([dir, out]) {
  const { loadPyodide } = require(path.resolve(dir, "pyodide.js"));
  const pyodide = await loadPyodide({ indexURL: path.resolve(dir) + "/", _makeSnapshot: true });
  // what the page's support code imports, so that it is already in memory
  pyodide.runPython("import ast, builtins, importlib.abc, importlib.machinery, json, traceback, types");
  fs.writeFileSync(out, pyodide.makeMemorySnapshot());
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`snapshot.js: ${error.stack || error}`);
  process.exit(1);
});
