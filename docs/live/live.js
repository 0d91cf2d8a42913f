/* gradstep live: Python (pyodide, CPython compiled to WebAssembly) running gradstep in this page.

   Python runs in a Web Worker, so its output streams while it runs and a runaway loop is stopped
   by ending the worker and starting a new one. A page opened as a file may not fetch() anything
   but may load scripts, so every binary arrives inside a script (see pack.py) and is handed to
   the worker, which is made from a blob URL and serves pyodide's own fetch() calls from memory:
   nothing is requested from any other machine.

   On the live page (an element #gs-live) it builds an editor, Run/Stop and an output view; on a
   notebook page of the documentation site it offers to run the notebook's cells live. */
(function () {
  "use strict";
  const BASE = new URL(".", document.currentScript.src).href; // the folder of live.js
  const packed = {}; // file name -> gzipped base64 text, filled by the asset scripts
  self.gradstepAsset = (name, text) => { packed[name] = text; };

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}: build the live page with "make live"`));
      document.head.appendChild(s);
    });
  }

  let manifestLoaded = null;
  function manifest() {
    manifestLoaded = manifestLoaded || loadScript(BASE + "manifest.js").then(() => self.gradstepManifest);
    return manifestLoaded;
  }
  let assetsLoaded = null;
  function assets() {
    assetsLoaded = assetsLoaded || manifest().then(async (m) => {
      await Promise.all(m.files.map((name) => loadScript(`${BASE}assets/${name}.js`)));
      return m;
    });
    return assetsLoaded;
  }

  /* ---------------- the worker: everything in this function runs in the Web Worker ---------------- */
  function workerMain() {
    const files = {};
    const post = (message) => self.postMessage(message);

    async function inflate(text) {
      const binary = atob(text);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    }
    const scriptURL = (name) => URL.createObjectURL(new Blob([files[name]], { type: "text/javascript" }));

    // pyodide fetches its wasm and its standard library: both are already here.
    self.fetch = async (input) => {
      const url = String(input && input.url ? input.url : input);
      const name = decodeURIComponent(url.slice(url.lastIndexOf("/") + 1));
      if (!(name in files)) throw new TypeError(`gradstep live fetches nothing from the network (asked for ${url})`);
      const type = name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
      return new Response(files[name], { headers: { "Content-Type": type } });
    };

    function streamTo(name) {
      const decoder = new TextDecoder();
      return {
        write(buffer) {
          post({ type: "stream", name, text: decoder.decode(buffer, { stream: true }) });
          return buffer.length;
        },
        isatty: false,
      };
    }

    let pyodide = null;
    const mark = (label) => post({ type: "timing", label, t: performance.now() });
    async function init({ packed, base, lock, notebook }) {
      mark("worker");
      const names = Object.keys(packed);
      const bytes = await Promise.all(names.map((name) => inflate(packed[name])));
      names.forEach((name, i) => { files[name] = bytes[i]; });
      mark("inflated");
      importScripts(scriptURL("viz-global.js"), scriptURL("pyodide.js"), scriptURL("pyodide.asm.js"));
      mark("scripts");
      const vizReady = self.Viz.instance();
      self.gradstepDisplay = (mime, data) => post({ type: "display", mime, data });
      pyodide = await self.loadPyodide({
        indexURL: base, lockFileContents: JSON.stringify(lock), _loadSnapshot: files["snapshot.bin"],
      });
      mark("pyodide");
      const viz = await vizReady;
      // autograd.draw.render calls this: DOT in, SVG out (Graphviz compiled to WebAssembly).
      // viz.js sizes text from the metrics of a few fonts it knows by name; a list of fonts
      // matches none of them and its boxes come out sized for Times, too narrow for the text.
      self.gradstepRenderDot = (dot) =>
        viz.renderString(dot.replaceAll('"Helvetica,Arial,sans-serif"', "Helvetica"), { format: "svg", engine: "dot" });
      pyodide.setStdout(streamTo("stdout"));
      pyodide.setStderr(streamTo("stderr"));
      // gradstep, graphviz and tqdm: their wheels' files, written where pip would put them
      const site = pyodide.runPython("import site; site.getsitepackages()[0]");
      const tree = JSON.parse(new TextDecoder().decode(files["site-packages.json"]));
      for (const [name, text] of Object.entries(tree)) {
        const target = `${site}/${name}`;
        pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
        pyodide.FS.writeFile(target, Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
      }
      mark("wheels");
      pyodide.runPython(SUPPORT);
      pyodide.globals.get("_gs_setup")(Boolean(notebook));
      mark("support");
    }

    self.onmessage = async ({ data }) => {
      if (data.type === "init") {
        try {
          await init(data);
          post({ type: "ready" });
        } catch (error) {
          post({ type: "failed", error: String(error && error.stack ? error.stack : error) });
        }
      } else if (data.type === "run") {
        let status = "error";
        try {
          status = pyodide.globals.get("_gs_run")(data.code, Boolean(data.fresh));
        } catch (error) {
          post({ type: "stream", name: "stderr", text: String(error) + "\n" });
        }
        post({ type: "done", id: data.id, status });
      }
    };

    const SUPPORT = String.raw`
import ast, builtins, importlib, importlib.abc, importlib.machinery, sys, traceback, types
import js

importlib.invalidate_caches()  # site-packages was just written

try:
    import tqdm
    tqdm.tqdm.monitor_interval = 0  # tqdm's monitor is a thread, and threads cannot start here
except ImportError:
    pass


class NotInBrowser(ImportError):
    """A package the in-browser Python does not have (matplotlib, torch) was used."""


class _Missing(types.ModuleType):
    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise NotInBrowser(f"{self.__name__.split('.')[0]} is not part of the Python in this page")


class _MissingFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """In a notebook, 'import matplotlib.pyplot as plt' succeeds and the first use of plt raises
    NotInBrowser: the cells around the plots still run live."""

    names = ("matplotlib", "torch")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _Missing(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def _bundle(obj):
    """What Jupyter would show for obj: HTML, else SVG, else its repr."""
    if not isinstance(obj, type):
        bundle = getattr(obj, "_repr_mimebundle_", None)
        if callable(bundle):
            data = bundle()
            data = data[0] if isinstance(data, tuple) else data
            for mime in ("text/html", "image/svg+xml"):
                if data.get(mime):
                    return mime, data[mime]
        for method, mime in (("_repr_html_", "text/html"), ("_repr_svg_", "image/svg+xml")):
            shown = getattr(obj, method, None)
            shown = shown() if callable(shown) else None
            if shown:
                return mime, shown
    return "text/plain", repr(obj)


def display(*objs, **options):
    """IPython's display(): each object shown below the cell's output so far."""
    for obj in objs:
        sys.stdout.flush()
        sys.stderr.flush()
        mime, data = _bundle(obj)
        js.gradstepDisplay(mime, data.decode() if isinstance(data, bytes) else data)


class HTML:
    def __init__(self, data=""):
        self.data = data

    def _repr_html_(self):
        return self.data


class SVG(HTML):
    def _repr_svg_(self):
        return self.data

    _repr_html_ = None


_namespace = {}
_notebook = False


def _gs_setup(notebook):
    global _notebook
    _notebook = notebook
    shim = types.ModuleType("IPython.display")
    shim.display, shim.HTML, shim.SVG = display, HTML, SVG
    ipython = types.ModuleType("IPython")
    ipython.display = shim
    sys.modules.setdefault("IPython", ipython)
    sys.modules.setdefault("IPython.display", shim)
    builtins.display = display
    if notebook:
        sys.meta_path.append(_MissingFinder())


# A name bound to matplotlib or torch, or to what came from them (a figure, its axes, a tensor,
# a function that plots): name -> that package. Kept from cell to cell, as the names are.
_unavailable = {}


def _inner(node):
    """The names that node's comprehensions and lambdas bind: theirs, not the cell's."""
    inner = set()
    for n in ast.walk(node):
        if isinstance(n, ast.comprehension):
            inner |= {t.id for t in ast.walk(n.target) if isinstance(t, ast.Name)}
        elif isinstance(n, ast.Lambda):
            inner |= {a.arg for a in ast.walk(n.args) if isinstance(a, ast.arg)}
    return inner


def _uses(node, own=()):
    """The package (matplotlib, torch) that node's code reaches through a name of the cell (not
    one in own), or None."""
    own = set(own) | _inner(node)
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in _unavailable and n.id not in own:
            return _unavailable[n.id]
    return None


def _base(node):
    """The name at the bottom of an attribute or an item: pairs for pairs.append, ranges for ranges[k]."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _stand_for(name, package):
    """From now on name stands for package (matplotlib, torch), or for nothing if package is None."""
    if package:
        _unavailable[name] = package
    else:
        _unavailable.pop(name, None)


def _bind(node, package):
    """The names node assigns stand for package from now on (or for nothing, when package is None).
    Taken out, it would also have changed what it appends to or assigns into: those too."""
    inner = _inner(node)
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if package:
        for n in ast.walk(node):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, (ast.AugAssign, ast.AnnAssign)) else []
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Attribute):
                targets = [n.value.func]  # pairs.append(...)
            names |= {_base(e) for t in targets for e in ast.walk(t) if isinstance(e, (ast.Attribute, ast.Subscript))}
    names.discard(None)
    for name in names - inner:
        _stand_for(name, package)


def _without_unavailable(body, skipped):
    """body without the statements that use matplotlib or torch, found by following the names
    they flow through. A loop that computes and plots keeps its computing: skipping the whole
    loop would leave what it computes missing for the cells below."""
    kept = []
    for s in body:
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            for alias in s.names:
                top = (s.module if isinstance(s, ast.ImportFrom) else alias.name).split(".")[0]
                name = alias.asname or alias.name.split(".")[0]
                _stand_for(name, top if top in _MissingFinder.names else None)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # defining it is fine; calling it is what would plot. Its own arguments and variables
            # are not the cell's names, even when they are spelled the same.
            own = {n.arg for n in ast.walk(s) if isinstance(n, ast.arg)}
            own |= {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            _stand_for(s.name, _uses(s, own))
        else:
            header = [getattr(s, field) for field in ("test", "iter", "items", "subject") if hasattr(s, field)]
            compound = hasattr(s, "body")
            package = _uses(ast.Module(header, [])) if compound else _uses(s)
            if package:
                skipped.add(package)
                _bind(s, package)  # what it would have defined now stands for the package too
                continue
            if isinstance(s, (ast.For, ast.AsyncFor)):
                _bind(s.target, None)  # the loop's own variable, whatever it stood for before
            if compound:
                for field in ("body", "orelse", "finalbody"):
                    if getattr(s, field, None):
                        setattr(s, field, _without_unavailable(getattr(s, field), skipped) or [ast.Pass()])
                for handler in getattr(s, "handlers", []):
                    handler.body = _without_unavailable(handler.body, skipped) or [ast.Pass()]
                for case in getattr(s, "cases", []):
                    case.body = _without_unavailable(case.body, skipped) or [ast.Pass()]
            else:
                _bind(s, None)
        kept.append(s)
    return kept


def _gs_run(source, fresh):
    """Run a cell as Jupyter does: its last expression, if any, is displayed. In a notebook, the
    statements that use matplotlib or torch are taken out and the cell's other statements still
    run (so that what it defines exists for the cells below); the page then shows the cell's
    output from the site's build and says why."""
    if fresh or not _namespace:
        _namespace.clear()
        _namespace.update(__name__="__main__", __builtins__=builtins)
        _unavailable.clear()
    skipped = set()  # the packages of the statements taken out
    half_way = False  # a statement stopped half-way: it needed a package only the run showed
    try:
        tree = ast.parse(source, "<cell>")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = tree.body.pop()
        for statement in tree.body:
            for kept in _without_unavailable([statement], skipped) if _notebook else [statement]:
                try:
                    exec(compile(ast.fix_missing_locations(ast.Module([kept], [])), "<cell>", "exec"), _namespace)
                except NotInBrowser as error:  # reached through a path the names did not show
                    half_way = True
                    skipped.add(str(error).split()[0])
                    _bind(kept, str(error).split()[0])  # (nn.to_torch(model)): what it defines stands for torch
                except Exception:
                    if not half_way:
                        raise
                    # after a statement stopped half-way for want of a package, one that needed
                    # what it would have made fails too: the cell is shown as built
        if last is not None and _notebook:
            last = next(iter(_without_unavailable([last], skipped)), None)
        if last is not None and not skipped:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), _namespace)
            if value is not None:
                display(value)
        return " ".join(["missing", *sorted(skipped)]) if skipped else "ok"
    except NotInBrowser as error:
        return "missing " + str(error).split()[0]
    except SyntaxError as error:
        traceback.print_exception(type(error), error, None)
        return "error"
    except BaseException as error:  # the learner's code starts below this frame
        traceback.print_exception(type(error), error, error.__traceback__.tb_next)
        return "error"
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
`;
  }

  /* ---------------- the kernel: one worker, restarted to stop a run ---------------- */
  class Kernel {
    constructor({ notebook = false, onStatus = () => {} } = {}) {
      this.notebook = notebook;
      this.onStatus = onStatus;
      this.runs = 0;
      this.queue = Promise.resolve();
      this.start();
    }

    start() {
      const began = performance.now();
      this.timings = [["start", began]];
      this.onStatus("loading", "Starting Python in this page…");
      this.ready = assets().then((m) => new Promise((resolve, reject) => {
        this.timings.push(["assets", performance.now()]);
        const source = `(${workerMain.toString()})();`;
        this.worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
        this.worker.onmessage = ({ data }) => {
          if (data.type === "ready") resolve(m);
          else if (data.type === "timing") this.timings.push([data.label, data.t]);
          else if (data.type === "failed") reject(new Error(data.error));
          else if (this.current) this.current.message(data);
        };
        this.worker.onerror = (event) => reject(new Error(event.message || "the Python worker failed to start"));
        this.worker.postMessage({
          type: "init", packed, base: BASE + "assets/", lock: m.lock, notebook: this.notebook,
        });
      })).then((m) => {
        this.readySeconds = (performance.now() - began) / 1000;
        this.sinceOpen = performance.now() / 1000; // since the page began loading
        const took = `${this.readySeconds.toFixed(1)} s`;
        this.onStatus("ready", this.stopped
          ? `Stopped. Python started again (in ${took}): what the stopped code defined is gone.`
          : `Python (pyodide ${m.pyodide}) is ready in this page (started in ${took}): nothing is installed and nothing is sent anywhere.`);
        return m;
      }, (error) => {
        this.onStatus("failed", `Python could not start in this page: ${error.message}`);
        throw error;
      });
      return this.ready;
    }

    /* Run code; its output goes to sink.stream(name, text) and sink.display(mime, data).
       Resolves to "ok", "error", "stopped" or "missing <package> ...". Runs queue one after another. */
    run(code, sink, { fresh = false } = {}) {
      const go = async () => {
        try {
          await this.ready;
        } catch (error) {
          sink.stream("stderr", `Python is not running in this page: ${error.message}\n`);
          return "error";
        }
        const id = ++this.runs;
        this.onStatus("running", "Running…");
        const result = await new Promise((resolve) => {
          this.current = {
            message: (data) => {
              if (data.type === "stream") sink.stream(data.name, data.text);
              else if (data.type === "display") sink.display(data.mime, data.data);
              else if (data.type === "done" && data.id === id) resolve(data.status);
            },
            stop: () => resolve("stopped"),
          };
          this.worker.postMessage({ type: "run", id, code, fresh });
        });
        this.current = null;
        if (result !== "stopped") this.onStatus("ready", result === "ok" ? "Done." : "Done (with an error: see the output).");
        return result;
      };
      const next = this.queue.then(go, go);
      this.queue = next.catch(() => {});
      return next;
    }

    /* A running Python loop cannot be interrupted from outside here (that needs cross-origin
       isolation, which a file:// page never has): end the worker and start a fresh one. */
    stop() {
      this.stopped = true;
      if (this.worker) this.worker.terminate();
      const current = this.current;
      this.current = null;
      this.queue = Promise.resolve();
      this.start();
      if (current) current.stop();
    }
  }

  /* ---------------- output: streams (with \r as a terminal shows it) and displays ---------------- */
  function safeFragment(markup) {
    // Jupyter shows a cell's HTML in the page; so do we, without scripts or event handlers, and
    // any iframe (a player) stays sandboxed: its script runs, it cannot touch this page.
    const doc = new DOMParser().parseFromString(`<body>${markup}</body>`, "text/html");
    doc.body.querySelectorAll("script, object, embed, base, meta, link").forEach((el) => el.remove());
    for (const el of doc.body.querySelectorAll("*")) {
      for (const attr of [...el.attributes]) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on") || (/(^|:)(href|src|action|formaction)$/.test(name) && /^\s*javascript:/i.test(attr.value))) {
          el.removeAttribute(attr.name);
        }
      }
      // allow-forms: a player's practice answer is a form (its script handles the submit)
      if (el.tagName === "IFRAME") el.setAttribute("sandbox", "allow-scripts allow-forms");
    }
    const fragment = document.createDocumentFragment();
    fragment.append(...doc.body.childNodes);
    return fragment;
  }

  class Output {
    constructor(element) {
      this.element = element;
      this.clear();
    }

    clear() {
      this.element.textContent = "";
      this.last = {}; // stream name -> its latest block
    }

    stream(name, text) {
      let b = this.last[name];
      // A progress bar (tqdm) redraws its line with "\r" and ends it with "\n": it keeps its
      // place, even when lines printed meanwhile went below it; other text continues the last
      // block of its stream, or starts a new one below everything.
      const redraw = b && b.line && b.pre.classList.contains("gs-progress") && /^[\r\n]/.test(text);
      if (!redraw && !(b && b.pre === this.element.lastChild)) {
        const pre = document.createElement("pre");
        pre.className = `gs-stream gs-${name}`;
        this.element.append(pre);
        b = this.last[name] = { name, pre, done: "", line: "", cr: false, drawn: false };
      }
      for (const part of text.split(/(\r\n|\n|\r)/)) {
        if (part === "\n" || part === "\r\n") {
          b.done += b.line + "\n";
          b.line = "";
          b.cr = false;
        } else if (part === "\r") {
          b.cr = true; // the next text replaces the line
          b.pre.classList.add("gs-progress");
        } else if (part) {
          b.line = b.cr ? part : b.line + part;
          b.cr = false;
        }
      }
      if (!b.drawn) {
        b.drawn = true;
        requestAnimationFrame(() => {
          b.drawn = false;
          b.pre.textContent = b.done + b.line;
          this.follow();
        });
      }
    }

    display(mime, data) {
      const box = document.createElement("div");
      box.className = "gs-display";
      if (mime === "text/plain") {
        const pre = document.createElement("pre");
        pre.className = "gs-stream gs-result";
        pre.textContent = data;
        box.append(pre);
      } else {
        if (mime === "image/svg+xml") {
          box.classList.add("gs-svg");
          data = data.slice(Math.max(0, data.indexOf("<svg")));
        }
        box.append(safeFragment(data));
        // As in the players: a drawing fitted to a narrow column is never shrunk below 70% of its
        // natural size, where its text would be too small to read; the box scrolls instead.
        const drawing = box.classList.contains("gs-svg") ? box.querySelector("svg") : null;
        if (drawing && drawing.width && drawing.width.baseVal) {
          drawing.style.minWidth = Math.round(0.7 * drawing.width.baseVal.value) + "px";
        }
      }
      this.element.append(box);
      this.follow();
    }

    note(text, kind = "info") {
      const p = document.createElement("p");
      p.className = `gs-note gs-${kind}`;
      p.textContent = text;
      this.element.append(p);
    }

    follow() {
      const scroller = this.element;
      if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80) scroller.scrollTop = scroller.scrollHeight;
    }
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  function makeEditor(code, onRun) {
    const editor = el("textarea", { class: "gs-editor", spellcheck: "false", autocapitalize: "off", "aria-label": "Python code" });
    editor.value = code;
    const fit = () => { editor.style.height = "auto"; editor.style.height = editor.scrollHeight + 4 + "px"; };
    editor.addEventListener("input", fit);
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey || event.shiftKey)) {
        event.preventDefault();
        onRun();
      } else if (event.key === "Tab" && !event.shiftKey) {
        event.preventDefault();
        editor.setRangeText("    ", editor.selectionStart, editor.selectionEnd, "end");
        fit();
      }
    });
    requestAnimationFrame(fit);
    editor.fit = fit;
    return editor;
  }

  /* ---------------- the live page ---------------- */
  async function livePage(root) {
    const status = el("span", { class: "gs-status", role: "status" });
    const setStatus = (state, text) => { status.textContent = text; status.dataset.state = state; };
    const kernel = new Kernel({ onStatus: setStatus });
    const m = await manifest();
    const outputBox = el("div", { class: "gs-output", "aria-live": "polite" });
    const output = new Output(outputBox);
    const run = () => {
      output.clear();
      runButton.disabled = true;
      // the output starts below the code: bring its top into view, so the run can be watched
      const top = outputBox.getBoundingClientRect().top;
      if (top > innerHeight - 120) scrollBy({ top: top - innerHeight + 240, behavior: "smooth" });
      kernel.run(editor.value, output, { fresh: true }).then((result) => {
        runButton.disabled = false;
        if (result === "stopped") output.note("Stopped: Python was restarted (everything defined so far is gone). Edit the code and run it again.", "warn");
      });
    };
    const editor = makeEditor(m.examples[0].code, run);
    const runButton = el("button", { class: "gs-run", type: "button", onclick: run, title: "Run (Ctrl+Enter)" }, "▶ Run");
    const stopButton = el("button", { class: "gs-stop", type: "button", onclick: () => kernel.stop(), title: "Stop: restart Python" }, "■ Stop");
    const tabs = el("div", { class: "gs-examples", role: "tablist", "aria-label": "Examples" });
    m.examples.forEach((example, i) => {
      const tab = el("button", {
        class: "gs-example", type: "button", role: "tab", "aria-selected": String(i === 0),
        onclick: () => {
          tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b === tab)));
          editor.value = example.code;
          editor.fit();
          output.clear();
        },
      }, example.name);
      tabs.append(tab);
    });
    root.classList.add("gs-live");
    root.append(
      tabs,
      editor,
      el("div", { class: "gs-controls" }, runButton, stopButton, status),
      outputBox,
    );
    // the page's state, for a test or a curious reader's console
    self.gradstepLive = { kernel, editor, output, run };
    await kernel.ready;
    run();
  }

  /* ---------------- a notebook page of the documentation site, live ---------------- */
  const MISSING = {
    matplotlib: "matplotlib (for plots)",
    torch: "PyTorch",
  };

  function notebookPage(cells) {
    const status = el("span", { class: "gs-status", role: "status" });
    const start = el("button", { class: "gs-run gs-golive", type: "button" }, "▶ Run this notebook live");
    const bar = el("div", { class: "gs-notebook-bar" }, start,
      el("span", { class: "gs-hint" }, " Python starts in this page (nothing to install): run each cell, edit it, run it again."), status);
    const firstCell = cells[0];
    firstCell.before(bar); // above the first code cell, below the notebook's introduction
    let kernel = null;
    const runners = [];
    start.addEventListener("click", () => {
      if (kernel) return;
      start.disabled = true;
      kernel = new Kernel({ notebook: true, onStatus: (state, text) => { status.textContent = " " + text; status.dataset.state = state; } });
      const stop = el("button", { class: "gs-stop", type: "button", onclick: () => kernel.stop(), title: "Stop: restart Python" }, "■ Stop");
      const all = el("button", { class: "gs-run", type: "button", onclick: async () => { for (const r of runners) if ((await r()) !== "ok") break; } }, "▶▶ Run all");
      start.replaceWith(all, stop);
      cells.forEach((cell) => runners.push(liveCell(cell, kernel)));
      self.gradstepLive = { kernel, runners };
    });
    self.gradstepNotebook = { start };
  }

  function liveCell(cell, kernel) {
    const input = cell.querySelector(".cell_input");
    const pre = input.querySelector("pre");
    const code = pre.textContent.replace(/\n$/, "");
    const built = cell.querySelector(".cell_output");
    const outputBox = el("div", { class: "gs-output gs-cell-output" });
    const output = new Output(outputBox);
    let runButton;
    // what the cell is doing, beside its Run button (the page's status bar may be far above)
    const stateLabel = el("span", { class: "gs-cell-state", role: "status" });
    const STATES = {
      idle: "", running: "Running…", ok: "✓ Ran live", error: "✗ Error: see below",
      built: "Not live: see the note below", stopped: "Stopped",
    };
    const setState = (state) => {
      cell.dataset.live = state;
      stateLabel.dataset.state = state;
      stateLabel.textContent = STATES[state] ?? state;
    };
    const run = async () => {
      output.clear();
      runButton.disabled = true;
      setState("running");
      const result = await kernel.run(editor.value, output);
      runButton.disabled = false;
      if (result === "stopped") {
        output.note("Stopped: Python was restarted; run the cells above again before this one.", "warn");
      } else if (result.startsWith("missing ")) {
        const names = result.split(" ").slice(1).map((name) => MISSING[name] || name).join(" and ");
        output.clear();
        output.note(`Not live: this cell needs ${names}, which the Python in this page does not have. Its other statements ran here, so the cells below have what it defines; below is its output from when the site was built.`, "warn");
        if (built) outputBox.append(built.cloneNode(true));
      }
      setState(result.startsWith("missing ") ? "built" : result);
      return cell.dataset.live === "built" ? "ok" : result; // "Run all" goes on past a plot
    };
    const editor = makeEditor(code, run);
    runButton = el("button", { class: "gs-run", type: "button", onclick: run, title: "Run this cell (Shift+Enter)" }, "▶ Run");
    pre.closest("div.highlight, div[class^='highlight']").style.display = "none";
    input.append(editor, el("div", { class: "gs-controls" }, runButton, stateLabel));
    if (built) built.classList.add("gs-built");
    cell.append(outputBox);
    setState("idle");
    return run;
  }

  function boot() {
    const root = document.getElementById("gs-live");
    if (root) {
      livePage(root);
      return;
    }
    const cells = [...document.querySelectorAll("div.cell")].filter((c) => c.querySelector(".cell_input pre"));
    if (cells.length) notebookPage(cells);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
