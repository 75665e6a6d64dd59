// The JavaScript Janus generates against onnxruntime-node on the same models, side by side in one
// Node process: node benchmarks/web/bench.mjs DIR [--quick], DIR as WebBench writes it (one folder
// per model: model.js, model.onnx, x.bin, y.bin, meta.json). Checks that both give Janus's outputs,
// then times one sample per call (what a page does) and the whole test set in one call.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const root = args.find(a => !a.startsWith('--')) ?? 'benchmarks/results/web';

/** [median, half the spread] of the mean time per call, in seconds: warm up, then repeats of about a second. */
async function timed(fn, seconds = 1, repeats = 7) {
  if (quick) { seconds /= 2; repeats = 3; }
  const warm = performance.now();
  while (performance.now() - warm < 1000 * seconds) await fn();
  const results = [];
  for (let r = 0; r < repeats; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < 1000 * seconds) { await fn(); n++; }
    results.push((performance.now() - start) / 1000 / n);
  }
  results.sort((a, b) => a - b);
  return [results[repeats >> 1], (results[repeats - 1] - results[0]) / 2];
}

function floats(file) {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function maxRel(a, b) {
  let worst = 0, scale = 0;
  for (let i = 0; i < b.length; i++) { worst = Math.max(worst, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return worst / scale;
}

const fmt = ([t, pm]) => t < 1e-3 ? `${(t * 1e6).toPrecision(3)} ± ${(pm * 1e6).toPrecision(2)} µs` : `${(t * 1e3).toPrecision(3)} ± ${(pm * 1e3).toPrecision(2)} ms`;

const rows = [], results = [];
for (const name of readdirSync(root).sort()) {
  const dir = resolve(join(root, name));
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const x = floats(join(dir, 'x.bin')), janus = floats(join(dir, 'y.bin'));
  const n = meta.samples, size = x.length / n;
  const js = await import(pathToFileURL(join(dir, 'model.js')).href);
  const sessions = {
    '1 thread': await ort.InferenceSession.create(join(dir, 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }),
    [`${os.availableParallelism()} threads`]: await ort.InferenceSession.create(join(dir, 'model.onnx'), { graphOptimizationLevel: 'all' }),
  };
  const input = Object.values(sessions)[0].inputNames[0], output = Object.values(sessions)[0].outputNames[0];
  const whole = new ort.Tensor('float32', x, [n, ...meta.sample]);
  const singles = Array.from({ length: n }, (_, i) => new ort.Tensor('float32', x.subarray(i * size, (i + 1) * size), [1, ...meta.sample]));
  const ortOut = (await Object.values(sessions)[0].run({ [input]: whole }))[output].data;
  const jsOut = js.predict(x);
  const errors = { jsVsJanus: maxRel(jsOut, janus), ortVsJanus: maxRel(ortOut, janus), jsVsOrt: maxRel(jsOut, ortOut) };
  if (!(errors.jsVsJanus <= 1e-5)) throw new Error(`${meta.name}: the generated JavaScript differs from Janus by ${errors.jsVsJanus}`);

  let k = 0;
  const cases = {
    'one sample per call': {
      js: () => { const i = k++ % n; js.predict(x.subarray(i * size, (i + 1) * size)); },
      ort: s => () => s.run({ [input]: singles[k++ % n] }),
    },
    [`the test set (${n} samples) in one call`]: {
      js: () => { js.predict(x); },
      ort: s => () => s.run({ [input]: whole }),
    },
  };
  for (const [what, c] of Object.entries(cases)) {
    const jsTime = await timed(c.js);
    const entry = { model: meta.name, case: what, js: jsTime, ort: {} };
    for (const [threads, s] of Object.entries(sessions)) entry.ort[threads] = await timed(c.ort(s));
    results.push(entry);
    const [o1, oN] = Object.values(entry.ort);
    rows.push(`| ${meta.name} | ${what} | ${fmt(jsTime)} | ${fmt(o1)} | ${(o1[0] / jsTime[0]).toPrecision(2)}× | ${fmt(oN)} |`);
    console.error(rows[rows.length - 1]);
  }
  console.error(`${meta.name}: largest difference from Janus, generated JS ${errors.jsVsJanus.toExponential(2)}, onnxruntime-node ${errors.ortVsJanus.toExponential(2)} (of the largest output)`);
  results.push({ model: meta.name, errors });
}

const machine = `${os.cpus()[0].model}, ${os.availableParallelism()} cores, Node ${process.version}, onnxruntime-node ${ort.env.versions.node}`;
console.log(`Machine: ${machine}; ${new Date().toISOString().slice(0, 10)}${quick ? ', quick mode' : ''}.\n`);
console.log(`| model | case | generated JS | onnxruntime-node, 1 thread | JS speed-up | onnxruntime-node, ${os.availableParallelism()} threads |`);
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
writeFileSync(join(root, 'web.json'), JSON.stringify({ machine, date: new Date().toISOString(), quick, results }, null, 1));
