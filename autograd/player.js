// gradstep's player: steps through frames (forward pass, backward pass, update) over an inline SVG.
// Everything it shows comes from the JSON in #gs-data and is written with textContent only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gs-data").textContent);
  var frames = data.frames;
  var practice = Boolean(data.practice);
  var position = -1; // -1: before the first frame
  var timer = null;
  var outcome = {}; // practice: frame index -> "right" | "shown" (revealed or skipped)
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

  function asked(i) { return practice && frames[i] && frames[i].answer !== null; }
  function waiting(i) { return asked(i) && !outcome[i]; } // a question not yet answered or revealed

  function mark(ids, name) {
    (ids || []).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) element.classList.add(name);
    });
  }

  // Scroll the drawing's own box (never the page) so that what the frame is about is in view:
  // centred when it fits, its start when it does not.
  function follow(frame) {
    var box = graph.getBoundingClientRect(), area = null;
    [].concat(frame.nodes, frame.targets, frame.edges).forEach(function (id) {
      var element = document.getElementById(id);
      if (!element) return;
      var r = element.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      area = area ? { left: Math.min(area.left, r.left), top: Math.min(area.top, r.top),
                      right: Math.max(area.right, r.right), bottom: Math.max(area.bottom, r.bottom) }
                  : { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    });
    if (!area) return;
    var inside = area.left >= box.left && area.right <= box.right && area.top >= box.top && area.bottom <= box.bottom;
    if (inside) return;
    var width = area.right - area.left, height = area.bottom - area.top;
    var dx = width < box.width ? (area.left + width / 2) - (box.left + box.width / 2) : area.left - box.left - 8;
    var dy = height < box.height ? (area.top + height / 2) - (box.top + box.height / 2) : area.top - box.top - 8;
    graph.scrollLeft += dx;
    graph.scrollTop += dy;
  }

  function showScore() {
    if (!practice) return;
    var right = 0, shown = 0;
    Object.keys(outcome).forEach(function (k) { if (outcome[k] === "right") right++; else shown++; });
    score.textContent = "score " + right + " / " + (right + shown);
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
    var question = frame && waiting(position);
    text.textContent = !frame ? data.start : question ? frame.question : frame.text;
    text.scrollTop = 0;
    quiz.classList.toggle("gs-asking", Boolean(question));
    answerBox.disabled = !question;
    if (question) { answerBox.value = ""; verdict.textContent = ""; }
    else if (frame && asked(position)) verdict.textContent = outcome[position] === "right" ? "✓ right" : "revealed";
    else verdict.textContent = "";
    phase.textContent = frame ? data.phases[frame.phase] : "ready";
    counter.textContent = (position + 1) + " / " + frames.length;
    document.body.setAttribute("data-frame", String(position));
    document.body.setAttribute("data-phase", frame ? frame.phase : "start");
    while (log.firstChild) log.removeChild(log.firstChild);
    for (var k = Math.max(0, position - 200); k < position; k++) {
      var line = document.createElement("li");
      line.textContent = frames[k].text.split("\n")[0];
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
    for (var i = Math.max(0, position); i < target; i++) if (waiting(i)) outcome[i] = "shown";
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

  // Checked to 3 significant digits: within one unit of the answer's third significant digit.
  function check() {
    if (!waiting(position)) return;
    var typed = Number(answerBox.value.trim().replace(/\u2212/g, "-").replace(/,/g, "."));
    var answer = frames[position].answer;
    if (answerBox.value.trim() === "" || !isFinite(typed)) { verdict.textContent = "type a number"; return; }
    var unit = answer === 0 ? 1e-9 : Math.pow(10, Math.floor(Math.log10(Math.abs(answer))) - 2);
    if (Math.abs(typed - answer) <= unit * 1.000001) {
      outcome[position] = "right";
      answerBox.blur();
      render();
    } else {
      verdict.textContent = "✗ not " + answerBox.value.trim() + ", try again";
    }
  }

  function reveal() {
    if (!waiting(position)) return;
    outcome[position] = "shown";
    answerBox.blur();
    render();
  }

  var actions = {
    "gs-play": toggle,
    // on an unanswered question, "step" first reveals the answer, the next press moves on
    "gs-step": function () { pause(); if (waiting(position)) reveal(); else go(position + 1); },
    "gs-back": function () { pause(); go(position - 1); },
    "gs-reset": function () { pause(); go(-1); },
    "gs-end": function () { pause(); go(frames.length - 1); },
    "gs-zoom": function () { graph.classList.toggle("gs-natural"); if (frames[position]) follow(frames[position]); },
    "gs-check": check,
    "gs-reveal": reveal
  };
  Object.keys(actions).forEach(function (id) {
    var button = $(id);
    button.addEventListener("click", actions[id]);
    // keep the focus off buttons, so that space keeps meaning play/pause after a click
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  });
  speed.addEventListener("input", function () { $("gs-speed-value").textContent = speed.value + " ms"; });
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
  document.body.classList.toggle("gs-practice", practice);
  render();
})();
