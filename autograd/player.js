// gradstep's player: steps through frames (forward pass, backward pass, update) over an inline SVG.
// Everything it shows comes from the JSON in #gs-data and is written with textContent only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gs-data").textContent);
  var frames = data.frames;
  var position = -1; // -1: before the first frame
  var timer = null;
  var $ = function (id) { return document.getElementById(id); };
  var text = $("gs-text"), log = $("gs-log"), counter = $("gs-counter"), phase = $("gs-phase");
  var playButton = $("gs-play"), speed = $("gs-speed");
  var marks = ["gs-current", "gs-target", "gs-edge"];

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

  // What every cell that some frame changes showed in the drawing, so that going back restores it.
  var originals = [];
  var seen = {};
  frames.forEach(function (frame) {
    frame.set.forEach(function (cell) {
      var key = cell[0] + "\u0000" + cell[1], element = textOf(cell);
      if (!seen[key] && element) { seen[key] = true; originals.push([cell[0], cell[1], element.textContent]); }
    });
  });

  function mark(ids, name) {
    (ids || []).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) element.classList.add(name);
    });
  }

  function render() {
    originals.forEach(setCell);
    data.initial.forEach(setCell);
    for (var i = 0; i <= position; i++) frames[i].set.forEach(setCell);
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
      var first = document.getElementById((frame.nodes || [])[0]);
      if (first && first.scrollIntoView) first.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    text.textContent = frame ? frame.text : data.start;
    phase.textContent = frame ? data.phases[frame.phase] : "ready";
    counter.textContent = (position + 1) + " / " + frames.length;
    document.body.setAttribute("data-frame", String(position));
    document.body.setAttribute("data-phase", frame ? frame.phase : "start");
    while (log.firstChild) log.removeChild(log.firstChild);
    for (var k = Math.max(0, position - 200); k < position; k++) {
      var line = document.createElement("li");
      line.textContent = frames[k].text;
      log.appendChild(line);
    }
    log.scrollTop = log.scrollHeight;
    $("gs-back").disabled = position < 0;
    $("gs-step").disabled = position >= frames.length - 1;
  }

  function go(to) {
    position = Math.max(-1, Math.min(frames.length - 1, to));
    render();
  }

  function pause() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    playButton.textContent = "▶ play";
    document.body.setAttribute("data-playing", "false");
  }

  function tick() {
    if (position >= frames.length - 1) { pause(); return; }
    go(position + 1);
    timer = setTimeout(tick, Number(speed.value));
  }

  function play() {
    if (position >= frames.length - 1) go(-1); // at the end: play again from the start
    playButton.textContent = "❚❚ pause";
    document.body.setAttribute("data-playing", "true");
    timer = setTimeout(tick, 0);
  }

  function toggle() { if (timer === null) play(); else pause(); }

  var actions = {
    "gs-play": toggle,
    "gs-step": function () { pause(); go(position + 1); },
    "gs-back": function () { pause(); go(position - 1); },
    "gs-reset": function () { pause(); go(-1); },
    "gs-end": function () { pause(); go(frames.length - 1); },
    "gs-zoom": function () { $("gs-graph").classList.toggle("gs-natural"); }
  };
  Object.keys(actions).forEach(function (id) {
    var button = $(id);
    button.addEventListener("click", actions[id]);
    // keep the focus off buttons, so that space keeps meaning play/pause after a click
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  });
  speed.addEventListener("input", function () { $("gs-speed-value").textContent = speed.value + " ms"; });

  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "BUTTON" || tag === "SELECT" || event.altKey || event.ctrlKey || event.metaKey) return;
    var keys = {
      " ": toggle, "ArrowRight": actions["gs-step"], "ArrowLeft": actions["gs-back"],
      "Home": actions["gs-reset"], "End": actions["gs-end"], "z": actions["gs-zoom"]
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });

  render();
})();
