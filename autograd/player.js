// gradstep's player: steps through frames (forward pass, backward pass, update) over an inline SVG.
// Everything it shows comes from the JSON in #gs-data and is written with textContent only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gs-data").textContent);
  var frames = data.frames;
  var practice = Boolean(data.practice);
  var position = -1; // -1: before the first frame
  var timer = null;
  // Practice: a frame asks its questions in turn (the pieces of a product, then the product).
  var done = {}; // frame index -> how many of its questions are answered or revealed
  var outcome = {}; // "frame.question" -> "right" | "shown" (revealed or skipped)
  var tries = {}; // "frame.question" -> wrong answers given
  var said = ""; // what the verdict says as the next question is shown ("✓ right", a piece answered)
  var told = ""; // the hint after a wrong answer, shown under the question
  var $ = function (id) { return document.getElementById(id); };
  var text = $("gs-text"), log = $("gs-log"), counter = $("gs-counter"), phase = $("gs-phase");
  var graph = $("gs-graph"), playButton = $("gs-play"), speed = $("gs-speed");
  var quiz = $("gs-quiz"), answerBox = $("gs-answer"), verdict = $("gs-verdict"), score = $("gs-score");
  var marks = ["gs-current", "gs-target", "gs-edge", "gs-show"];

  // A cell is [element id, index of its <text> (negative: from the end), new text].
  function textOf(cell) {
    var group = document.getElementById(cell[0]);
    if (!group) return null;
    var texts = group.querySelectorAll("text");
    return texts[cell[1] < 0 ? texts.length + cell[1] : cell[1]] || null;
  }

  function setCell(cell) {
    var element = textOf(cell);
    if (element) element.textContent = cell[2];
  }

  // A style is [element id, attribute, value]: an edge redrawn after the update, say.
  function setStyle(style) {
    var element = document.getElementById(style[0]);
    if (!element) return;
    if (style[2] === null) element.removeAttribute(style[1]);
    else element.setAttribute(style[1], style[2]);
  }

  // What every text and attribute that some frame changes showed in the drawing, so that going
  // back (which replays the frames from the start) restores it.
  var originals = [], originalStyles = [], seen = {};
  frames.forEach(function (frame) {
    frame.set.forEach(function (cell) {
      var key = "t" + cell[0] + "\u0000" + cell[1], element = textOf(cell);
      if (!seen[key] && element) { seen[key] = true; originals.push([cell[0], cell[1], element.textContent]); }
    });
    frame.style.forEach(function (style) {
      var key = "s" + style[0] + "\u0000" + style[1], element = document.getElementById(style[0]);
      if (!seen[key] && element) { seen[key] = true; originalStyles.push([style[0], style[1], element.getAttribute(style[1])]); }
    });
  });

  function asked(i) { return practice && frames[i] && frames[i].questions.length > 0; }
  function waiting(i) { return asked(i) && (done[i] || 0) < frames[i].questions.length; } // a question open
  function key(i) { return i + "." + (done[i] || 0); }

  // What the step box shows while question ``k`` of frame ``i`` is asked: the questions before it
  // with their answers (✓ typed right, or revealed), then the question.
  function questionText(i, k) {
    var qs = frames[i].questions, lines = [];
    for (var j = 0; j < k; j++) lines.push(qs[j].done + (outcome[i + "." + j] === "right" ? "  ✓" : "  (revealed)"));
    lines.push(qs[k].ask);
    return lines.join("\n");
  }

  function mark(ids, name) {
    (ids || []).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) element.classList.add(name);
    });
  }

  // The smallest rectangle around the elements ``ids`` (and around the whole card, title included,
  // of any that sits in a card of the network view), in window coordinates; null if none is drawn.
  function areaOf(ids) {
    var area = null;
    ids.forEach(function (id) {
      var element = document.getElementById(id);
      if (!element) return;
      var card = element.closest ? element.closest(".gs-card") : null;
      [element, card].forEach(function (e) {
        if (!e) return;
        var r = e.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) return;
        area = area ? { left: Math.min(area.left, r.left), top: Math.min(area.top, r.top),
                        right: Math.max(area.right, r.right), bottom: Math.max(area.bottom, r.bottom) }
                    : { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      });
    });
    return area;
  }

  // Scroll the drawing's own box (never the page) so that what the frame is about is in view:
  // everything it uses when that fits, else the current node and what receives the result (the
  // line running and the line it writes, on a tape), else what receives it (or the current node), else
  // the cards that receive it, titles included; centred when it fits, its start when it does not.
  function follow(frame) {
    var box = graph.getBoundingClientRect();
    var inner = { left: box.left + 4, top: box.top + 4, width: graph.clientWidth - 8, height: graph.clientHeight - 8 };
    var receiving = frame.targets.length ? frame.targets : frame.nodes;
    var inCards = receiving.filter(function (id) {
      var element = document.getElementById(id);
      return element && element.closest && element.closest(".gs-card");
    });
    var wanted = [[].concat(frame.nodes, frame.targets, frame.edges), [].concat(frame.nodes, frame.targets),
                  receiving, inCards];
    var area = null;
    for (var k = 0; k < wanted.length; k++) {
      var found = areaOf(wanted[k]);
      if (found) area = found;
      if (area && area.right - area.left <= inner.width && area.bottom - area.top <= inner.height) break;
    }
    if (!area) return;
    var inside = area.left >= inner.left && area.right <= inner.left + inner.width &&
                 area.top >= inner.top && area.bottom <= inner.top + inner.height;
    if (inside) return;
    var width = area.right - area.left, height = area.bottom - area.top;
    var dx = width < inner.width ? (area.left + width / 2) - (inner.left + inner.width / 2) : area.left - inner.left - 4;
    var dy = height < inner.height ? (area.top + height / 2) - (inner.top + inner.height / 2) : area.top - inner.top - 4;
    graph.scrollLeft += dx;
    graph.scrollTop += dy;
  }

  // A frame's text: its last ``grid`` lines (a list, such as a neuron's weights) set side by side
  // in equal columns that wrap with the window's width.
  function showText(content, grid, hintText) {
    while (text.firstChild) text.removeChild(text.firstChild);
    var lines = content.split("\n");
    grid = Math.min(grid || 0, lines.length - 1);
    text.appendChild(document.createTextNode(lines.slice(0, lines.length - grid).join("\n")));
    if (hintText) {
      var line = document.createElement("div");
      line.id = "gs-hint";
      line.textContent = "hint: " + hintText;
      text.appendChild(line);
    }
    if (!grid) return;
    var items = lines.slice(lines.length - grid).map(function (line) { return line.trim(); });
    var widest = Math.max.apply(null, items.map(function (item) { return item.length; }));
    var list = document.createElement("div");
    list.className = "gs-grid";
    items.forEach(function (item) {
      var cell = document.createElement("span");
      cell.textContent = item;
      cell.style.width = (widest + 3) + "ch";
      list.appendChild(cell);
    });
    text.appendChild(list);
  }

  // A question's text as it will be asked, for measuring: the earlier answers marked as revealed
  // (the longer of the two marks).
  function questionTextMeasured(i, k) {
    var qs = frames[i].questions, lines = [];
    for (var j = 0; j < k; j++) lines.push(qs[j].done + "  (revealed)");
    lines.push(qs[k].ask);
    return lines.join("\n");
  }

  // The step box is as tall as the tallest text any frame shows at this width (up to 40% of the
  // window): no frame's text is cut, and the drawing below never moves between frames.
  function fitText() {
    if (!text.clientWidth) return; // not laid out yet (an iframe not yet shown): refitted once it is
    text.style.height = "auto";
    var tallest = 0, done = {};
    var contents = [[data.start, 0, ""]];
    frames.forEach(function (frame, i) {
      contents.push([frame.text, frame.grid, ""]);
      if (!practice) return;
      // each question as it is asked, with the longest hint it could get
      frame.questions.forEach(function (q, k) {
        var longest = [q.hint].concat(SLIPS).reduce(function (a, b) { return b.length > a.length ? b : a; });
        contents.push([questionTextMeasured(i, k), 0, "✗ not -0.000000 (read as -0.000000): " + longest]);
      });
    });
    var measured = {};
    contents.forEach(function (content) {
      var key = content[1] + "\u0000" + content[0] + "\u0000" + content[2];
      if (measured[key]) return;
      measured[key] = true;
      showText(content[0], content[1], content[2]);
      tallest = Math.max(tallest, text.scrollHeight);
    });
    text.style.height = Math.ceil(Math.min(tallest + 2, Math.max(60, 0.4 * window.innerHeight))) + "px";
    document.body.setAttribute("data-fitted", fittedFor());
  }

  // The size fitText fitted the step box for: its width and the window's height.
  function fittedFor() { return text.clientWidth + "x" + window.innerHeight; }

  // The score: right answers out of the questions met, and how many were right at the first try.
  // The last score of this page is kept in the browser (when it allows), to compare between tries.
  var storeKey = "gradstep-score:" + document.title + ":" + frames.length;
  var lastScore = null;
  try { lastScore = window.localStorage.getItem(storeKey); } catch (e) { lastScore = null; }
  function showScore() {
    if (!practice) return;
    var right = 0, shown = 0, first = 0;
    Object.keys(outcome).forEach(function (k) {
      if (outcome[k] === "right") { right++; if (!tries[k]) first++; } else shown++;
    });
    var now = "score " + right + " / " + (right + shown) + " (" + first + " at the first try)";
    // (each question counts: the pieces of a product and the product)
    score.textContent = now + (lastScore ? " · last time: " + lastScore : "");
    if (right + shown > 0) {
      try { window.localStorage.setItem(storeKey, now.slice(6)); } catch (e) { /* a sandbox: no storage */ }
    }
  }

  function render() {
    originals.forEach(setCell);
    originalStyles.forEach(setStyle);
    data.initial.forEach(setCell);
    for (var i = 0; i <= position; i++) {
      if (waiting(i)) continue; // its answer stays hidden until the learner gives it
      frames[i].set.forEach(setCell);
      frames[i].style.forEach(setStyle);
    }
    var question = frames[position] && waiting(position);
    // a number asked for that the drawing shows (an upstream gradient) is hidden while asked
    if (question) frames[position].questions[done[position] || 0].hide.forEach(setCell);
    marks.forEach(function (name) {
      Array.prototype.slice.call(document.getElementsByClassName(name)).forEach(function (element) {
        element.classList.remove(name);
      });
    });
    var frame = frames[position];
    if (frame) {
      mark(frame.nodes, "gs-current");
      mark(frame.targets, "gs-target");
      mark(frame.edges, "gs-edge");
      mark(frame.show, "gs-show");
      follow(frame);
    }
    var content = !frame ? data.start : question ? questionText(position, done[position] || 0) : frame.text;
    showText(content, frame && !question ? frame.grid : 0, question ? told : "");
    text.scrollTop = 0;
    quiz.classList.toggle("gs-asking", Boolean(question));
    answerBox.disabled = !question;
    if (question) { answerBox.value = ""; verdict.textContent = said; }
    else if (frame && asked(position)) {
      var last = position + "." + (frame.questions.length - 1);
      verdict.textContent = outcome[last] === "right" ? "✓ right" : "revealed";
    } else verdict.textContent = "";
    said = "";
    phase.textContent = frame ? data.phases[frame.phase] : "ready";
    counter.textContent = (position + 1) + " / " + frames.length;
    document.body.setAttribute("data-frame", String(position));
    document.body.setAttribute("data-phase", frame ? frame.phase : "start");
    while (log.firstChild) log.removeChild(log.firstChild);
    for (var k = Math.max(0, position - 200); k < position; k++) {
      var line = document.createElement("li");
      line.textContent = line.title = frames[k].text.split("\n")[0]; // cut with "…": whole on hover
      log.appendChild(line);
    }
    log.scrollTop = log.scrollHeight;
    $("gs-back").disabled = position < 0;
    $("gs-step").disabled = position >= frames.length - 1;
    showScore();
  }

  function go(to) {
    var target = Math.max(-1, Math.min(frames.length - 1, to));
    // moving on past a question without answering it counts as revealing it
    for (var i = Math.max(0, position); i < target; i++) {
      while (waiting(i)) { outcome[key(i)] = "shown"; done[i] = (done[i] || 0) + 1; }
    }
    told = "";
    position = target;
    render();
    if (waiting(position)) { pause(); answerBox.focus(); }
  }

  function pause() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    playButton.textContent = "▶ play";
    document.body.setAttribute("data-playing", "false");
  }

  function tick() {
    if (position >= frames.length - 1 || waiting(position)) { pause(); return; }
    go(position + 1);
    if (timer !== null) timer = setTimeout(tick, Number(speed.value));
  }

  function play() {
    if (position >= frames.length - 1) go(-1); // at the end: play again from the start
    playButton.textContent = "❚❚ pause";
    document.body.setAttribute("data-playing", "true");
    timer = setTimeout(tick, 0);
  }

  function toggle() { if (timer === null) play(); else pause(); }

  // What the learner typed as numbers: a minus sign (−) is "-"; with both "," and "." the last one
  // is the decimal point; a lone comma before exactly three digits (-2,000) could be either, so
  // both readings are tried; any other comma is a decimal point. Returns [number, how it was read].
  function readings(raw) {
    var t = raw.trim().replace(/\u2212/g, "-").replace(/[\s\u00a0']/g, "");
    if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) {
      var comma = t.lastIndexOf(",") > t.lastIndexOf(".");
      t = comma ? t.replace(/\./g, "").replace(",", ".") : t.replace(/,/g, "");
      return [[Number(t), t]];
    }
    if (/^[-+]?\d{1,3}(,\d{3})+$/.test(t)) {
      var grouped = [[Number(t.replace(/,/g, "")), t.replace(/,/g, "") + " (the comma as a thousands separator)"]];
      if (t.split(",").length === 2) grouped.push([Number(t.replace(",", ".")), t.replace(",", ".") + " (the comma as a decimal point)"]);
      return grouped;
    }
    t = t.replace(",", ".");
    return [[Number(t), t]];
  }

  // Checked to 3 significant digits: within one unit of the answer's third significant digit.
  function close(typed, answer) {
    var unit = answer === 0 ? 1e-9 : Math.pow(10, Math.floor(Math.log10(Math.abs(answer))) - 2);
    return Math.abs(typed - answer) <= unit * 1.000001;
  }

  // A hint for a wrong answer: the commonest slips first, then the question's own.
  var SLIPS = [
    "the size is right but the sign is wrong: is the product of the signs + or −?",
    "off by a factor of 2: look again at the rule's constant",
    "that is 1 / the answer: multiply, don't divide",
    "work it out from the rule and the numbers the question names, or press reveal"
  ];
  function hint(typed, answer, own) {
    if (answer !== 0 && close(-typed, answer)) return SLIPS[0];
    if (answer !== 0 && (close(typed / 2, answer) || close(typed * 2, answer))) return SLIPS[1];
    if (answer !== 0 && close(1 / typed, answer)) return SLIPS[2];
    return own ? own + " (or press reveal)" : SLIPS[3];
  }

  // The current question answered (right) or revealed: on to the frame's next question, or, after
  // its last, to the frame's own text with its numbers on the drawing.
  function settle(how) {
    outcome[key(position)] = how;
    done[position] = (done[position] || 0) + 1;
    told = "";
    if (waiting(position)) said = how === "right" ? "✓ right: now the next piece" : "revealed: now the next piece";
    else answerBox.blur();
    render();
    if (waiting(position)) answerBox.focus();
  }

  function check() {
    if (!waiting(position)) return;
    var q = frames[position].questions[done[position] || 0];
    var raw = answerBox.value.trim(), answer = q.answer;
    var read = readings(raw).filter(function (r) { return isFinite(r[0]) && r[1] !== ""; });
    if (raw === "" || !read.length) { verdict.textContent = "type a number"; return; }
    var right = read.filter(function (r) { return close(r[0], answer); });
    if (right.length) { settle("right"); return; }
    var shown = read.map(function (r) { return r[1]; }).join(" or ");
    tries[key(position)] = (tries[key(position)] || 0) + 1;
    verdict.textContent = "✗ not " + raw + (shown !== raw ? " (read as " + shown + ")" : "");
    told = hint(read[0][0], answer, q.hint);
    showText(questionText(position, done[position] || 0), 0, told);
  }

  // The reveal button: the answer to the question asked now (the next piece is asked after it).
  function reveal() {
    if (waiting(position)) settle("shown");
  }

  // → on a question: every answer of the frame, and its text (a second → moves on).
  function revealAll() {
    if (!waiting(position)) return;
    while (waiting(position)) { outcome[key(position)] = "shown"; done[position] = (done[position] || 0) + 1; }
    told = "";
    answerBox.blur();
    render();
  }

  var actions = {
    "gs-play": toggle,
    // on an unanswered question, "step" first reveals the answers, the next press moves on
    "gs-step": function () { pause(); if (waiting(position)) revealAll(); else go(position + 1); },
    "gs-back": function () { pause(); go(position - 1); },
    "gs-reset": function () { pause(); go(-1); },
    "gs-end": function () { pause(); go(frames.length - 1); },
    "gs-zoom": function () { graph.classList.toggle("gs-natural"); if (frames[position]) follow(frames[position]); },
    "gs-reveal": reveal
  };
  Object.keys(actions).forEach(function (id) {
    var button = $(id);
    button.addEventListener("click", actions[id]);
    // keep the focus off buttons, so that space keeps meaning play/pause after a click
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  });
  speed.addEventListener("input", function () { $("gs-speed-value").textContent = speed.value + " ms"; });
  // check is the form's submit button: Enter and a click both submit once (a click handler on the
  // button as well would check twice, the second time against the next question).
  quiz.addEventListener("submit", function (event) { event.preventDefault(); check(); });
  // In the answer box the arrows still step once the box is empty (→ reveals, ← goes back).
  answerBox.addEventListener("keydown", function (event) {
    var empty = answerBox.value === "";
    if (event.key === "Escape") { answerBox.blur(); event.preventDefault(); }
    else if (empty && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      event.preventDefault();
      actions[event.key === "ArrowRight" ? "gs-step" : "gs-back"]();
    }
  });

  // An element with data-hover="id …" shows those elements while the pointer is on it (the
  // numbers of a dense network's edges).
  function hover(event, on) {
    var ids = event.target && event.target.getAttribute && event.target.getAttribute("data-hover");
    if (!ids) return;
    ids.split(" ").forEach(function (id) {
      var element = document.getElementById(id);
      if (element) element.classList.toggle("gs-hover", on);
    });
  }
  graph.addEventListener("mouseover", function (event) { hover(event, true); });
  graph.addEventListener("mouseout", function (event) { hover(event, false); });

  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "BUTTON" || tag === "SELECT" || event.altKey || event.ctrlKey || event.metaKey) return;
    var keys = {
      " ": toggle, "ArrowRight": actions["gs-step"], "ArrowLeft": actions["gs-back"],
      "Home": actions["gs-reset"], "End": actions["gs-end"], "z": actions["gs-zoom"]
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });

  // Fitting a large drawing into a narrow window would make its text unreadable: never shrink
  // it below 70% of its natural size (the box scrolls instead).
  var drawing = graph.querySelector("svg");
  if (drawing && drawing.width && drawing.width.baseVal) {
    drawing.style.minWidth = Math.round(0.7 * drawing.width.baseVal.value) + "px";
  }
  // What the drawing marks gs-pin (nn's decision map) leaves it for a box of its own beside the
  // step box, at its own size: in view at every frame, wherever the drawing is scrolled to. It
  // keeps its ids, so the frames still redraw it.
  var pins = $("gs-pin");
  if (drawing && pins) {
    Array.prototype.slice.call(drawing.querySelectorAll(".gs-pin")).forEach(function (element) {
      var box = element.getBBox(), pad = 2;
      var own = document.createElementNS(drawing.namespaceURI, "svg");
      var size = [box.width + 2 * pad, box.height + 2 * pad];
      own.setAttribute("viewBox", [box.x - pad, box.y - pad, size[0], size[1]].join(" "));
      own.setAttribute("width", String(size[0]));
      own.setAttribute("height", String(size[1]));
      ["class", "font-family", "font-size"].forEach(function (name) {
        if (drawing.hasAttribute(name)) own.setAttribute(name, drawing.getAttribute(name));
      });
      own.appendChild(element);
      pins.appendChild(own);
    });
  }
  document.body.classList.toggle("gs-practice", practice);
  fitText();
  // Refit when the window's size changes, and once the page is first laid out: in an iframe that
  // is not shown yet (a notebook's output, a page's player) the script can run before the page has
  // any layout, and no resize event follows.
  var resizing = null;
  var laidOut = text.clientWidth ? fittedFor() : ""; // fitted at that size
  function refit() {
    clearTimeout(resizing);
    resizing = setTimeout(function () { fitText(); render(); }, 100);
  }
  window.addEventListener("resize", refit);
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      var size = fittedFor();
      if (size !== laidOut) { laidOut = size; refit(); }
    }).observe(document.documentElement);
  }
  render();
})();
