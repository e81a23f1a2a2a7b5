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
  createElement() { return {dataset: {}, attrs: {}, style: {}, setAttribute(k, v) { this.attrs[k] = v; }}; },
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

async function setup({fields = ["value"], missing = false} = {}) {
  const mod = (await import("./esm.mjs?" + Math.random())).default;
  const controls = fields.map(() => new Model({value: 0, index: 0}));
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
  const el = {classList: {add() {}}, appendChild: (img) => imgs.push(img)};
  const unrender = mod.render({model: pic, el});
  const t = {
    mod, pic, controls, imgs, cleanup, unrender,
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
    assert.deepEqual(t.pic.sent, [{type: "ready"}]);
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
