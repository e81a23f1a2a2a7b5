// The page side of helpers/explorers/picture.py (its _ESM, written to esm.mjs beside this
// file by tests/test_picture_js.py), run in Node against fakes of the models (Backbone's
// get / set / on / off / trigger), anywidget's proxy, the DOM and Blob URLs.
// Each scenario prints "ok <name>" or throws; the Python test runs this file.
import assert from "node:assert/strict";

let urlCount = 0;
const live = new Map();  // blob URL -> bytes as "a,b"
globalThis.Blob = class { constructor(parts) { this.bytes = parts[0]; } };
globalThis.URL = {
  createObjectURL(blob) { const u = "blob:" + (++urlCount); live.set(u, Array.from(blob.bytes).join(",")); return u; },
  revokeObjectURL(u) { live.delete(u); },
};
globalThis.document = {
  createElement() {
    return {dataset: {}, attrs: {}, style: {}, kids: [], setAttribute(k, v) { this.attrs[k] = v; },
            appendChild(n) { this.kids.push(n); }};
  },
};

class Model {
  constructor(attrs) { this.a = {...attrs}; this.h = {}; }
  get(k) { return this.a[k]; }
  on(ev, cb) { (this.h[ev] ||= []).push(cb); }
  off(ev, cb) { this.h[ev] = (this.h[ev] || []).filter((f) => f !== cb); }
  trigger(ev, ...args) { for (const cb of [...(this.h[ev] || [])]) cb(...args); }
  set(obj) {  // as Backbone: set every attribute, then one change event per changed one
    const changed = Object.keys(obj).filter((k) => this.a[k] !== obj[k]);
    Object.assign(this.a, obj);
    for (const k of changed) this.trigger("change:" + k);
  }
  send(msg) { (this.sent ||= []).push(msg); }
}

const png = (k, b = k) => new DataView(new Uint8Array([k, b]).buffer);
const tick = () => new Promise((r) => setTimeout(r, 0));

const SLIDER = {_model_name: "FloatSliderModel", min: 0, max: 100, readout_format: ".1f",
                description: "w"};

async function setup({fields = ["value"], missing = false, models = null} = {}) {
  const mod = (await import("./esm.mjs?" + Math.random())).default;
  const controls = fields.map((_, i) => new Model({value: 0, index: 0, ...(models ? models[i] : {})}));
  const registry = new Map(controls.map((m, i) => ["c" + i, m]));
  const pic = new Model({
    uid: "u" + Math.random(), fields, controls: controls.map((_, i) => "IPY_MODEL_c" + i),
    value: png(0), key: fields.map(() => 0), alt: "k0", max_frames: 96, max_bytes: 1 << 24,
  });
  pic.widget_manager = {
    async get_model(id) { if (missing || !registry.has(id)) throw new Error("no model"); return registry.get(id); },
  };
  const cleanup = mod.initialize({model: pic});
  await tick();
  const imgs = [];
  const captions = [];
  const el = {classList: {add() {}}, style: {},
              appendChild: (box) => {
                for (const n of box.kids) (n.className === "unrolled-near" ? captions : imgs).push(n);
              }};
  const unrender = mod.render({model: pic, el});
  const t = {
    mod, pic, controls, imgs, captions, cleanup, unrender,
    shown: () => live.get(imgs[0].src),
    key: () => JSON.parse(imgs[0].dataset.key),
    ahead: (k, b = k) => pic.trigger("msg:custom", {type: "frame", key: [k], alt: "k" + k}, [png(k, b)]),
    kernel: (k, b = k) => pic.set({value: png(k, b), key: [k], alt: "k" + k}),
    move: (k) => controls[0].set({value: k}),
  };
  return t;
}

const scenarios = {
  async "a move to a picture drawn ahead is answered by the page"() {
    const t = await setup();
    assert.deepEqual(t.pic.sent, [{type: "ready"}, {type: "seen"}]);
    t.ahead(1);
    assert.deepEqual(t.key(), [0]);  // drawn ahead: held, not shown
    t.move(1);
    assert.deepEqual(t.key(), [1]);
    assert.equal(t.imgs[0].dataset.source, "page");
    assert.equal(t.imgs[0].alt, "k1");
    assert.equal(t.imgs[0].attrs["aria-busy"], "false");
  },
  async "a move to a picture not held waits for the kernel's, marked busy"() {
    const t = await setup();
    t.move(5);
    assert.deepEqual(t.key(), [0]);
    assert.equal(t.imgs[0].attrs["aria-busy"], "true");
    t.kernel(5);
    assert.deepEqual(t.key(), [5]);
    assert.equal(t.imgs[0].dataset.source, "kernel");
    assert.equal(t.imgs[0].attrs["aria-busy"], "false");
  },
  async "a late kernel picture never replaces an up-to-date one"() {
    const t = await setup();
    t.ahead(1); t.ahead(2);
    t.move(1); t.move(2);
    t.kernel(1);  // the kernel's picture for a value already left
    assert.deepEqual(t.key(), [2]);
  },
  async "a picture behind the handle never jumps back against it"() {
    const t = await setup();
    for (const k of [1, 2, 3]) t.ahead(k);
    for (const k of [1, 2, 3, 4]) t.move(k);
    assert.deepEqual(t.key(), [3]);  // behind: 4 not held
    t.kernel(1);  // late, for a value passed before the shown one
    assert.deepEqual(t.key(), [3]);
    t.kernel(4);
    assert.deepEqual(t.key(), [4]);
  },
  async "a picture behind the handle follows newer kernel pictures"() {
    const t = await setup();
    for (const k of [1, 2, 3, 4, 5, 6]) t.move(k);
    t.kernel(3);
    assert.deepEqual(t.key(), [3]);  // behind, but newer than the start
    t.kernel(5);
    assert.deepEqual(t.key(), [5]);
    t.kernel(6);
    assert.deepEqual(t.key(), [6]);
  },
  async "after a clear, a move back to the kernel's picture shows it without a message"() {
    const t = await setup();
    t.ahead(1);
    t.move(1);
    t.pic.trigger("msg:custom", {type: "clear"}, []);
    t.move(0);  // the kernel's trait still holds 0: nothing will be sent
    assert.deepEqual(t.key(), [0]);
    assert.equal(t.shown(), "0,0");
  },
  async "new bytes for the same values replace the held picture"() {
    const t = await setup();
    t.move(1); t.kernel(1);
    t.move(0); t.kernel(0, 9);  // the kernel's picture for 0 drawn again, other bytes
    assert.equal(t.shown(), "0,9");
    t.ahead(1, 7);
    t.move(1);
    assert.equal(t.shown(), "1,7");
  },
  async "numbers compare within 1e-9, selections by index"() {
    const t = await setup({fields: ["value", "index"]});
    t.pic.trigger("msg:custom", {type: "frame", key: [1.13, 2], alt: "x"}, [png(7)]);
    t.controls[0].set({value: 1.1300000000000001});
    t.controls[1].set({index: 2});
    assert.deepEqual(t.key(), [1.13, 2]);
    t.controls[0].set({value: 1.1300001});
    assert.equal(t.imgs[0].attrs["aria-busy"], "true");
  },
  async "without the controls' models every kernel picture is shown"() {
    const t = await setup({missing: true});
    t.kernel(2);
    assert.deepEqual(t.key(), [2]);
    t.kernel(1);
    assert.deepEqual(t.key(), [1]);
  },
  async "the page holds at most max_frames pictures, never dropping the shown one"() {
    const before = live.size;
    const t = await setup();
    t.pic.a.max_frames = 4;
    for (let k = 1; k <= 10; k++) t.ahead(k);
    assert.ok(live.size - before <= 4 + 1, `live URLs ${live.size - before}`);
    t.move(10);
    assert.deepEqual(t.key(), [10]);
    t.ahead(11); t.ahead(12); t.ahead(13); t.ahead(14);
    assert.equal(t.shown(), "10,10");  // still readable
  },
  async "only the kernel's messages order what the page holds, as the kernel counts it"() {
    const t = await setup();
    t.pic.a.max_frames = 4;
    for (let k = 1; k <= 3; k++) t.ahead(k);  // held, least recently shown first: 0 1 2 3
    t.move(1);  // answered by the page; the kernel folds this move into the next
    t.move(0);
    t.kernel(0);  // the kernel's picture for where the controls stopped: 1 2 3 0
    t.ahead(4);  // the kernel counts 1 as dropped (its least recently shown): 2 3 0 4
    t.move(2);
    assert.equal(t.imgs[0].dataset.source, "page", "2 dropped, the kernel counts it held");
    t.move(1);
    assert.equal(t.imgs[0].attrs["aria-busy"], "true");
  },
  async "pictures touched by the kernel become the most recent: others are dropped first"() {
    const t = await setup();
    t.pic.a.max_frames = 4;
    for (let k = 1; k <= 4; k++) t.ahead(k);  // held: 0 (shown), 1, 2, 3, 4 -> 0, 2, 3, 4
    t.pic.trigger("msg:custom", {type: "touch", keys: [[3], [2], [9]]}, []);  // 9: not held
    t.ahead(5);  // drops the least recently shown but the shown one: 4, not 2 or 3
    for (const k of [2, 3, 5]) {
      t.move(k);
      assert.deepEqual(t.key(), [k]);
      assert.equal(t.imgs[0].dataset.source, "page", `picture ${k} not held`);
    }
    t.move(4);
    assert.equal(t.imgs[0].attrs["aria-busy"], "true");  // 4 was dropped
    assert.equal(t.imgs[0].dataset.held, "4");
    t.pic.trigger("msg:custom", {type: "clear"}, []);
    assert.equal(t.imgs[0].dataset.held, "0");  // the page forgot them all
  },
  async "a move past what was drawn ahead shows the nearest held picture, captioned"() {
    const t = await setup({models: [SLIDER]});
    for (const k of [10, 20, 30]) t.ahead(k);
    t.move(7);  // not held: 10 is nearer to 7 than the 0 shown
    assert.deepEqual(t.key(), [10]);
    assert.equal(t.imgs[0].dataset.source, "near");
    assert.equal(t.imgs[0].alt, "k10");  // the alt says what the picture shows
    assert.equal(t.imgs[0].dataset.gap, "0.03");
    assert.equal(t.captions[0].hidden, false);
    assert.match(t.captions[0].textContent, /w = 10\.0 \(handle: 7\.0\)/);
    assert.equal(t.imgs[0].attrs["aria-busy"], "true");
    t.move(24);
    assert.deepEqual(t.key(), [20]);
    t.kernel(24);  // the handle's own picture replaces it, and the caption goes
    assert.deepEqual(t.key(), [24]);
    assert.equal(t.captions[0].hidden, true);
    assert.equal(t.imgs[0].dataset.gap, "0");
  },
  async "a kernel picture farther from the handle than the shown one is not shown"() {
    const t = await setup({models: [SLIDER]});
    t.ahead(20);
    for (const k of [5, 10, 15, 19]) t.move(k);
    assert.deepEqual(t.key(), [20]);  // nearest held
    t.kernel(10);  // late: the handle passed 10, and 20 is nearer to 19
    assert.deepEqual(t.key(), [20]);
    t.move(12);  // now 10 is nearer
    assert.deepEqual(t.key(), [10]);
    t.kernel(12);
    assert.deepEqual(t.key(), [12]);
  },
  async "a picture that differs on two controls, or on a dropdown, is never near"() {
    const drop = {_model_name: "DropdownModel", _options_labels: ["a", "b", "c"]};
    const t = await setup({fields: ["value", "value"], models: [SLIDER, SLIDER]});
    t.pic.trigger("msg:custom", {type: "frame", key: [10, 5], alt: "x"}, [png(7)]);
    t.controls[0].set({value: 12});
    assert.deepEqual(t.key(), [0, 0]);
    assert.equal(t.captions[0].hidden, true);
    const u = await setup({fields: ["index"], models: [drop]});
    u.pic.trigger("msg:custom", {type: "frame", key: [1], alt: "b"}, [png(1)]);
    u.controls[0].set({index: 2});
    assert.deepEqual(u.key(), [0]);
    assert.equal(u.imgs[0].attrs["aria-busy"], "true");
  },
  async "log sliders are near in exponent, selection sliders in position"() {
    const log = {_model_name: "FloatLogSliderModel", min: -4, max: 0, base: 10,
                 readout_format: ".3g", description: "lr"};
    const t = await setup({models: [log]});
    t.pic.set({value: png(1), key: [1e-4], alt: "k"});
    t.ahead(0.01); t.ahead(0.1);
    t.move(0.03);  // exponent -1.52: nearer -2 (0.01) than -1 (0.1) by exponent
    assert.deepEqual(t.key(), [0.01]);
    assert.match(t.captions[0].textContent, /lr = 0\.01 \(handle: 0\.03\)/);
    const sel = {_model_name: "SelectionSliderModel", _options_labels: ["a", "b", "c", "d", "e"],
                 description: "k"};
    const u = await setup({fields: ["index"], models: [sel]});
    u.pic.trigger("msg:custom", {type: "frame", key: [3], alt: "d"}, [png(3)]);
    u.controls[0].set({index: 4});
    assert.deepEqual(u.key(), [3]);
    assert.match(u.captions[0].textContent, /k = d \(handle: e\)/);
  },
  async "at equal distance the newer picture is shown, whatever the rounding"() {
    const t = await setup({models: [SLIDER]});
    for (const k of [10, 20, 15]) t.move(k);  // none held: the 0 stays
    t.kernel(10);
    assert.deepEqual(t.key(), [10]);
    t.kernel(20);  // as far from 15 as 10 (0.05 of the slider, up to rounding), and newer
    assert.deepEqual(t.key(), [20]);
    assert.match(t.captions[0].textContent, /w = 20\.0 \(handle: 15\.0\)/);
  },
  async "a picture drawn ahead nearer to the handle than the one shown is shown at once"() {
    const t = await setup({models: [SLIDER]});
    t.move(7);  // nothing held nearer than the 0 shown
    assert.deepEqual(t.key(), [0]);
    t.ahead(10);  // arrives while the handle is at 7: nearer than 0
    assert.deepEqual(t.key(), [10]);
    assert.equal(t.imgs[0].dataset.gap, "0.03");
    assert.equal(t.captions[0].hidden, false);
    assert.match(t.captions[0].textContent, /w = 10\.0 \(handle: 7\.0\)/);
    t.ahead(30);  // farther: held, not shown
    assert.deepEqual(t.key(), [10]);
  },
  async "a kernel picture shown behind the handle is captioned, in every view"() {
    const t = await setup({models: [SLIDER]});
    for (const k of [1, 2, 3, 4, 5, 6]) t.move(k);  // none held: the 0 stays, uncaptioned
    assert.equal(t.captions[0].hidden, true);
    t.kernel(3);  // the kernel's picture for a value the handle passed: not the handle's
    assert.deepEqual(t.key(), [3]);
    assert.equal(t.captions[0].hidden, false);
    assert.match(t.captions[0].textContent, /w = 3\.0 \(handle: 6\.0\)/);
    t.mod.render({model: t.pic, el: {classList: {add() {}}, style: {},
      appendChild: (box) => {
        for (const n of box.kids) (n.className === "unrolled-near" ? t.captions : t.imgs).push(n);
      }}});
    assert.deepEqual(JSON.parse(t.imgs[1].dataset.key), [3]);
    assert.equal(t.captions[1].hidden, false);
    assert.equal(t.captions[1].textContent, t.captions[0].textContent);
    t.kernel(6);
    assert.equal(t.captions[0].hidden, true);
    assert.equal(t.captions[1].hidden, true);
  },
  async "the kernel is told once, when a view is first on screen"() {
    const watchers = [];
    globalThis.IntersectionObserver = class {
      constructor(cb) { this.cb = cb; this.on = false; watchers.push(this); }
      observe() { this.on = true; }
      disconnect() { this.on = false; }
      fire(isIntersecting) { if (this.on) this.cb([{isIntersecting}]); }
    };
    try {
      const t = await setup();
      const seen = () => (t.pic.sent || []).filter((m) => m.type === "seen").length;
      assert.deepEqual(t.pic.sent.map((m) => m.type), ["ready"]);
      assert.equal(watchers.length, 1);
      watchers[0].fire(false);  // rendered below the screen: not yet
      assert.equal(seen(), 0);
      watchers[0].fire(true);  // scrolled into view
      assert.equal(seen(), 1);
      assert.equal(watchers[0].on, false, "the watcher stops");
      t.mod.render({model: t.pic, el: {classList: {add() {}}, style: {}, appendChild() {}}});
      assert.equal(watchers.length, 1, "a second view of a widget seen already: no watcher");
      t.unrender();
      // two views rendered before either is on screen: the first seen stops both watchers
      const v = await setup();
      const unrender2 = v.mod.render({model: v.pic, el: {classList: {add() {}}, style: {},
                                                         appendChild() {}}});
      const [w1, w2] = watchers.slice(-2);
      assert.ok(w1.on && w2.on);
      w2.fire(true);
      assert.equal(v.pic.sent.filter((m) => m.type === "seen").length, 1);
      assert.ok(!w1.on && !w2.on, "every watcher stops once one view is seen");
      unrender2();
      v.unrender();
      // a view removed before it is seen stops its watcher
      const u = await setup();
      const w3 = watchers[watchers.length - 1];
      u.unrender();
      assert.equal(w3.on, false);
      assert.ok(!u.pic.sent.some((m) => m.type === "seen"));
    } finally {
      delete globalThis.IntersectionObserver;
    }
    const u = await setup();  // no IntersectionObserver: told at once
    assert.deepEqual(u.pic.sent.map((m) => m.type), ["ready", "seen"]);
  },
  async "a removed widget frees its pictures and listeners"() {
    const before = live.size;
    const t = await setup();
    t.ahead(1); t.ahead(2);
    t.unrender();
    t.cleanup();
    assert.equal(live.size, before);
    assert.equal((t.controls[0].h["change:value"] || []).length, 0);
  },
};

for (const [name, run] of Object.entries(scenarios)) {
  await run();
  console.log("ok " + name);
}
